//! `beian.gateway.v1.LegacyFilingService`.

use beian_proto::gateway::v1::{self as pb, legacy_filing_service_server::LegacyFilingService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyClaim"];

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct LegacyFilingApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyFilingService for LegacyFilingApi {
    async fn import_legacy_filing(
        &self,
        _request: Request<pb::ImportLegacyFilingRequest>,
    ) -> Reply<pb::ImportLegacyFilingResponse> {
        Err(Error::not_implemented("ImportLegacyFiling").into())
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
