//! `beian.gateway.v1.LegacyFilingService` (SPEC §4): the import (导入) and the claim (认领).

use beian_platform::wire::{required_text, timestamp};
use beian_proto::gateway::v1::{self as pb, legacy_filing_service_server::LegacyFilingService};
use tonic::{Request, Response, Status};

use super::{
    account_lookup::{documents, pass_token},
    caller, convert, new_filing,
};
use crate::{
    error::Error,
    flows::FlowId,
    model::legacy_import::LegacyCredentials,
    workflows::{
        legacy_claim::{LegacyClaim, StartClaim, SubmitClaim},
        legacy_import::LegacyImport,
    },
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyClaim"];

const MAX_NAME_CHARS: usize = 64;
/// Legacy login emails are at most this long (the legacy dump's limit).
const MAX_EMAIL_CHARS: usize = 254;
/// Longer is no password anybody typed: refused before any hash work.
const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, Clone)]
pub struct LegacyFilingApi {
    import: LegacyImport,
    claim: LegacyClaim,
}

impl LegacyFilingApi {
    pub fn new(import: LegacyImport, claim: LegacyClaim) -> Self {
        Self { import, claim }
    }
}

impl TryFrom<pb::ImportLegacyFilingRequest> for LegacyCredentials {
    type Error = Error;

    fn try_from(request: pb::ImportLegacyFilingRequest) -> Result<Self, Error> {
        let login_email = required_text(&request.legacy_login_email, MAX_EMAIL_CHARS)
            .map_err(|d| Error::invalid("legacy_login_email", d))?;
        // a password is taken as typed (spaces included), only its presence and size checked
        if request.legacy_password.is_empty() {
            return Err(Error::invalid("legacy_password", "is required"));
        }
        if request.legacy_password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Error::invalid(
                "legacy_password",
                format!("at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(Self { login_email: login_email.to_owned(), password: request.legacy_password })
    }
}

/// Everything is checked before the pass is spent.
impl TryFrom<pb::StartLegacyClaimRequest> for StartClaim {
    type Error = Error;

    fn try_from(request: pb::StartLegacyClaimRequest) -> Result<Self, Error> {
        Ok(Self {
            details: new_filing::details(
                request.region,
                request.nature,
                request.certificate_type,
                &request.certificate_number,
                &request.domain,
            )?,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

impl TryFrom<pb::SubmitLegacyClaimRequest> for SubmitClaim {
    type Error = Error;

    fn try_from(request: pb::SubmitLegacyClaimRequest) -> Result<Self, Error> {
        let applicant_name = required_text(&request.applicant_name, MAX_NAME_CHARS)
            .map_err(|d| Error::invalid("applicant_name", d))?
            .to_owned();
        Ok(Self {
            flow_id: FlowId::parse(&request.flow_id)?,
            applicant_name,
            documents: documents(request.documents)?,
        })
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyFilingService for LegacyFilingApi {
    async fn import_legacy_filing(
        &self,
        request: Request<pb::ImportLegacyFilingRequest>,
    ) -> Reply<pb::ImportLegacyFilingResponse> {
        let (client, session) = (caller::client(&request)?, caller::session(&request)?);
        let credentials = LegacyCredentials::try_from(request.into_inner())?;
        let imported = self.import.import(&session, credentials, &client).await?;
        Ok(Response::new(pb::ImportLegacyFilingResponse {
            filing_number: imported.filing_number,
            website_count: imported.website_count,
            import_time: Some(timestamp(imported.imported_at_ms)),
        }))
    }

    async fn start_legacy_claim(
        &self,
        request: Request<pb::StartLegacyClaimRequest>,
    ) -> Reply<pb::StartLegacyClaimResponse> {
        let session = caller::session(&request)?;
        let start = StartClaim::try_from(request.into_inner())?;
        let recognised = self.claim.start(&session, start).await?;
        let summary = recognised.summary;
        let (nature, certificate_type) = new_filing::summary_nature_and_type(&summary);
        Ok(Response::new(pb::StartLegacyClaimResponse {
            flow_id: recognised.flow_id.as_str().to_owned(),
            filing_number: summary.filing_number,
            nature,
            region: Some(new_filing::region_out(summary.region)),
            certificate_type,
            masked_certificate_number: summary.masked_certificate_number,
            masked_principal_name: summary.masked_principal_name,
            expire_time: Some(timestamp(recognised.expires_at_ms)),
        }))
    }

    async fn submit_legacy_claim(
        &self,
        request: Request<pb::SubmitLegacyClaimRequest>,
    ) -> Reply<pb::SubmitLegacyClaimResponse> {
        let client = caller::client(&request)?;
        let session = caller::session(&request)?;
        let submit = SubmitClaim::try_from(request.into_inner())?;
        let ticket = self.claim.submit(&session, submit, &client).await?;
        Ok(Response::new(pb::SubmitLegacyClaimResponse { ticket: Some(convert::ticket(ticket)) }))
    }
}
