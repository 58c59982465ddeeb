//! `beian.legacy_migration.v1.LegacyMigrationInternalService`: suite callers only.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_internal_service_server::LegacyMigrationInternalService,
};
use tonic::{Request, Response, Status, Streaming};

use super::convert;
use crate::{error::Error, service::LegacyMigration};

/// LoadLegacyDump answers UNIMPLEMENTED (NOT_IMPLEMENTED): dumps load with `beian legacy load`.
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
        request: Request<pb::CompleteClaimRequest>,
    ) -> Reply<pb::CompleteClaimResponse> {
        let claim = convert::claim_completion(request.into_inner())?;
        let subject_id = self.service.complete_claim(claim).await?;
        Ok(Response::new(pb::CompleteClaimResponse { subject_id }))
    }

    async fn load_legacy_dump(
        &self,
        _request: Request<Streaming<pb::LoadLegacyDumpRequest>>,
    ) -> Reply<pb::LoadLegacyDumpResponse> {
        Err(Error::not_implemented("LoadLegacyDump").into())
    }
}
