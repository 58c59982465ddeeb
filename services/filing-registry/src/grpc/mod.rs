//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod convert;
mod details;
mod internal;
mod public;
mod registrations;

use beian_proto::filing_registry::v1::{
    domain_registration_internal_service_server::DomainRegistrationInternalServiceServer,
    filing_registry_internal_service_server::FilingRegistryInternalServiceServer,
    filing_registry_service_server::FilingRegistryServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::service::FilingRegistry;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <FilingRegistryServiceServer<public::PublicApi> as NamedService>::NAME,
    <FilingRegistryInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
    <DomainRegistrationInternalServiceServer<registrations::RegistrationApi> as NamedService>::NAME,
];

pub fn routes(service: FilingRegistry) -> Routes {
    Routes::new(FilingRegistryServiceServer::new(public::PublicApi::new(service.clone())))
        .add_service(FilingRegistryInternalServiceServer::new(internal::InternalApi::new(service.clone())))
        .add_service(DomainRegistrationInternalServiceServer::new(registrations::RegistrationApi::new(
            service,
        )))
}
