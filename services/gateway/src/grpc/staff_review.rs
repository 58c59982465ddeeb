//! `beian.gateway.v1.StaffReviewService`.

use beian_proto::gateway::v1::{self as pb, staff_review_service_server::StaffReviewService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct StaffReviewApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl StaffReviewService for StaffReviewApi {
    async fn list_review_cases(
        &self,
        _request: Request<pb::ListReviewCasesRequest>,
    ) -> Reply<pb::ListReviewCasesResponse> {
        Err(Error::NotImplemented("ListReviewCases").into())
    }

    async fn get_review_case(
        &self,
        _request: Request<pb::GetReviewCaseRequest>,
    ) -> Reply<pb::GetReviewCaseResponse> {
        Err(Error::NotImplemented("GetReviewCase").into())
    }

    async fn get_review_document(
        &self,
        _request: Request<pb::GetReviewDocumentRequest>,
    ) -> Reply<pb::GetReviewDocumentResponse> {
        Err(Error::NotImplemented("GetReviewDocument").into())
    }

    async fn approve_review_case(
        &self,
        _request: Request<pb::ApproveReviewCaseRequest>,
    ) -> Reply<pb::ApproveReviewCaseResponse> {
        Err(Error::NotImplemented("ApproveReviewCase").into())
    }

    async fn reject_review_case(
        &self,
        _request: Request<pb::RejectReviewCaseRequest>,
    ) -> Reply<pb::RejectReviewCaseResponse> {
        Err(Error::NotImplemented("RejectReviewCase").into())
    }
}
