//! SPEC §2: a legacy login whose email was lost gets a new one by an approved review
//! (备案账号邮箱初始化), and a legacy login's password is set anew with a code to its email
//! (找回密码), so its holder can import.

pub mod store;

use beian_common::{
    filing_number::FilingNumber,
    password,
    password_policy::{self, Violation},
    vocabulary::{CertificateType, Nature},
};
use beian_platform::storage::now_millis;

use crate::{error::Error, legacy::guard, peers::VerificationCodes, service::LegacyMigration};

/// The format of the suite's own hashes (`beian_common::password`).
const SUITE_FORMAT: &str = "suite";

/// An approved reset's replacement: the case's filing and the new email (normalised).
#[derive(Clone)]
pub struct EmailReplacement {
    pub case_number: String,
    pub filing_number: FilingNumber,
    pub new_login_email: String,
}

/// A legacy login found by email, as the gateway may see it.
#[derive(Clone)]
pub struct FoundLogin {
    pub legacy_login_id: String,
    pub login_email: String,
    pub activated: bool,
}

/// A validated ResetLegacyPassword. No `Debug`: proof and password are secrets.
pub struct PasswordReset {
    pub login_email: String,
    pub proof: String,
    pub new_password: String,
    pub request_id: String,
}

/// The filing details a login reset gives, normalised (certificate key upper-cased), and
/// its applicant's name (trimmed). No `Debug`: certificate number and name are personal data.
#[derive(Clone)]
pub struct ResetDetails {
    pub filing_number: FilingNumber,
    pub region: [String; 3],
    pub nature: Nature,
    pub certificate_type: CertificateType,
    pub certificate_key: String,
    pub applicant_name: String,
}

/// The lookup key of an email: lower-cased whole, as the bulk load and seeds store it.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl LegacyMigration {
    /// Replaces the login email of the filing's legacy login; keyed by the case number,
    /// so a retried effect answers the login it changed and changes nothing. The old
    /// email stops finding the login at commit. LEGACY_FILING_NOT_FOUND for a filing the
    /// legacy platform never held, LEGACY_LOGIN_EMAIL_IN_USE when another login has the
    /// new email: both final.
    pub async fn replace_login_email(&self, change: &EmailReplacement) -> Result<String, Error> {
        let now = now_millis();
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        let subject_number = change.filing_number.subject_number();
        if !store::record_email_change(&mut tx, &change.case_number, &subject_number, now).await? {
            tx.rollback().await?;
            drop(writer);
            return store::email_change_of(self.db.reader(), &change.case_number)
                .await?
                .ok_or(Error::LegacyFilingNotFound);
        }
        let login_id = store::changed_login(&mut tx, &change.case_number).await?;
        let key = email_key(&change.new_login_email);
        match store::replace_email(&mut tx, &login_id, &change.new_login_email, &key, now).await {
            Ok(()) => {}
            Err(error) if error.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                tx.rollback().await?;
                drop(writer);
                tracing::info!(case_number = %change.case_number, "new legacy login email already in use");
                return Err(Error::LegacyLoginEmailInUse);
            }
            Err(error) => return Err(error.into()),
        }
        tx.commit().await?;
        drop(writer);
        tracing::info!(case_number = %change.case_number, legacy_login_id = %login_id, "legacy login email replaced");
        Ok(login_id)
    }

    /// Checks a login reset's details against the legacy filing of its number (a website
    /// number names its subject's): FILING_NOT_MATCHED when there is none or any of region,
    /// nature, certificate type and number differs: one answer, whichever it is. Then
    /// whether the applicant's name (trimmed) is the filing's principal's. Changes nothing.
    pub async fn check_reset_details(&self, details: &ResetDetails) -> Result<bool, Error> {
        let subject_number = details.filing_number.subject_number();
        let Some(filing) = store::filing_for_reset(self.db.reader(), &subject_number).await? else {
            tracing::info!(filing_number = %subject_number, "login reset: no such legacy filing");
            return Err(Error::FilingNotMatched);
        };
        let matched = filing.region == details.region
            && filing.nature == details.nature.as_str()
            && filing.certificate_type == details.certificate_type.as_str()
            && filing.certificate_key == details.certificate_key;
        if !matched {
            tracing::info!(filing_number = %subject_number, "login reset: details differ from the legacy filing");
            return Err(Error::FilingNotMatched);
        }
        let principal = filing.principal_name.trim();
        Ok(!principal.is_empty() && principal == details.applicant_name.trim())
    }

    /// The legacy login whose email is `email` (any case), if any.
    pub async fn find_login(&self, email: &str) -> Result<Option<FoundLogin>, Error> {
        Ok(store::login_by_email(self.db.reader(), &email_key(email)).await?.map(|login| FoundLogin {
            legacy_login_id: login.legacy_login_id,
            login_email: login.login_email,
            activated: login.activated,
        }))
    }

    /// In this order, so nothing is spent or changed for a request that fails:
    /// 1. the login by email (ACCOUNT_NOT_FOUND); a reset done under `request_id` answers
    ///    at once (its retry: the new password now *is* the old one, the policy must not
    ///    be asked again);
    /// 2. the LEGACY_PASSWORD_RESET proof of a code sent to the login's email, redeemed
    ///    under `request_id` (a retry after a policy refusal redeems again);
    /// 3. seed 003's policy: character rules, the common list, and, when the stored hash
    ///    is the suite's own, similarity to the old password (other formats are the dump's,
    ///    whose verification the import owns: not compared);
    /// 4. one transaction: the reset recorded, the new hash in the suite's format, and the
    ///    import's failed tries on the email forgotten (its lock lifted with them).
    pub async fn reset_password(&self, codes: &VerificationCodes, reset: PasswordReset) -> Result<(), Error> {
        let key = email_key(&reset.login_email);
        let login = store::login_by_email(self.db.reader(), &key).await?.ok_or(Error::LegacyLoginNotFound)?;
        match store::password_reset_of(self.db.reader(), &reset.request_id).await? {
            Some(done_for) if done_for == login.legacy_login_id => {
                tracing::info!(legacy_login_id = %login.legacy_login_id, "legacy password reset retried");
                return Ok(());
            }
            Some(_) => return Err(Error::invalid("request_id", "names a reset of another legacy login")),
            None => {}
        }
        codes.redeem_legacy_reset_proof(&reset.proof, &login.login_email, &reset.request_id).await?;
        let old = (login.password_format == SUITE_FORMAT).then_some(login.password_hash);
        let new_hash = blocking(move || check_and_hash(&reset.new_password, old.as_deref())).await?;
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if store::set_password(&mut tx, &reset.request_id, &login.legacy_login_id, &new_hash, now_millis())
            .await?
        {
            // the code to the email proved it the caller's: wrong guesses before no longer count
            guard::reset(&mut *tx, &guard::failure_key(&key)).await?;
            tx.commit().await?;
            drop(writer);
            tracing::info!(legacy_login_id = %login.legacy_login_id, "legacy password reset");
        } else {
            // a retry of this very reset committed first: it did everything
            tx.rollback().await?;
            drop(writer);
        }
        Ok(())
    }
}

/// The policy, then the hash; CPU-bound (Argon2id), so run off the async workers.
fn check_and_hash(new_password: &str, old_hash: Option<&str>) -> Result<String, Error> {
    password_policy::check(new_password).map_err(|violation| match violation {
        Violation::TooWeak(unmet) => Error::PasswordTooWeak(unmet),
        Violation::TooCommon => Error::PasswordTooCommon,
    })?;
    if old_hash.is_some_and(|old| password_policy::similar_to_old(new_password, old)) {
        return Err(Error::PasswordTooSimilar);
    }
    password::hash(new_password).map_err(Error::internal)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
}
