//! `beian.identity_recovery.v1.IdentityRecoveryService`.

use beian_platform::{storage::now_millis, wire::timestamp};
use beian_proto::identity_recovery::v1::{
    self as pb, identity_recovery_service_server::IdentityRecoveryService,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::service::IdentityRecovery;

#[derive(Debug, Clone)]
pub struct PublicApi {
    service: IdentityRecovery,
}

impl PublicApi {
    pub fn new(service: IdentityRecovery) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl IdentityRecoveryService for PublicApi {
    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginResponse> {
        let attempt = convert::login_attempt(request.into_inner())?;
        let (session, account) = self.service.login(attempt).await?;
        Ok(Response::new(pb::LoginResponse {
            session_token: session.token.expose().to_owned(),
            expire_time: Some(timestamp(session.expires_at_ms)),
            account: Some(convert::account_summary(&account)),
        }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        let token = convert::session_token(&request.get_ref().session_token)?;
        self.service.logout(token).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn resolve_session(
        &self,
        request: Request<pb::ResolveSessionRequest>,
    ) -> Reply<pb::ResolveSessionResponse> {
        let token = convert::session_token(&request.get_ref().session_token)?;
        let account = self.service.resolve_session(token).await?;
        Ok(Response::new(pb::ResolveSessionResponse { account: Some(convert::account_summary(&account)) }))
    }

    async fn find_account(&self, request: Request<pb::FindAccountRequest>) -> Reply<pb::FindAccountResponse> {
        let login_name = convert::login_name(&request.get_ref().login_name)?;
        let account = self.service.find_account(login_name).await?;
        Ok(Response::new(pb::FindAccountResponse { account: Some(convert::account_summary(&account)) }))
    }

    async fn complete_account_lookup(
        &self,
        request: Request<pb::CompleteAccountLookupRequest>,
    ) -> Reply<pb::CompleteAccountLookupResponse> {
        let lookup = convert::lookup::lookup_request(request.into_inner())?;
        let done = self.service.complete_account_lookup(lookup).await?;
        Ok(Response::new(convert::lookup::lookup_done(done)))
    }

    async fn reset_password(
        &self,
        request: Request<pb::ResetPasswordRequest>,
    ) -> Reply<pb::ResetPasswordResponse> {
        let reset = convert::reset::reset_request(request.into_inner())?;
        let done = self.service.reset_password(reset).await?;
        Ok(Response::new(convert::reset::reset_done(done)))
    }

    async fn open_review_case(
        &self,
        request: Request<pb::OpenReviewCaseRequest>,
    ) -> Reply<pb::OpenReviewCaseResponse> {
        let case = convert::review_in::new_case(request.into_inner())?;
        let opened = self.service.open_review_case(case).await?;
        Ok(Response::new(pb::OpenReviewCaseResponse {
            review_case: Some(convert::review_out::review_case(opened, now_millis())),
        }))
    }

    async fn list_review_cases(
        &self,
        request: Request<pb::ListReviewCasesRequest>,
    ) -> Reply<pb::ListReviewCasesResponse> {
        let page = convert::review_in::page_request(request.get_ref())?;
        let queue = self.service.review_queue(page).await?;
        let now = now_millis();
        Ok(Response::new(pb::ListReviewCasesResponse {
            review_cases: queue
                .cases
                .into_iter()
                .map(|case| convert::review_out::review_case(case, now))
                .collect(),
            next_page_token: queue.next_page_token.unwrap_or_default(),
        }))
    }

    async fn get_review_case(
        &self,
        request: Request<pb::GetReviewCaseRequest>,
    ) -> Reply<pb::GetReviewCaseResponse> {
        let request = request.get_ref();
        let case_number = convert::review_in::case_number(&request.case_number)?;
        let staff_id = convert::review_in::staff_id(&request.staff_id)?;
        let case = self.service.review_case(&case_number, staff_id).await?;
        Ok(Response::new(pb::GetReviewCaseResponse {
            review_case: Some(convert::review_out::review_case(case, now_millis())),
        }))
    }

    async fn get_review_document(
        &self,
        request: Request<pb::GetReviewDocumentRequest>,
    ) -> Reply<pb::GetReviewDocumentResponse> {
        let request = request.get_ref();
        let case_number = convert::review_in::case_number(&request.case_number)?;
        let document_id = convert::review_in::document_id(&request.document_id)?;
        let staff_id = convert::review_in::staff_id(&request.staff_id)?;
        let document = self.service.review_document(&case_number, document_id, staff_id).await?;
        Ok(Response::new(pb::GetReviewDocumentResponse {
            document: Some(convert::review_out::document(document)),
        }))
    }

    async fn decide_review_case(
        &self,
        request: Request<pb::DecideReviewCaseRequest>,
    ) -> Reply<pb::DecideReviewCaseResponse> {
        let decision = convert::review_in::decision(request.get_ref())?;
        let case = self.service.decide_review_case(decision).await?;
        Ok(Response::new(pb::DecideReviewCaseResponse {
            review_case: Some(convert::review_out::review_case(case, now_millis())),
        }))
    }

    async fn list_review_audit(
        &self,
        request: Request<pb::ListReviewAuditRequest>,
    ) -> Reply<pb::ListReviewAuditResponse> {
        let case_number = convert::review_in::case_number(&request.get_ref().case_number)?;
        let entries = self.service.review_audit(&case_number).await?;
        Ok(Response::new(pb::ListReviewAuditResponse {
            entries: entries.into_iter().map(convert::review_out::audit_entry).collect(),
        }))
    }

    async fn get_review_status(
        &self,
        request: Request<pb::GetReviewStatusRequest>,
    ) -> Reply<pb::GetReviewStatusResponse> {
        let request = request.get_ref();
        let case_number = convert::review_in::case_number(&request.case_number)?;
        let mobile = convert::review_in::applicant_mobile(&request.applicant_mobile)?;
        let case = self.service.review_status(&case_number, &mobile).await?;
        Ok(Response::new(pb::GetReviewStatusResponse {
            status: Some(convert::review_out::review_status(case)),
        }))
    }
}
