//! `beian.gateway.v1.StaffReviewService`.

use beian_platform::wire::{
    enums::{optional, to_wire},
    required_text,
};
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, staff_review_service_server::StaffReviewService},
};
use tonic::{Request, Response, Status};

use super::{caller, convert};
use crate::{error::Error, model::reviews::QueueQuery, workflows::staff_review::StaffReview};

/// The queue is served now; decisions arrive with the workflows they complete.
#[derive(Debug, Clone)]
pub struct StaffReviewApi {
    staff_review: StaffReview,
}

impl StaffReviewApi {
    pub fn new(staff_review: StaffReview) -> Self {
        Self { staff_review }
    }
}

impl TryFrom<pb::ListReviewCasesRequest> for QueueQuery {
    type Error = Error;

    fn try_from(request: pb::ListReviewCasesRequest) -> Result<Self, Error> {
        Ok(Self {
            kind: optional("kind", request.kind)?,
            state: optional("state", request.state)?,
            page_size: request.page_size,
            page_token: request.page_token,
        })
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
        let session = caller::session(&request)?;
        let query = QueueQuery::try_from(request.into_inner())?;
        let staff = self.staff_review.authorise(&session).await?;
        let page = self.staff_review.queue(&staff, query).await?;
        Ok(Response::new(pb::ListReviewCasesResponse {
            review_cases: page.cases.into_iter().map(convert::staff_case).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn get_review_case(
        &self,
        request: Request<pb::GetReviewCaseRequest>,
    ) -> Reply<pb::GetReviewCaseResponse> {
        let case = case_number(&request.get_ref().case_number)?;
        let staff = self.staff_review.authorise(&caller::session(&request)?).await?;
        let case = self.staff_review.case(&staff, case).await?;
        Ok(Response::new(pb::GetReviewCaseResponse { review_case: Some(convert::staff_case(case)) }))
    }

    async fn get_review_document(
        &self,
        request: Request<pb::GetReviewDocumentRequest>,
    ) -> Reply<pb::GetReviewDocumentResponse> {
        let case = case_number(&request.get_ref().case_number)?;
        let document_id = required_text(&request.get_ref().document_id, 64)
            .map_err(|d| Error::invalid("document_id", d))?;
        let staff = self.staff_review.authorise(&caller::session(&request)?).await?;
        let document = self.staff_review.document(&staff, case, document_id).await?;
        Ok(Response::new(pb::GetReviewDocumentResponse {
            document: Some(common::Document {
                kind: to_wire(document.kind),
                content_type: document.content_type,
                content: document.content,
            }),
        }))
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
