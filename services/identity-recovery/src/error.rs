//! The one error type of identity-recovery and how each variant reaches a caller.

use std::borrow::Cow;

use beian_platform::status::{ErrorReason, Failure, not_implemented, reason_of};
use tonic::{Code, Status};

use crate::reviews::DocumentKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is malformed or missing. INVALID_ARGUMENT naming the field (proto path,
    /// e.g. `subject.domain` or `documents[2].kind`).
    #[error("invalid {field}: {description}")]
    InvalidArgument { field: Cow<'static, str>, description: String },
    /// Login name or password wrong (indistinguishable on purpose). UNAUTHENTICATED, LOGIN_FAILED.
    #[error("login failed")]
    LoginFailed,
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
    /// No case with that number. NOT_FOUND, REVIEW_CASE_NOT_FOUND.
    #[error("review case not found")]
    ReviewCaseNotFound,
    /// The case exists but holds no such document. NOT_FOUND, REVIEW_CASE_NOT_FOUND, with a
    /// BadRequest naming `document_id` (the contract has no reason of its own for it).
    #[error("review document not found")]
    ReviewDocumentNotFound,
    /// A peer refused with a reason meant for the user (e.g. PROOF_ALREADY_REDEEMED): sent on
    /// unchanged, as the gateway does; its messages hold masked data only.
    #[error("refused by a peer: {0:?}")]
    Refused(Box<Status>),
    /// A peer cannot be reached or did not answer in time. UNAVAILABLE, DEPENDENCY_UNAVAILABLE.
    #[error("a dependency is unavailable: {0}")]
    DependencyUnavailable(String),
    /// Part of the v1 contract a later release delivers. UNIMPLEMENTED, NOT_IMPLEMENTED.
    #[error("{0} is not implemented yet")]
    NotImplemented(&'static str),
    /// Anything unexpected: logged here, sent as INTERNAL without the cause.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn invalid(field: impl Into<Cow<'static, str>>, description: impl Into<String>) -> Self {
        Self::InvalidArgument { field: field.into(), description: description.into() }
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(format!("database: {error}"))
    }
}

/// Sorts a peer's status: the user's business (refusals with a suite reason) versus
/// ours (outages, internal failures, credential problems).
impl From<Status> for Error {
    fn from(status: Status) -> Self {
        match (status.code(), reason_of(&status)) {
            (Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled, _) => {
                Self::DependencyUnavailable(format!("{:?}: {}", status.code(), status.message()))
            }
            (
                _,
                Some(ErrorReason::Internal | ErrorReason::CallerUnauthenticated | ErrorReason::Unspecified)
                | None,
            ) => Self::Internal(format!("peer answered {:?}: {}", status.code(), status.message())),
            (_, Some(_)) => Self::Refused(Box::new(status)),
        }
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidArgument { field, description } => {
                Failure::invalid_field(field, description).into()
            }
            Error::LoginFailed => Failure::new(ErrorReason::LoginFailed).into(),
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
            Error::ReviewCaseNotFound => Failure::new(ErrorReason::ReviewCaseNotFound).into(),
            Error::ReviewDocumentNotFound => Failure::new(ErrorReason::ReviewCaseNotFound)
                .with_violation("document_id", "the case has no such document")
                .into(),
            Error::Refused(status) => {
                tracing::info!(code = ?status.code(), message = status.message(), "a peer refused");
                *status
            }
            Error::DependencyUnavailable(cause) => {
                tracing::warn!(%cause, "a dependency is unavailable");
                Failure::new(ErrorReason::DependencyUnavailable).into()
            }
            Error::NotImplemented(rpc) => not_implemented(rpc),
            Error::Internal(cause) => {
                tracing::error!(%cause, "identity-recovery failed");
                Failure::new(ErrorReason::Internal).into()
            }
        }
    }
}
