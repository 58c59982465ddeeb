//! The one error type of identity-recovery and how each variant reaches a caller.

use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use std::time::Duration;

use tonic::Status;

use beian_common::password_policy::Rule;

use crate::reviews::DocumentKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, verification-codes' refusal
    /// meant for the user (e.g. PROOF_ALREADY_REDEEMED, sent on unchanged), a peer that
    /// is down, anything unexpected: each sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// Login name or password wrong (indistinguishable on purpose). UNAUTHENTICATED, LOGIN_FAILED.
    #[error("login failed")]
    LoginFailed,
    /// Too many failed logins for this login name, known or not: no password is checked
    /// until the wait is over. RESOURCE_EXHAUSTED, ACCOUNT_LOCKED, RetryInfo.
    #[error("login locked for {retry_after:?}")]
    AccountLocked { retry_after: Duration },
    /// The client address reached its cap of failed logins. RESOURCE_EXHAUSTED,
    /// CLIENT_LIMIT, RetryInfo (the window's end).
    #[error("client login cap reached for {retry_after:?}")]
    ClientLimit { retry_after: Duration },
    /// Every Argon2 permit is busy: the login is shed, not queued. RESOURCE_EXHAUSTED,
    /// OVERLOADED, RetryInfo.
    #[error("password hashing overloaded")]
    Overloaded,
    /// No session, or an expired one. UNAUTHENTICATED, SESSION_REQUIRED.
    #[error("session required")]
    SessionRequired,
    /// No account matches. NOT_FOUND, ACCOUNT_NOT_FOUND.
    #[error("account not found")]
    AccountNotFound,
    /// An account a review case names does not exist. NOT_FOUND, ACCOUNT_NOT_FOUND, with a
    /// BadRequest naming the field, so the applicant knows which UID to correct.
    #[error("no account for {field}")]
    NamedAccountNotFound { field: &'static str },
    /// Documents the kind of case needs are missing. INVALID_ARGUMENT, MATERIALS_INCOMPLETE,
    /// one BadRequest violation per missing kind (`documents[HALF_BODY_WITH_ID_CARD]`) and
    /// ErrorInfo metadata `missing` listing them.
    #[error("materials incomplete: {0:?}")]
    MaterialsIncomplete(Vec<DocumentKind>),
    /// A document is not an accepted JPEG, PNG or PDF, or too large. INVALID_ARGUMENT,
    /// DOCUMENT_REJECTED, BadRequest naming it (`documents[2]`).
    #[error("document {field} rejected: {description}")]
    DocumentRejected { field: String, description: String },
    /// A pending case of the same kind exists for the same domain or filing. ALREADY_EXISTS,
    /// REVIEW_CASE_ALREADY_OPEN. The other case's number is never sent: the applicant may be
    /// a stranger to whoever opened it.
    #[error("review case already open")]
    ReviewCaseAlreadyOpen,
    /// A new password fails character rules (seed 003). INVALID_ARGUMENT, PASSWORD_TOO_WEAK,
    /// a BadRequest on `new_password` saying which, and ErrorInfo metadata `unmet` naming
    /// them (`MIN_LENGTH,SPECIAL`).
    #[error("new password too weak: {0:?}")]
    PasswordTooWeak(Vec<Rule>),
    /// A new password is on the common-password list. INVALID_ARGUMENT, PASSWORD_TOO_COMMON,
    /// BadRequest on `new_password`.
    #[error("new password too common")]
    PasswordTooCommon,
    /// A new password is not clearly different from the old one. INVALID_ARGUMENT,
    /// PASSWORD_TOO_SIMILAR, BadRequest on `new_password`.
    #[error("new password too similar to the old one")]
    PasswordTooSimilar,
    /// No case with that number. NOT_FOUND, REVIEW_CASE_NOT_FOUND.
    #[error("review case not found")]
    ReviewCaseNotFound,
    /// The case was decided already (also the loser of two racing decisions).
    /// FAILED_PRECONDITION, REVIEW_CASE_ALREADY_DECIDED.
    #[error("review case already decided")]
    ReviewCaseAlreadyDecided,
    /// The case exists but holds no such document. NOT_FOUND, REVIEW_CASE_NOT_FOUND, with a
    /// BadRequest naming `document_id` (the contract has no reason of its own for it).
    #[error("review document not found")]
    ReviewDocumentNotFound,
}

beian_platform::common_error!(Error, peers);

/// When a shed login may try again: about one hash later.
const OVERLOADED_RETRY_AFTER: Duration = Duration::from_secs(1);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::LoginFailed => Failure::new(ErrorReason::LoginFailed).into(),
            Error::AccountLocked { retry_after } => {
                Failure::new(ErrorReason::AccountLocked).retry_after(retry_after).into()
            }
            Error::ClientLimit { retry_after } => {
                Failure::new(ErrorReason::ClientLimit).retry_after(retry_after).into()
            }
            Error::Overloaded => {
                Failure::new(ErrorReason::Overloaded).retry_after(OVERLOADED_RETRY_AFTER).into()
            }
            Error::SessionRequired => Failure::new(ErrorReason::SessionRequired).into(),
            Error::AccountNotFound => Failure::new(ErrorReason::AccountNotFound).into(),
            Error::NamedAccountNotFound { field } => {
                Failure::new(ErrorReason::AccountNotFound).with_violation(field, "no such account").into()
            }
            Error::MaterialsIncomplete(missing) => {
                let names: Vec<&str> = missing.iter().map(|kind| kind.as_str()).collect();
                names
                    .iter()
                    .fold(Failure::new(ErrorReason::MaterialsIncomplete), |failure, name| {
                        failure.with_violation(format!("documents[{name}]"), "is required")
                    })
                    .with_param("missing", names.join(","))
                    .into()
            }
            Error::DocumentRejected { field, description } => {
                Failure::new(ErrorReason::DocumentRejected).with_violation(field, description).into()
            }
            Error::ReviewCaseAlreadyOpen => Failure::new(ErrorReason::ReviewCaseAlreadyOpen).into(),
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
            Error::ReviewCaseNotFound => Failure::new(ErrorReason::ReviewCaseNotFound).into(),
            Error::ReviewCaseAlreadyDecided => Failure::new(ErrorReason::ReviewCaseAlreadyDecided).into(),
            Error::ReviewDocumentNotFound => Failure::new(ErrorReason::ReviewCaseNotFound)
                .with_violation("document_id", "the case has no such document")
                .into(),
        }
    }
}
