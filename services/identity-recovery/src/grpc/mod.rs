//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod convert;
mod internal;
mod public;

use beian_proto::identity_recovery::v1::{
    identity_recovery_internal_service_server::IdentityRecoveryInternalServiceServer,
    identity_recovery_service_server::IdentityRecoveryServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::service::IdentityRecovery;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <IdentityRecoveryServiceServer<public::PublicApi> as NamedService>::NAME,
    <IdentityRecoveryInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: IdentityRecovery) -> Routes {
    Routes::new(IdentityRecoveryServiceServer::new(public::PublicApi::new(service.clone())))
        .add_service(IdentityRecoveryInternalServiceServer::new(internal::InternalApi::new(service)))
}
