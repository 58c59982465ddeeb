//! AdoptLegacySubject: a filing from the retired legacy platform enters a current account
//! (import or claim, SPEC §4), recorded as a holder change from nobody. legacy-migration's
//! saga calls it until it answers; the migration id keys it, so a retry — after a crash or a
//! lost answer — answers the subject the first call created and creates nothing.

use beian_common::{contact::normalise_certificate_number, password};
use beian_platform::storage::now_millis;
use rand::RngCore;

use super::store;
use crate::{
    error::Error,
    service::FilingRegistry,
    subjects::{Subject, store as subjects},
};

/// Why a legacy filing is adopted, as the holder history says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoptionReason {
    Import,
    Claim,
}

impl AdoptionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Claim => "claim",
        }
    }
}

/// A validated AdoptLegacySubject: the subject as it will be held, ids made.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub migration_id: String,
    pub reason: AdoptionReason,
    /// `holder_account_id` is the adopting account.
    pub subject: Subject,
}

impl FilingRegistry {
    /// Creates the subject and its websites in the account, with the holder change, in one
    /// transaction. Refused when the account holds a subject (ACCOUNT_ALREADY_HOLDS_SUBJECT:
    /// one account, one subject), when the filing number is on the current platform already
    /// (LEGACY_ALREADY_IMPORTED), or when a live filing holds one of its domains
    /// (DOMAIN_ALREADY_FILED). The filing password is not carried over: a random one stands
    /// until the holder recovers it (SPEC §3).
    pub async fn adopt_legacy_subject(&self, adoption: Adoption) -> Result<String, Error> {
        let key = format!("adopt:{}", adoption.migration_id);
        if let Some(change) = store::change_by_key(self.db.reader(), &key).await? {
            return Ok(change.subject_id);
        }
        let subject = &adoption.subject;
        let account_id = subject.holder_account_id.as_deref().ok_or_else(|| Error::internal("no holder"))?;
        let unknown = unknown_password();
        let password_hash = tokio::task::spawn_blocking(move || password::hash(&unknown))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let certificate_key = normalise_certificate_number(&subject.certificate_number);
        let now = now_millis();
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !subjects::insert_subject(&mut tx, subject, &certificate_key, &password_hash, now).await? {
            tx.rollback().await?;
            drop(writer);
            return self.why_not_adopted(&key, account_id).await;
        }
        for website in &subject.websites {
            subjects::insert_website(&mut tx, &subject.subject_id, website, now).await?;
        }
        subjects::insert_holder_change(
            &mut tx,
            &subjects::HolderChangeRecord {
                change_id: &uuid::Uuid::new_v4().to_string(),
                subject_id: &subject.subject_id,
                from_account_id: None,
                to_account_id: Some(account_id),
                actor: "system",
                reason: adoption.reason.as_str(),
                idempotency_key: Some(&key),
                changed_at_ms: now,
            },
        )
        .await?;
        tx.commit().await?;
        drop(writer);
        tracing::info!(
            subject_id = %subject.subject_id,
            migration_id = %adoption.migration_id,
            reason = adoption.reason.as_str(),
            "legacy subject adopted"
        );
        Ok(subject.subject_id.clone())
    }

    /// The subject did not go in: a concurrent retry of this adoption created it, the
    /// account holds a subject, or the filing number is here already.
    async fn why_not_adopted(&self, key: &str, account_id: &str) -> Result<String, Error> {
        if let Some(change) = store::change_by_key(self.db.reader(), key).await? {
            return Ok(change.subject_id);
        }
        if subjects::find_by_holder(self.db.reader(), account_id).await?.is_some() {
            return Err(Error::AccountAlreadyHoldsSubject);
        }
        Err(Error::LegacyAlreadyImported)
    }
}

/// 128 random bits nobody is told: the adopted filing's password until it is recovered.
fn unknown_password() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
