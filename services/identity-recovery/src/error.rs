//! The one error type of identity-recovery and how each variant reaches a caller.

use beian_platform::status::{ErrorReason, Failure, not_implemented};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is malformed. INVALID_ARGUMENT naming the field.
    #[error("invalid {field}: {description}")]
    InvalidArgument { field: &'static str, description: String },
    /// Login name or password wrong (indistinguishable on purpose). UNAUTHENTICATED, LOGIN_FAILED.
    #[error("login failed")]
    LoginFailed,
    /// No session, or an expired one. UNAUTHENTICATED, SESSION_REQUIRED.
    #[error("session required")]
    SessionRequired,
    /// No account matches. NOT_FOUND, ACCOUNT_NOT_FOUND.
    #[error("account not found")]
    AccountNotFound,
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

    pub fn invalid(field: &'static str, description: impl Into<String>) -> Self {
        Self::InvalidArgument { field, description: description.into() }
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
            Error::LoginFailed => Failure::new(ErrorReason::LoginFailed).into(),
            Error::SessionRequired => Failure::new(ErrorReason::SessionRequired).into(),
            Error::AccountNotFound => Failure::new(ErrorReason::AccountNotFound).into(),
            Error::NotImplemented(rpc) => not_implemented(rpc),
            Error::Internal(cause) => {
                tracing::error!(%cause, "identity-recovery failed");
                Failure::new(ErrorReason::Internal).into()
            }
        }
    }
}
