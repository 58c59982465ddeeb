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

use crate::{
    reviews::documents::{MAX_DOCUMENT_BYTES, MAX_DOCUMENTS},
    service::IdentityRecovery,
};

/// Largest request accepted: a review case with its most and largest documents, plus
/// room for the rest of the message. Tonic's default (4 MiB) is below one document.
const MAX_REQUEST_BYTES: usize = MAX_DOCUMENTS * MAX_DOCUMENT_BYTES + 1024 * 1024;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <IdentityRecoveryServiceServer<public::PublicApi> as NamedService>::NAME,
    <IdentityRecoveryInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: IdentityRecovery) -> Routes {
    Routes::new(
        IdentityRecoveryServiceServer::new(public::PublicApi::new(service.clone()))
            .max_decoding_message_size(MAX_REQUEST_BYTES),
    )
    .add_service(IdentityRecoveryInternalServiceServer::new(internal::InternalApi::new(service)))
}
