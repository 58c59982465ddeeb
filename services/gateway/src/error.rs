//! The one error type of the gateway and how each variant reaches a front end.

use std::time::Duration;

use beian_platform::status::{ErrorReason, Failure, not_implemented, reason_of};
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is malformed. INVALID_ARGUMENT naming the field.
    #[error("invalid {field}: {description}")]
    InvalidArgument { field: &'static str, description: String },
    /// A request message is larger than its RPC accepts (4 MiB; more only where documents
    /// travel). INVALID_ARGUMENT, BadRequest naming `request`.
    #[error("request larger than {limit_bytes} bytes")]
    RequestTooLarge { limit_bytes: usize },
    /// A document is too large, of the wrong type, or one too many. INVALID_ARGUMENT,
    /// DOCUMENT_REJECTED, BadRequest naming it (`documents[2]`, or `documents` for the count).
    #[error("document {field} rejected: {description}")]
    DocumentRejected { field: String, description: String },
    /// The client's quota of this request is used up. RESOURCE_EXHAUSTED, CLIENT_LIMIT, RetryInfo.
    #[error("client limit reached")]
    ClientLimit { retry_after: Duration },
    /// A pending case exists for the same request. ALREADY_EXISTS, REVIEW_CASE_ALREADY_OPEN,
    /// without the other case's number (the applicant may be a stranger to it).
    #[error("review case already open")]
    ReviewCaseAlreadyOpen,
    /// No `authorization: Bearer` session, or a dead one. UNAUTHENTICATED, SESSION_REQUIRED.
    #[error("session required")]
    SessionRequired,
    /// The flow id is unknown, expired or of another workflow. NOT_FOUND, WORKFLOW_NOT_FOUND.
    #[error("workflow not found")]
    WorkflowNotFound,
    /// A step was called before the one it depends on. FAILED_PRECONDITION, WORKFLOW_STEP_OUT_OF_ORDER.
    #[error("workflow step out of order")]
    StepOutOfOrder,
    /// Neither platform holds the domain. NOT_FOUND, DOMAIN_NOT_FILED.
    #[error("domain not filed")]
    DomainNotFiled,
    /// The caller is logged in but is not review staff. PERMISSION_DENIED, STAFF_ONLY.
    #[error("staff only")]
    StaffOnly,
    /// Part of the v1 contract a later release delivers. UNIMPLEMENTED, NOT_IMPLEMENTED.
    #[error("{0} is not implemented yet")]
    NotImplemented(&'static str),
    /// A suite service refused with a reason meant for the user: sent on unchanged
    /// (its messages hold masked data only).
    #[error("refused by a service: {0:?}")]
    Refused(Status),
    /// A suite service cannot be reached. UNAVAILABLE, DEPENDENCY_UNAVAILABLE.
    #[error("a service is unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected, including a service's internal failure: logged, sent as INTERNAL.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, description: impl Into<String>) -> Self {
        Self::InvalidArgument { field, description: description.into() }
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(format!("database: {error}"))
    }
}

/// Sorts a status from another service: the user's business (refusals with a
/// suite reason) versus ours (outages, internal failures, credential problems).
impl From<Status> for Error {
    fn from(status: Status) -> Self {
        match (status.code(), reason_of(&status)) {
            (Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled, _) => {
                Self::Unavailable(format!("{:?}: {}", status.code(), status.message()))
            }
            (
                _,
                Some(ErrorReason::Internal | ErrorReason::CallerUnauthenticated | ErrorReason::Unspecified)
                | None,
            ) => Self::Internal(format!("{:?}: {}", status.code(), status.message())),
            (_, Some(_)) => Self::Refused(status),
        }
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidArgument { field, description } => {
                Failure::invalid_field(field, description).into()
            }
            Error::RequestTooLarge { limit_bytes } => Failure::invalid_field(
                "request",
                format!("must be at most {} MiB for this call", limit_bytes / (1024 * 1024)),
            )
            .into(),
            Error::DocumentRejected { field, description } => {
                Failure::new(ErrorReason::DocumentRejected).with_violation(field, description).into()
            }
            Error::ClientLimit { retry_after } => {
                Failure::new(ErrorReason::ClientLimit).retry_after(retry_after).into()
            }
            Error::ReviewCaseAlreadyOpen => Failure::new(ErrorReason::ReviewCaseAlreadyOpen).into(),
            Error::SessionRequired => Failure::new(ErrorReason::SessionRequired).into(),
            Error::WorkflowNotFound => Failure::new(ErrorReason::WorkflowNotFound).into(),
            Error::StepOutOfOrder => Failure::new(ErrorReason::WorkflowStepOutOfOrder).into(),
            Error::StaffOnly => Failure::new(ErrorReason::StaffOnly).into(),
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
            Error::NotImplemented(rpc) => not_implemented(rpc),
            Error::Refused(status) => status,
            Error::Unavailable(cause) => {
                tracing::warn!(%cause, "a dependency is unavailable");
                Failure::new(ErrorReason::DependencyUnavailable).into()
            }
            Error::Internal(cause) => {
                tracing::error!(%cause, "gateway failed");
                Failure::new(ErrorReason::Internal).into()
            }
        }
    }
}
