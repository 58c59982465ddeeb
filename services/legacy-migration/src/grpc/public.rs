//! `beian.legacy_migration.v1.LegacyMigrationService`.

use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_service_server::LegacyMigrationService,
};
use tonic::{Request, Response, Status};

use super::{convert, details};
use crate::{peers::VerificationCodes, service::LegacyMigration};

#[derive(Debug, Clone)]
pub struct PublicApi {
    service: LegacyMigration,
    codes: VerificationCodes,
}

impl PublicApi {
    pub fn new(service: LegacyMigration, codes: VerificationCodes) -> Self {
        Self { service, codes }
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
        request: Request<pb::ImportLegacyFilingRequest>,
    ) -> Reply<pb::ImportLegacyFilingResponse> {
        let import = convert::import_request(request.into_inner())?;
        let imported = self.service.import(import).await?;
        Ok(Response::new(convert::imported(imported)))
    }

    async fn find_legacy_login(
        &self,
        request: Request<pb::FindLegacyLoginRequest>,
    ) -> Reply<pb::FindLegacyLoginResponse> {
        let email = convert::email(&request.get_ref().login_email, "login_email")?;
        let found = self.service.find_login(&email).await?;
        Ok(Response::new(convert::found_login(found)))
    }

    async fn reset_legacy_password(
        &self,
        request: Request<pb::ResetLegacyPasswordRequest>,
    ) -> Reply<pb::ResetLegacyPasswordResponse> {
        let reset = convert::password_reset(request.into_inner())?;
        self.service.reset_password(&self.codes, reset).await?;
        Ok(Response::new(pb::ResetLegacyPasswordResponse {}))
    }

    async fn check_legacy_filing_details(
        &self,
        request: Request<pb::CheckLegacyFilingDetailsRequest>,
    ) -> Reply<pb::CheckLegacyFilingDetailsResponse> {
        let details = details::reset_details(request.into_inner())?;
        let applicant_is_principal = self.service.check_reset_details(&details).await?;
        Ok(Response::new(pb::CheckLegacyFilingDetailsResponse { applicant_is_principal }))
    }
}
