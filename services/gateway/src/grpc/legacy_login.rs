//! `beian.gateway.v1.LegacyLoginService`.

use beian_platform::wire::required_text;
use beian_proto::gateway::v1::{self as pb, legacy_login_service_server::LegacyLoginService};
use tonic::{Request, Response, Status};

use super::{caller, convert};
use crate::{error::Error, workflows::staff_review::ReviewStatus};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyLoginReset"];

/// GetReviewStatus works for every kind of case; the legacy login RPCs are delivered by
/// later issues and answer UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone)]
pub struct LegacyLoginApi {
    review_status: ReviewStatus,
}

impl LegacyLoginApi {
    pub fn new(review_status: ReviewStatus) -> Self {
        Self { review_status }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyLoginService for LegacyLoginApi {
    async fn submit_legacy_login_reset(
        &self,
        _request: Request<pb::SubmitLegacyLoginResetRequest>,
    ) -> Reply<pb::SubmitLegacyLoginResetResponse> {
        Err(Error::not_implemented("SubmitLegacyLoginReset").into())
    }

    /// identity-recovery checks the number's shape and normalises the mobile; a wrong
    /// mobile answers REVIEW_CASE_NOT_FOUND exactly like an unknown case.
    async fn get_review_status(
        &self,
        request: Request<pb::GetReviewStatusRequest>,
    ) -> Reply<pb::GetReviewStatusResponse> {
        let client = caller::client(&request)?;
        let request = request.get_ref();
        let case_number =
            required_text(&request.case_number, 32).map_err(|d| Error::invalid("case_number", d))?;
        let mobile = required_text(&request.applicant_mobile, 32)
            .map_err(|d| Error::invalid("applicant_mobile", d))?;
        let ticket = self.review_status.status(case_number, mobile, &client).await?;
        Ok(Response::new(pb::GetReviewStatusResponse { ticket: Some(convert::ticket(ticket)) }))
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
