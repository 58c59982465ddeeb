//! CompleteClaim: an approved LEGACY_CLAIM review case (SPEC §4) has the legacy subject
//! join the applicant's account through the same saga as an import, keyed by the case
//! number: a retry (identity-recovery's effect worker after a crash or a lost answer)
//! answers the subject the first call made.

use beian_platform::storage::now_millis;

use super::{LegacyMigration, action_of};
use crate::{
    eligibility::LegacyAction,
    error::Error,
    legacy::store as legacy,
    saga::{self, Kind, store::NewMigration},
};

#[derive(Debug, Clone)]
pub struct ClaimCompletion {
    pub case_number: String,
    pub filing_number: String,
    pub account_id: String,
}

impl LegacyMigration {
    /// Answers the subject id. LEGACY_FILING_NOT_FOUND for a filing the legacy platform
    /// never held, LEGACY_ALREADY_IMPORTED once it went elsewhere, CLAIM_NOT_ELIGIBLE when
    /// it is not a claim's; filing-registry's refusals (the account holds a subject, a
    /// domain is filed) pass through.
    pub async fn complete_claim(&self, claim: ClaimCompletion) -> Result<String, Error> {
        if let Some(migration) = saga::store::by_case(self.db.reader(), &claim.case_number).await? {
            return self.finish_claim(migration).await;
        }
        let filing = legacy::filing(self.db.reader(), &claim.filing_number)
            .await?
            .ok_or(Error::LegacyFilingNotFound)?;
        if filing.migration.is_some() {
            return Err(Error::AlreadyImported);
        }
        if action_of(&filing)? != LegacyAction::Claim {
            return Err(Error::ClaimNotEligible);
        }
        let now = now_millis();
        let migration_id = uuid::Uuid::new_v4().to_string();
        saga::store::insert_pending(
            &mut *self.db.writer().await?,
            &NewMigration {
                migration_id: &migration_id,
                filing_number: &claim.filing_number,
                kind: Kind::Claim,
                account_id: &claim.account_id,
                case_number: Some(&claim.case_number),
                now_ms: now,
                lease_until_ms: self.saga.lease_until(now),
            },
        )
        .await?;
        // this call's row, a concurrent retry's, or another migration's that won the filing
        let Some(migration) = saga::store::by_case(self.db.reader(), &claim.case_number).await? else {
            return Err(Error::AlreadyImported);
        };
        self.finish_claim(migration).await
    }

    async fn finish_claim(&self, migration: saga::Migration) -> Result<String, Error> {
        let done = self.saga.drive_or_hand_over(migration).await?;
        done.subject_id.ok_or_else(|| Error::internal("a DONE migration without subject"))
    }
}
