//! `beian.legacy_migration.v1.LegacyMigrationService`.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_service_server::LegacyMigrationService,
};
use tonic::{Request, Response, Status};

use super::{convert, details};
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
        request: Request<pb::MatchFilingDetailsRequest>,
    ) -> Reply<pb::MatchFilingDetailsResponse> {
        let details = details::filing_details(request.into_inner())?;
        let found = self.service.match_filing_details(&details).await?;
        Ok(Response::new(details::details_match(found)))
    }

    async fn import_legacy_filing(
        &self,
        _request: Request<pb::ImportLegacyFilingRequest>,
    ) -> Reply<pb::ImportLegacyFilingResponse> {
        Err(Error::not_implemented("ImportLegacyFiling").into())
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
