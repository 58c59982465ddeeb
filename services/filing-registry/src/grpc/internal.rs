//! `beian.filing_registry.v1.FilingRegistryInternalService`: suite callers only.

use beian_proto::filing_registry::v1::{
    self as pb, filing_registry_internal_service_server::FilingRegistryInternalService,
};
use tonic::{Request, Response, Status};

use super::{convert, details};
use crate::service::FilingRegistry;

#[derive(Debug, Clone)]
pub struct InternalApi {
    service: FilingRegistry,
}

impl InternalApi {
    pub fn new(service: FilingRegistry) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingRegistryInternalService for InternalApi {
    async fn get_filing_contact(
        &self,
        request: Request<pb::GetFilingContactRequest>,
    ) -> Reply<pb::GetFilingContactResponse> {
        let domain = convert::domain(&request.get_ref().domain)?;
        let found = self.service.filing_of_domain(&domain).await?;
        Ok(Response::new(convert::filing_contact(found)))
    }

    async fn get_account_filing_state(
        &self,
        request: Request<pb::GetAccountFilingStateRequest>,
    ) -> Reply<pb::GetAccountFilingStateResponse> {
        let account_id = convert::account_id(&request.get_ref().account_id)?;
        let state = self.service.account_filing_state(account_id).await?;
        Ok(Response::new(convert::account_filing_state(state)))
    }

    async fn match_subject_details(
        &self,
        request: Request<pb::MatchSubjectDetailsRequest>,
    ) -> Reply<pb::MatchSubjectDetailsResponse> {
        let new_filing = details::new_filing_details(request.into_inner())?;
        let found = self.service.match_subject_details(&new_filing).await?;
        Ok(Response::new(details::details_match(found)))
    }

    async fn adopt_legacy_subject(
        &self,
        request: Request<pb::AdoptLegacySubjectRequest>,
    ) -> Reply<pb::AdoptLegacySubjectResponse> {
        let adoption = convert::adoption(request.into_inner())?;
        let subject_id = self.service.adopt_legacy_subject(adoption).await?;
        Ok(Response::new(pb::AdoptLegacySubjectResponse { subject_id }))
    }

    async fn transfer_subject_by_review(
        &self,
        request: Request<pb::TransferSubjectByReviewRequest>,
    ) -> Reply<pb::TransferSubjectByReviewResponse> {
        let transfer = convert::review_transfer(request.into_inner())?;
        let change = self.service.transfer_subject_by_review(transfer).await?;
        Ok(Response::new(pb::TransferSubjectByReviewResponse { change_id: change.change_id }))
    }

    async fn check_filing_password(
        &self,
        request: Request<pb::CheckFilingPasswordRequest>,
    ) -> Reply<pb::CheckFilingPasswordResponse> {
        let (subject_id, password) = convert::password_check(request.get_ref())?;
        self.service.check_filing_password(subject_id, password).await?;
        Ok(Response::new(pb::CheckFilingPasswordResponse {}))
    }

    async fn issue_filing_password_by_review(
        &self,
        request: Request<pb::IssueFilingPasswordByReviewRequest>,
    ) -> Reply<pb::IssueFilingPasswordByReviewResponse> {
        let issue = convert::review_issue(request.into_inner())?;
        let sent = self.service.issue_filing_password_by_review(issue).await?;
        Ok(Response::new(pb::IssueFilingPasswordByReviewResponse { sent_to: convert::sent_to(sent) }))
    }

    async fn decide_order(&self, request: Request<pb::DecideOrderRequest>) -> Reply<pb::DecideOrderResponse> {
        let deciding = convert::deciding(request.into_inner())?;
        let order = self.service.decide_order(deciding).await?;
        Ok(Response::new(pb::DecideOrderResponse { order: Some(convert::order(order)) }))
    }
}
