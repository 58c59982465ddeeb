//! The one error type of the gateway and how each variant reaches a front end.

use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, a service's refusal meant for
    /// the user (sent on unchanged), a service that is down, anything unexpected: each
    /// sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
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
}

beian_platform::common_error!(Error, peers);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::SessionRequired => Failure::new(ErrorReason::SessionRequired).into(),
            Error::WorkflowNotFound => Failure::new(ErrorReason::WorkflowNotFound).into(),
            Error::StepOutOfOrder => Failure::new(ErrorReason::WorkflowStepOutOfOrder).into(),
            Error::StaffOnly => Failure::new(ErrorReason::StaffOnly).into(),
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
        }
    }
}
