//! `beian.gateway.v1.StaffReviewService`.

use beian_platform::wire::required_text;
use beian_proto::{
    gateway::v1::{self as pb, staff_review_service_server::StaffReviewService},
    identity_recovery::v1 as identity,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::{error::Error, reviews, workflows::Workflows};

/// The queue is served now; decisions arrive with the workflows they complete.
#[derive(Debug, Clone)]
pub struct StaffReviewApi {
    workflows: Workflows,
}

impl StaffReviewApi {
    pub fn new(workflows: Workflows) -> Self {
        Self { workflows }
    }
}

fn case_number(value: &str) -> Result<&str, Error> {
    required_text(value, 32).map_err(|d| Error::invalid("case_number", d))
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl StaffReviewService for StaffReviewApi {
    async fn list_review_cases(
        &self,
        request: Request<pb::ListReviewCasesRequest>,
    ) -> Reply<pb::ListReviewCasesResponse> {
        let (metadata, _, request) = request.into_parts();
        let page = reviews::list(
            &self.workflows.peers,
            &metadata,
            identity::ListReviewCasesRequest {
                kind: request.kind,
                state: request.state,
                page_size: request.page_size,
                page_token: request.page_token,
            },
        )
        .await?;
        Ok(Response::new(pb::ListReviewCasesResponse {
            review_cases: page.review_cases.into_iter().map(convert::staff_case).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn get_review_case(
        &self,
        request: Request<pb::GetReviewCaseRequest>,
    ) -> Reply<pb::GetReviewCaseResponse> {
        let number = case_number(&request.get_ref().case_number)?;
        let case = reviews::get(&self.workflows.peers, request.metadata(), number).await?;
        Ok(Response::new(pb::GetReviewCaseResponse { review_case: Some(convert::staff_case(case)) }))
    }

    async fn get_review_document(
        &self,
        request: Request<pb::GetReviewDocumentRequest>,
    ) -> Reply<pb::GetReviewDocumentResponse> {
        let number = case_number(&request.get_ref().case_number)?;
        let document_id = required_text(&request.get_ref().document_id, 64)
            .map_err(|d| Error::invalid("document_id", d))?;
        let document =
            reviews::document(&self.workflows.peers, request.metadata(), number, document_id).await?;
        Ok(Response::new(pb::GetReviewDocumentResponse { document: Some(document) }))
    }

    async fn approve_review_case(
        &self,
        _request: Request<pb::ApproveReviewCaseRequest>,
    ) -> Reply<pb::ApproveReviewCaseResponse> {
        Err(Error::not_implemented("ApproveReviewCase").into())
    }

    async fn reject_review_case(
        &self,
        _request: Request<pb::RejectReviewCaseRequest>,
    ) -> Reply<pb::RejectReviewCaseResponse> {
        Err(Error::not_implemented("RejectReviewCase").into())
    }
}
