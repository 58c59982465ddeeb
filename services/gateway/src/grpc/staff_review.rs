//! `beian.gateway.v1.StaffReviewService`.

use beian_common::filing_number::FilingNumber;
use beian_platform::wire::{
    enums::{optional, to_wire},
    required_text, timestamp,
};
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, staff_review_service_server::StaffReviewService},
};
use tonic::{Request, Response, Status};

use super::{caller, convert};
use crate::{
    error::Error,
    model::{
        reviews::{AuditAction, Decision, QueueQuery},
        transfer::{HistoryOf, HistoryQuery},
    },
    workflows::staff_review::StaffReview,
};

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
            overdue_only: request.overdue_only,
        })
    }
}

impl TryFrom<pb::ListHolderHistoryRequest> for HistoryQuery {
    type Error = Error;

    fn try_from(request: pb::ListHolderHistoryRequest) -> Result<Self, Error> {
        use pb::list_holder_history_request::Of;
        let of = match request.of {
            Some(Of::FilingNumber(number)) => HistoryOf::FilingNumber(
                FilingNumber::parse(&number)
                    .map_err(|_| {
                        Error::invalid("filing_number", "must be a filing number such as 京ICP备12345678号")
                    })?
                    .to_string(),
            ),
            Some(Of::AccountUid(uid)) => HistoryOf::Party(
                required_text(&uid, 64).map_err(|d| Error::invalid("account_uid", d))?.to_owned(),
            ),
            None => return Err(Error::invalid("filing_number", "give a filing number or an account UID")),
        };
        Ok(Self { of, page_size: request.page_size, page_token: request.page_token })
    }
}

fn case_number(value: &str) -> Result<&str, Error> {
    required_text(value, 32).map_err(|d| Error::invalid("case_number", d))
}

fn audit_action(action: AuditAction) -> pb::StaffAuditAction {
    match action {
        AuditAction::ViewCase => pb::StaffAuditAction::ViewCase,
        AuditAction::ViewDocument => pb::StaffAuditAction::ViewDocument,
        AuditAction::Approve => pb::StaffAuditAction::Approve,
        AuditAction::Reject => pb::StaffAuditAction::Reject,
        AuditAction::EffectApplied => pb::StaffAuditAction::EffectApplied,
    }
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

    /// The note is checked by identity-recovery (at most 128 characters, no line breaks).
    async fn approve_review_case(
        &self,
        request: Request<pb::ApproveReviewCaseRequest>,
    ) -> Reply<pb::ApproveReviewCaseResponse> {
        let case = case_number(&request.get_ref().case_number)?.to_owned();
        let staff = self.staff_review.authorise(&caller::session(&request)?).await?;
        let decision = Decision { case_number: case, approve: true, note: request.into_inner().note };
        let case = self.staff_review.decide(&staff, decision).await?;
        Ok(Response::new(pb::ApproveReviewCaseResponse { review_case: Some(convert::staff_case(case)) }))
    }

    /// A rejection needs a note: the applicant receives it.
    async fn reject_review_case(
        &self,
        request: Request<pb::RejectReviewCaseRequest>,
    ) -> Reply<pb::RejectReviewCaseResponse> {
        let case = case_number(&request.get_ref().case_number)?.to_owned();
        let note =
            required_text(&request.get_ref().note, 512).map_err(|d| Error::invalid("note", d))?.to_owned();
        let staff = self.staff_review.authorise(&caller::session(&request)?).await?;
        let case =
            self.staff_review.decide(&staff, Decision { case_number: case, approve: false, note }).await?;
        Ok(Response::new(pb::RejectReviewCaseResponse { review_case: Some(convert::staff_case(case)) }))
    }

    async fn list_review_audit(
        &self,
        request: Request<pb::ListReviewAuditRequest>,
    ) -> Reply<pb::ListReviewAuditResponse> {
        let case = case_number(&request.get_ref().case_number)?;
        let staff = self.staff_review.authorise(&caller::session(&request)?).await?;
        let entries = self.staff_review.audit(&staff, case).await?;
        Ok(Response::new(pb::ListReviewAuditResponse {
            entries: entries
                .into_iter()
                .map(|entry| pb::StaffAuditEntry {
                    time: Some(timestamp(entry.at_ms)),
                    actor: entry.actor,
                    action: audit_action(entry.action) as i32,
                    document_id: entry.document_id,
                    note: entry.note,
                })
                .collect(),
        }))
    }

    async fn list_holder_history(
        &self,
        request: Request<pb::ListHolderHistoryRequest>,
    ) -> Reply<pb::ListHolderHistoryResponse> {
        let session = caller::session(&request)?;
        let query = HistoryQuery::try_from(request.into_inner())?;
        let staff = self.staff_review.authorise(&session).await?;
        let page = self.staff_review.holder_history(&staff, query).await?;
        Ok(Response::new(pb::ListHolderHistoryResponse {
            changes: page.changes.into_iter().map(|change| convert::holder_change(change, true)).collect(),
            next_page_token: page.next_page_token,
        }))
    }
}
