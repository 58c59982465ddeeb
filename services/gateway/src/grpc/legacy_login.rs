//! `beian.gateway.v1.LegacyLoginService`.

use beian_proto::gateway::v1::{self as pb, legacy_login_service_server::LegacyLoginService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyLoginReset"];

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct LegacyLoginApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyLoginService for LegacyLoginApi {
    async fn submit_legacy_login_reset(
        &self,
        _request: Request<pb::SubmitLegacyLoginResetRequest>,
    ) -> Reply<pb::SubmitLegacyLoginResetResponse> {
        Err(Error::not_implemented("SubmitLegacyLoginReset").into())
    }

    async fn get_review_status(
        &self,
        _request: Request<pb::GetReviewStatusRequest>,
    ) -> Reply<pb::GetReviewStatusResponse> {
        Err(Error::not_implemented("GetReviewStatus").into())
    }

    async fn start_legacy_password_reset(
        &self,
        _request: Request<pb::StartLegacyPasswordResetRequest>,
    ) -> Reply<pb::StartLegacyPasswordResetResponse> {
        Err(Error::not_implemented("StartLegacyPasswordReset").into())
    }

    async fn send_legacy_password_reset_code(
        &self,
        _request: Request<pb::SendLegacyPasswordResetCodeRequest>,
    ) -> Reply<pb::SendLegacyPasswordResetCodeResponse> {
        Err(Error::not_implemented("SendLegacyPasswordResetCode").into())
    }

    async fn complete_legacy_password_reset(
        &self,
        _request: Request<pb::CompleteLegacyPasswordResetRequest>,
    ) -> Reply<pb::CompleteLegacyPasswordResetResponse> {
        Err(Error::not_implemented("CompleteLegacyPasswordReset").into())
    }
}
