//! The one error type of legacy-migration and how each variant reaches a caller.

use beian_platform::error::Common;
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, anything unexpected: each
    /// sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
}

beian_platform::common_error!(Error);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
        }
    }
}
