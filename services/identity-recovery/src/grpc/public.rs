//! `beian.identity_recovery.v1.IdentityRecoveryService`.

use beian_platform::wire::timestamp;
use beian_proto::identity_recovery::v1::{
    self as pb, identity_recovery_service_server::IdentityRecoveryService,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::{error::Error, service::IdentityRecovery};

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
        let request = request.into_inner();
        let login_name = convert::login_name(&request.login_name)?;
        let password = convert::password(&request.password)?;
        let (session, account) = self.service.login(login_name, password).await?;
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
        _request: Request<pb::CompleteAccountLookupRequest>,
    ) -> Reply<pb::CompleteAccountLookupResponse> {
        Err(Error::NotImplemented("CompleteAccountLookup").into())
    }

    async fn reset_password(
        &self,
        _request: Request<pb::ResetPasswordRequest>,
    ) -> Reply<pb::ResetPasswordResponse> {
        Err(Error::NotImplemented("ResetPassword").into())
    }

    async fn open_review_case(
        &self,
        _request: Request<pb::OpenReviewCaseRequest>,
    ) -> Reply<pb::OpenReviewCaseResponse> {
        Err(Error::NotImplemented("OpenReviewCase").into())
    }

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

    async fn decide_review_case(
        &self,
        _request: Request<pb::DecideReviewCaseRequest>,
    ) -> Reply<pb::DecideReviewCaseResponse> {
        Err(Error::NotImplemented("DecideReviewCase").into())
    }
}
