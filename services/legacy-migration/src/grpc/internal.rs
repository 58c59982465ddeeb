//! `beian.legacy_migration.v1.LegacyMigrationInternalService`: suite callers only.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_internal_service_server::LegacyMigrationInternalService,
};
use tonic::{Request, Response, Status, Streaming};

use super::convert;
use crate::{error::Error, service::LegacyMigration};

/// ReplaceLoginEmail is delivered; the other RPCs answer UNIMPLEMENTED (NOT_IMPLEMENTED)
/// until later issues deliver them.
#[derive(Debug, Clone)]
pub struct InternalApi {
    service: LegacyMigration,
}

impl InternalApi {
    pub fn new(service: LegacyMigration) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyMigrationInternalService for InternalApi {
    async fn replace_login_email(
        &self,
        request: Request<pb::ReplaceLoginEmailRequest>,
    ) -> Reply<pb::ReplaceLoginEmailResponse> {
        let change = convert::email_replacement(request.into_inner())?;
        let legacy_login_id = self.service.replace_login_email(&change).await?;
        Ok(Response::new(pb::ReplaceLoginEmailResponse { legacy_login_id }))
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
