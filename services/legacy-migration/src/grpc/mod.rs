//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod convert;
mod internal;
mod public;

use beian_proto::legacy_migration::v1::{
    legacy_migration_internal_service_server::LegacyMigrationInternalServiceServer,
    legacy_migration_service_server::LegacyMigrationServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::service::LegacyMigration;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <LegacyMigrationServiceServer<public::PublicApi> as NamedService>::NAME,
    <LegacyMigrationInternalServiceServer<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: LegacyMigration) -> Routes {
    Routes::new(LegacyMigrationServiceServer::new(public::PublicApi::new(service.clone())))
        .add_service(LegacyMigrationInternalServiceServer::new(internal::InternalApi::new(service)))
}
