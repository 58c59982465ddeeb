//! `beian.gateway.v1.FilingPasswordService`.

use beian_proto::gateway::v1::{self as pb, filing_password_service_server::FilingPasswordService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["RequestFilingPasswordReview"];

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct FilingPasswordApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingPasswordService for FilingPasswordApi {
    async fn recover_filing_password(
        &self,
        _request: Request<pb::RecoverFilingPasswordRequest>,
    ) -> Reply<pb::RecoverFilingPasswordResponse> {
        Err(Error::not_implemented("RecoverFilingPassword").into())
    }

    async fn request_filing_password_review(
        &self,
        _request: Request<pb::RequestFilingPasswordReviewRequest>,
    ) -> Reply<pb::RequestFilingPasswordReviewResponse> {
        Err(Error::not_implemented("RequestFilingPasswordReview").into())
    }
}
