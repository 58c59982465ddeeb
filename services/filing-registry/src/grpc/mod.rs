//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod convert;
mod details;
mod internal;
mod public;

use beian_proto::filing_registry::v1::{
    filing_registry_internal_service_server::FilingRegistryInternalServiceServer,
    filing_registry_service_server::FilingRegistryServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::service::FilingRegistry;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <FilingRegistryServiceServer<public::PublicApi> as NamedService>::NAME,
    <FilingRegistryInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: FilingRegistry) -> Routes {
    Routes::new(FilingRegistryServiceServer::new(public::PublicApi::new(service.clone())))
        .add_service(FilingRegistryInternalServiceServer::new(internal::InternalApi::new(service)))
}
