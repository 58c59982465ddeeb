//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod convert;
mod internal;
mod public;

use beian_proto::verification_codes::v1::{
    verification_codes_internal_service_server::VerificationCodesInternalServiceServer,
    verification_codes_service_server::VerificationCodesServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::service::VerificationCodes;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <VerificationCodesServiceServer<public::PublicApi> as NamedService>::NAME,
    <VerificationCodesInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: VerificationCodes) -> Routes {
    Routes::new(VerificationCodesServiceServer::new(public::PublicApi::new(service.clone())))
        .add_service(VerificationCodesInternalServiceServer::new(internal::InternalApi::new(service)))
}
