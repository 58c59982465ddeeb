//! The error cases every service shares, and how a peer's answer is sorted into
//! them. Each service's error enum embeds [`Common`]
//! (`#[error(transparent)] Common(#[from] Common)`) beside its own refusals and
//! sends it with `Status::from(common)`.

use std::borrow::Cow;

use tonic::{Code, Status};

use crate::status::{ErrorReason, Failure, not_implemented, reason_of};

#[derive(Debug, thiserror::Error)]
pub enum Common {
    /// A field is malformed or missing. INVALID_ARGUMENT, with a BadRequest naming the
    /// field in proto path form (`subject.domain`, `documents[2].kind`).
    #[error("invalid {field}: {description}")]
    InvalidArgument { field: Cow<'static, str>, description: String },
    /// Part of the v1 contract a later release delivers. UNIMPLEMENTED, NOT_IMPLEMENTED.
    #[error("{0} is not implemented yet")]
    NotImplemented(&'static str),
    /// A peer refused with a reason meant for the user: sent on unchanged (its
    /// messages hold masked data only).
    #[error("refused by a peer: {0:?}")]
    Refused(Box<Status>),
    /// A peer or vendor cannot be reached or did not answer in time; logged.
    /// UNAVAILABLE, DEPENDENCY_UNAVAILABLE: the caller may retry.
    #[error("a dependency is unavailable: {0}")]
    DependencyUnavailable(String),
    /// Anything unexpected, including a peer's own failure: logged, sent as
    /// INTERNAL without the cause.
    #[error("internal: {0}")]
    Internal(String),
}

impl Common {
    pub fn invalid(field: impl Into<Cow<'static, str>>, description: impl Into<String>) -> Self {
        Self::InvalidArgument { field: field.into(), description: description.into() }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        Self::DependencyUnavailable(cause.to_string())
    }

    /// Sorts a peer's status: the user's business (a refusal with a suite reason)
    /// versus ours (an outage, the peer's internal failure, a credential problem,
    /// or no suite reason at all).
    pub fn from_peer(status: Status) -> Self {
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

impl From<sqlx::Error> for Common {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(format!("database: {error}"))
    }
}

impl From<Common> for Status {
    fn from(error: Common) -> Self {
        match error {
            Common::InvalidArgument { field, description } => {
                Failure::invalid_field(field, description).into()
            }
            Common::NotImplemented(rpc) => not_implemented(rpc),
            Common::Refused(status) => {
                tracing::info!(code = ?status.code(), message = status.message(), "a peer refused");
                *status
            }
            Common::DependencyUnavailable(cause) => {
                tracing::warn!(%cause, "a dependency is unavailable");
                Failure::new(ErrorReason::DependencyUnavailable).into()
            }
            Common::Internal(cause) => {
                tracing::error!(%cause, "internal failure");
                Failure::new(ErrorReason::Internal).into()
            }
        }
    }
}

/// For a service's error enum that embeds [`Common`] as its `Common` variant:
/// `From<sqlx::Error>` and the shorthands `invalid`, `internal` and
/// `not_implemented`; with `peers`, also `From<Status>` for a peer's answer,
/// sorted by [`Common::from_peer`].
#[macro_export]
macro_rules! common_error {
    ($error:ty, peers) => {
        $crate::common_error!($error);

        impl From<tonic::Status> for $error {
            fn from(status: tonic::Status) -> Self {
                Self::Common($crate::error::Common::from_peer(status))
            }
        }
    };
    ($error:ty) => {
        impl From<sqlx::Error> for $error {
            fn from(error: sqlx::Error) -> Self {
                Self::Common(error.into())
            }
        }

        impl $error {
            /// INVALID_ARGUMENT naming `field`.
            pub fn invalid(
                field: impl Into<std::borrow::Cow<'static, str>>,
                description: impl Into<String>,
            ) -> Self {
                Self::Common($crate::error::Common::invalid(field, description))
            }

            /// INTERNAL; `cause` is logged, never sent.
            pub fn internal(cause: impl std::fmt::Display) -> Self {
                Self::Common($crate::error::Common::internal(cause))
            }

            /// UNIMPLEMENTED: part of the contract a later release delivers.
            pub fn not_implemented(rpc: &'static str) -> Self {
                Self::Common($crate::error::Common::NotImplemented(rpc))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(status: Status) -> &'static str {
        match Common::from_peer(status) {
            Common::Refused(_) => "refused",
            Common::DependencyUnavailable(_) => "unavailable",
            Common::Internal(_) => "internal",
            other => panic!("a peer's status never becomes {other:?}"),
        }
    }

    #[test]
    fn a_peers_status_is_sorted_by_whose_business_it_is() {
        assert_eq!(sorted(Failure::new(ErrorReason::ProofAlreadyRedeemed).into()), "refused");
        assert_eq!(sorted(Failure::invalid_field("destination", "is required").into()), "refused");
        assert_eq!(sorted(Status::unavailable("connection refused")), "unavailable");
        assert_eq!(sorted(Status::deadline_exceeded("slow")), "unavailable");
        assert_eq!(sorted(Failure::new(ErrorReason::DeadlineExceeded).into()), "unavailable");
        assert_eq!(sorted(Failure::new(ErrorReason::Internal).into()), "internal");
        assert_eq!(sorted(Failure::new(ErrorReason::CallerUnauthenticated).into()), "internal");
        assert_eq!(sorted(Status::invalid_argument("no ErrorInfo")), "internal");
    }

    #[test]
    fn a_refusal_passes_through_unchanged_and_causes_never_leave() {
        let refusal = Status::from(Failure::new(ErrorReason::ProofAlreadyRedeemed));
        let sent = Status::from(Common::from_peer(refusal.clone()));
        assert_eq!(
            (sent.code(), sent.message(), sent.details()),
            (refusal.code(), refusal.message(), refusal.details())
        );

        let sent = Status::from(Common::internal("database: password=hunter2"));
        assert_eq!(reason_of(&sent), Some(ErrorReason::Internal));
        assert!(!sent.message().contains("hunter2"));
        let sent = Status::from(Common::unavailable("vendor at 10.0.0.1 down"));
        assert_eq!(
            (sent.code(), reason_of(&sent)),
            (Code::Unavailable, Some(ErrorReason::DependencyUnavailable))
        );
        assert!(!sent.message().contains("10.0.0.1"));
    }

    #[test]
    fn invalid_arguments_name_their_field() {
        let sent = Status::from(Common::invalid("documents[2].kind", "is required"));
        assert_eq!(sent.code(), Code::InvalidArgument);
        use tonic_types::StatusExt;
        let bad = sent.get_details_bad_request().expect("BadRequest");
        assert_eq!(bad.field_violations[0].field, "documents[2].kind");
    }
}
