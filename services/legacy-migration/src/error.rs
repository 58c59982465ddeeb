//! The one error type of legacy-migration and how each variant reaches a caller.

use std::time::Duration;

use beian_common::password_policy::Rule;
use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, a peer's refusal (sent on
    /// unchanged), a peer that is down, anything unexpected: each sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// No legacy filing has the number a login reset names. NOT_FOUND, LEGACY_FILING_NOT_FOUND.
    #[error("legacy filing not found")]
    LegacyFilingNotFound,
    /// A login reset's filing details are no legacy filing's: no filing of the number, or
    /// any detail differs (never said which). NOT_FOUND, FILING_NOT_MATCHED.
    #[error("filing details not matched")]
    FilingNotMatched,
    /// No legacy login has the email a password reset names. NOT_FOUND, ACCOUNT_NOT_FOUND
    /// (the gateway only asks for logins it found, answering unknown ones itself).
    #[error("legacy login not found")]
    LegacyLoginNotFound,
    /// A login reset's new email is another legacy login's. FAILED_PRECONDITION,
    /// LEGACY_LOGIN_EMAIL_IN_USE.
    #[error("new legacy login email already in use")]
    LegacyLoginEmailInUse,
    /// A new password fails seed 003's character rules (listed). INVALID_ARGUMENT,
    /// PASSWORD_TOO_WEAK, BadRequest on `new_password`, metadata `unmet`.
    #[error("new password too weak")]
    PasswordTooWeak(Vec<Rule>),
    /// A new password is on the common-password list. INVALID_ARGUMENT, PASSWORD_TOO_COMMON,
    /// BadRequest on `new_password`.
    #[error("new password too common")]
    PasswordTooCommon,
    /// A new password is not clearly different from the old one. INVALID_ARGUMENT,
    /// PASSWORD_TOO_SIMILAR, BadRequest on `new_password`.
    #[error("new password too similar to the old one")]
    PasswordTooSimilar,
    /// Unknown legacy login email or wrong password: one answer for both.
    /// PERMISSION_DENIED, LEGACY_CREDENTIALS_INCORRECT.
    #[error("legacy credentials incorrect")]
    CredentialsIncorrect,
    /// Too many wrong passwords for this email lately. RESOURCE_EXHAUSTED,
    /// LEGACY_LOGIN_LOCKED, RetryInfo.
    #[error("legacy login locked")]
    LoginLocked { retry_after: Duration },
    /// Every password-hashing permit is taken (a flood of legacy logins): shed rather
    /// than queued. RESOURCE_EXHAUSTED, OVERLOADED, RetryInfo.
    #[error("password hashing is at its limit")]
    Overloaded,
    /// The legacy login was never activated. FAILED_PRECONDITION, LEGACY_LOGIN_NOT_ACTIVATED.
    #[error("legacy login not activated")]
    NotActivated,
    /// The legacy login holds no filing that could be imported. FAILED_PRECONDITION,
    /// LEGACY_LOGIN_HAS_NO_FILING.
    #[error("legacy login has no filing")]
    NoFiling,
    /// The legacy login holds only orders in progress, which never move.
    /// FAILED_PRECONDITION, LEGACY_ONLY_ORDERS_IN_PROGRESS.
    #[error("legacy login has only orders in progress")]
    OnlyOrdersInProgress,
    /// The filing went into another account (or by another way) already; which one is
    /// never said. FAILED_PRECONDITION, LEGACY_ALREADY_IMPORTED.
    #[error("legacy filing already migrated")]
    AlreadyImported,
    /// Submitted before 2010-06-01: claimed, not imported. FAILED_PRECONDITION,
    /// LEGACY_FILING_MUST_BE_CLAIMED.
    #[error("legacy filing must be claimed")]
    MustBeClaimed,
    /// The account holds a subject already (one account, one subject).
    /// FAILED_PRECONDITION, ACCOUNT_ALREADY_HOLDS_SUBJECT.
    #[error("account already holds a subject")]
    AccountAlreadyHoldsSubject,
    /// A claim names a filing that cannot be claimed (imported instead, moved away, too
    /// late). FAILED_PRECONDITION, CLAIM_NOT_ELIGIBLE.
    #[error("claim not eligible")]
    ClaimNotEligible,
}

beian_platform::common_error!(Error, peers);

/// When a shed legacy login may try again.
const OVERLOADED_RETRY_AFTER: Duration = Duration::from_secs(1);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let reason = match error {
            Error::Common(common) => return common.into(),
            Error::LoginLocked { retry_after } => {
                return Failure::new(ErrorReason::LegacyLoginLocked).retry_after(retry_after).into();
            }
            Error::Overloaded => {
                return Failure::new(ErrorReason::Overloaded).retry_after(OVERLOADED_RETRY_AFTER).into();
            }
            Error::PasswordTooWeak(unmet) => {
                let wanted: Vec<&str> = unmet.iter().map(|rule| rule.describe()).collect();
                let names: Vec<&str> = unmet.iter().map(|rule| rule.as_str()).collect();
                return Failure::new(ErrorReason::PasswordTooWeak)
                    .with_violation("new_password", format!("needs {}", wanted.join(", ")))
                    .with_param("unmet", names.join(","))
                    .into();
            }
            Error::PasswordTooCommon => {
                return Failure::new(ErrorReason::PasswordTooCommon)
                    .with_violation("new_password", "is on the list of common passwords")
                    .into();
            }
            Error::PasswordTooSimilar => {
                return Failure::new(ErrorReason::PasswordTooSimilar)
                    .with_violation("new_password", "must be clearly different from the old password")
                    .into();
            }
            Error::LegacyFilingNotFound => ErrorReason::LegacyFilingNotFound,
            Error::FilingNotMatched => ErrorReason::FilingNotMatched,
            Error::LegacyLoginNotFound => ErrorReason::AccountNotFound,
            Error::LegacyLoginEmailInUse => ErrorReason::LegacyLoginEmailInUse,
            Error::CredentialsIncorrect => ErrorReason::LegacyCredentialsIncorrect,
            Error::NotActivated => ErrorReason::LegacyLoginNotActivated,
            Error::NoFiling => ErrorReason::LegacyLoginHasNoFiling,
            Error::OnlyOrdersInProgress => ErrorReason::LegacyOnlyOrdersInProgress,
            Error::AlreadyImported => ErrorReason::LegacyAlreadyImported,
            Error::MustBeClaimed => ErrorReason::LegacyFilingMustBeClaimed,
            Error::AccountAlreadyHoldsSubject => ErrorReason::AccountAlreadyHoldsSubject,
            Error::ClaimNotEligible => ErrorReason::ClaimNotEligible,
        };
        Failure::new(reason).into()
    }
}
