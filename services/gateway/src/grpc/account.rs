//! `beian.gateway.v1.AccountService`.

use beian_platform::wire::{required_text, timestamp};
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, account_service_server::AccountService},
};
use tonic::{Request, Response, Status};

use crate::{
    account::{AccountView, Site},
    error::Error,
    workflows::Workflows,
};

#[derive(Debug, Clone)]
pub struct AccountApi {
    workflows: Workflows,
}

impl AccountApi {
    pub fn new(workflows: Workflows) -> Self {
        Self { workflows }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountService for AccountApi {
    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginResponse> {
        let client_ip = request.remote_addr().map(|a| a.ip().to_string()).unwrap_or_default();
        let request = request.into_inner();
        let login_name =
            required_text(&request.login_name, 128).map_err(|d| Error::invalid("login_name", d))?;
        if request.password.is_empty() {
            return Err(Error::invalid("password", "is required").into());
        }
        let logged_in = self.workflows.login(login_name, &request.password, &client_ip).await?;
        Ok(Response::new(pb::LoginResponse {
            session_token: logged_in.session_token,
            expire_time: Some(timestamp(logged_in.expires_at_ms)),
            account: Some(my_account(logged_in.account)),
        }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        self.workflows.logout(request.metadata()).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn get_my_account(
        &self,
        request: Request<pb::GetMyAccountRequest>,
    ) -> Reply<pb::GetMyAccountResponse> {
        let account = self.workflows.my_account(request.metadata()).await?;
        Ok(Response::new(pb::GetMyAccountResponse { account: Some(my_account(account)) }))
    }

    async fn start_password_reset(
        &self,
        _request: Request<pb::StartPasswordResetRequest>,
    ) -> Reply<pb::StartPasswordResetResponse> {
        Err(Error::not_implemented("StartPasswordReset").into())
    }

    async fn send_password_reset_code(
        &self,
        _request: Request<pb::SendPasswordResetCodeRequest>,
    ) -> Reply<pb::SendPasswordResetCodeResponse> {
        Err(Error::not_implemented("SendPasswordResetCode").into())
    }

    async fn complete_password_reset(
        &self,
        _request: Request<pb::CompletePasswordResetRequest>,
    ) -> Reply<pb::CompletePasswordResetResponse> {
        Err(Error::not_implemented("CompletePasswordReset").into())
    }
}

fn my_account(account: AccountView) -> pb::MyAccount {
    pb::MyAccount {
        masked_login_name: account.masked_login_name,
        site: match account.site {
            Site::Cn => common::Site::Cn,
            Site::Intl => common::Site::Intl,
        } as i32,
        masked_mobile: account.masked_mobile,
        masked_email: account.masked_email,
        staff: account.staff,
    }
}
