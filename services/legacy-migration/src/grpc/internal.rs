//! `beian.legacy_migration.v1.LegacyMigrationInternalService`: suite callers only.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_internal_service_server::LegacyMigrationInternalService,
};
use tonic::{Request, Response, Status, Streaming};

use crate::error::Error;

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct InternalApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyMigrationInternalService for InternalApi {
    async fn replace_login_email(
        &self,
        _request: Request<pb::ReplaceLoginEmailRequest>,
    ) -> Reply<pb::ReplaceLoginEmailResponse> {
        Err(Error::not_implemented("ReplaceLoginEmail").into())
    }

    async fn complete_claim(
        &self,
        _request: Request<pb::CompleteClaimRequest>,
    ) -> Reply<pb::CompleteClaimResponse> {
        Err(Error::not_implemented("CompleteClaim").into())
    }

    async fn load_legacy_dump(
        &self,
        _request: Request<Streaming<pb::LoadLegacyDumpRequest>>,
    ) -> Reply<pb::LoadLegacyDumpResponse> {
        Err(Error::not_implemented("LoadLegacyDump").into())
    }
}
