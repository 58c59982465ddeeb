//! `beian.legacy_migration.v1.LegacyMigrationService`.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_service_server::LegacyMigrationService,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::{error::Error, service::LegacyMigration};

#[derive(Debug, Clone)]
pub struct PublicApi {
    service: LegacyMigration,
}

impl PublicApi {
    pub fn new(service: LegacyMigration) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyMigrationService for PublicApi {
    async fn classify_domain(
        &self,
        request: Request<pb::ClassifyDomainRequest>,
    ) -> Reply<pb::ClassifyDomainResponse> {
        let domain = convert::domain(&request.get_ref().domain)?;
        let found = self.service.classify_domain(&domain).await?;
        Ok(Response::new(convert::classification(found)))
    }

    async fn match_filing_details(
        &self,
        _request: Request<pb::MatchFilingDetailsRequest>,
    ) -> Reply<pb::MatchFilingDetailsResponse> {
        Err(Error::not_implemented("MatchFilingDetails").into())
    }

    async fn import_legacy_filing(
        &self,
        request: Request<pb::ImportLegacyFilingRequest>,
    ) -> Reply<pb::ImportLegacyFilingResponse> {
        let import = convert::import_request(request.into_inner())?;
        let imported = self.service.import(import).await?;
        Ok(Response::new(convert::imported(imported)))
    }

    async fn find_legacy_login(
        &self,
        _request: Request<pb::FindLegacyLoginRequest>,
    ) -> Reply<pb::FindLegacyLoginResponse> {
        Err(Error::not_implemented("FindLegacyLogin").into())
    }

    async fn reset_legacy_password(
        &self,
        _request: Request<pb::ResetLegacyPasswordRequest>,
    ) -> Reply<pb::ResetLegacyPasswordResponse> {
        Err(Error::not_implemented("ResetLegacyPassword").into())
    }
}
