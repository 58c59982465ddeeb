//! The one error type of legacy-migration and how each variant reaches a caller.

use beian_common::password_policy::Rule;
use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, anything unexpected: each
    /// sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// No legacy filing has the number a login reset names. NOT_FOUND, LEGACY_FILING_NOT_FOUND.
    #[error("legacy filing not found")]
    LegacyFilingNotFound,
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
}

beian_platform::common_error!(Error, peers);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::LegacyFilingNotFound => Failure::new(ErrorReason::LegacyFilingNotFound).into(),
            Error::LegacyLoginNotFound => Failure::new(ErrorReason::AccountNotFound).into(),
            Error::LegacyLoginEmailInUse => Failure::new(ErrorReason::LegacyLoginEmailInUse).into(),
            Error::PasswordTooWeak(unmet) => {
                let wanted: Vec<&str> = unmet.iter().map(|rule| rule.describe()).collect();
                let names: Vec<&str> = unmet.iter().map(|rule| rule.as_str()).collect();
                Failure::new(ErrorReason::PasswordTooWeak)
                    .with_violation("new_password", format!("needs {}", wanted.join(", ")))
                    .with_param("unmet", names.join(","))
                    .into()
            }
            Error::PasswordTooCommon => Failure::new(ErrorReason::PasswordTooCommon)
                .with_violation("new_password", "is on the list of common passwords")
                .into(),
            Error::PasswordTooSimilar => Failure::new(ErrorReason::PasswordTooSimilar)
                .with_violation("new_password", "must be clearly different from the old password")
                .into(),
        }
    }
}
