//! The one error type of verification-codes and how each variant reaches a caller.

use beian_platform::status::not_implemented;
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Part of the v1 contract a later release delivers. UNIMPLEMENTED, NOT_IMPLEMENTED.
    #[error("{0} is not implemented yet")]
    NotImplemented(&'static str),
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::NotImplemented(rpc) => not_implemented(rpc),
        }
    }
}
