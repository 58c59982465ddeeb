//! `beian.gateway.v1.LegacyFilingService`.

use beian_platform::wire::{required_text, timestamp};
use beian_proto::gateway::v1::{self as pb, legacy_filing_service_server::LegacyFilingService};
use tonic::{Request, Response, Status};

use super::caller;
use crate::{error::Error, model::legacy_import::LegacyCredentials, workflows::legacy_import::LegacyImport};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyClaim"];

/// Legacy login emails are at most this long (the legacy dump's limit).
const MAX_EMAIL_CHARS: usize = 254;
/// Longer is no password anybody typed: refused before any hash work.
const MAX_PASSWORD_CHARS: usize = 128;

/// The import, and the claim's steps (delivered by a later issue: NOT_IMPLEMENTED until then).
#[derive(Debug, Clone)]
pub struct LegacyFilingApi {
    import: LegacyImport,
}

impl LegacyFilingApi {
    pub fn new(import: LegacyImport) -> Self {
        Self { import }
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
        _request: Request<pb::StartLegacyClaimRequest>,
    ) -> Reply<pb::StartLegacyClaimResponse> {
        Err(Error::not_implemented("StartLegacyClaim").into())
    }

    async fn submit_legacy_claim(
        &self,
        _request: Request<pb::SubmitLegacyClaimRequest>,
    ) -> Reply<pb::SubmitLegacyClaimResponse> {
        Err(Error::not_implemented("SubmitLegacyClaim").into())
    }
}
