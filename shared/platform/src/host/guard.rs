//! Errors of the shared tower stack, turned into the statuses clients expect:
//! a request past its time is DEADLINE_EXCEEDED and a shed one is
//! RESOURCE_EXHAUSTED (tonic would otherwise answer UNKNOWN).

use std::time::Duration;

use tonic::Status;
use tower::BoxError;

use crate::status::{ErrorReason, Failure};

/// How long a shed caller is told to wait before trying again.
const SHED_RETRY_AFTER: Duration = Duration::from_secs(1);

pub fn stack_error_to_status(error: BoxError) -> BoxError {
    if error.is::<tower::timeout::error::Elapsed>() {
        Box::new(Status::from(Failure::new(ErrorReason::DeadlineExceeded)))
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        Box::new(Status::from(Failure::new(ErrorReason::Overloaded).retry_after(SHED_RETRY_AFTER)))
    } else {
        error
    }
}
