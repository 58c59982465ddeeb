//! The one error type of legacy-migration and how each variant reaches a caller.

use std::time::Duration;

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
    /// Unknown legacy login email or wrong password: one answer for both.
    /// PERMISSION_DENIED, LEGACY_CREDENTIALS_INCORRECT.
    #[error("legacy credentials incorrect")]
    CredentialsIncorrect,
    /// Too many wrong passwords for this email lately. RESOURCE_EXHAUSTED,
    /// LEGACY_LOGIN_LOCKED, RetryInfo.
    #[error("legacy login locked")]
    LoginLocked { retry_after: Duration },
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
    /// A claim names a filing the legacy platform never held. NOT_FOUND, LEGACY_FILING_NOT_FOUND.
    #[error("legacy filing not found")]
    FilingNotFound,
    /// A claim names a filing that cannot be claimed (imported instead, moved away, too
    /// late). FAILED_PRECONDITION, CLAIM_NOT_ELIGIBLE.
    #[error("claim not eligible")]
    ClaimNotEligible,
}

beian_platform::common_error!(Error, peers);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let reason = match error {
            Error::Common(common) => return common.into(),
            Error::LoginLocked { retry_after } => {
                return Failure::new(ErrorReason::LegacyLoginLocked).retry_after(retry_after).into();
            }
            Error::CredentialsIncorrect => ErrorReason::LegacyCredentialsIncorrect,
            Error::NotActivated => ErrorReason::LegacyLoginNotActivated,
            Error::NoFiling => ErrorReason::LegacyLoginHasNoFiling,
            Error::OnlyOrdersInProgress => ErrorReason::LegacyOnlyOrdersInProgress,
            Error::AlreadyImported => ErrorReason::LegacyAlreadyImported,
            Error::MustBeClaimed => ErrorReason::LegacyFilingMustBeClaimed,
            Error::AccountAlreadyHoldsSubject => ErrorReason::AccountAlreadyHoldsSubject,
            Error::FilingNotFound => ErrorReason::LegacyFilingNotFound,
            Error::ClaimNotEligible => ErrorReason::ClaimNotEligible,
        };
        Failure::new(reason).into()
    }
}
