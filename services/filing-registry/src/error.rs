//! The one error type of filing-registry and how each variant reaches a caller.

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
    /// No live filing holds the domain. NOT_FOUND, DOMAIN_NOT_FILED.
    #[error("domain not filed")]
    DomainNotFiled,
    /// The account holds no subject. FAILED_PRECONDITION, NO_SUBJECT_HELD.
    #[error("no subject held")]
    NoSubjectHeld,
}

beian_platform::common_error!(Error);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
            Error::NoSubjectHeld => Failure::new(ErrorReason::NoSubjectHeld).into(),
        }
    }
}
