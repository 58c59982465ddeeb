//! The one error type of filing-registry and how each variant reaches a caller.

use beian_platform::status::{ErrorReason, Failure, not_implemented};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is malformed. INVALID_ARGUMENT naming the field.
    #[error("invalid {field}: {description}")]
    InvalidArgument { field: &'static str, description: String },
    /// No live filing holds the domain. NOT_FOUND, DOMAIN_NOT_FILED.
    #[error("domain not filed")]
    DomainNotFiled,
    /// The account holds no subject. FAILED_PRECONDITION, NO_SUBJECT_HELD.
    #[error("no subject held")]
    NoSubjectHeld,
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
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(format!("database: {error}"))
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidArgument { field, description } => {
                Failure::invalid_field(field, description).into()
            }
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
            Error::NoSubjectHeld => Failure::new(ErrorReason::NoSubjectHeld).into(),
            Error::NotImplemented(rpc) => not_implemented(rpc),
            Error::Internal(cause) => {
                tracing::error!(%cause, "filing-registry failed");
                Failure::new(ErrorReason::Internal).into()
            }
        }
    }
}
