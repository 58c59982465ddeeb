//! `beian.gateway.v1.AccountService`.

use beian_platform::wire::{enums::to_wire, required_text, timestamp};
use beian_proto::gateway::v1::{self as pb, account_service_server::AccountService};
use tonic::{Request, Response, Status};

use super::caller;
use crate::{
    error::Error,
    model::account::{AccountView, Credentials},
    workflows::account::Accounts,
};

#[derive(Debug, Clone)]
pub struct AccountApi {
    accounts: Accounts,
}

impl AccountApi {
    pub fn new(accounts: Accounts) -> Self {
        Self { accounts }
    }
}

impl TryFrom<pb::LoginRequest> for Credentials {
    type Error = Error;

    fn try_from(request: pb::LoginRequest) -> Result<Self, Error> {
        let login_name =
            required_text(&request.login_name, 128).map_err(|d| Error::invalid("login_name", d))?.to_owned();
        if request.password.is_empty() {
            return Err(Error::invalid("password", "is required"));
        }
        Ok(Self { login_name, password: request.password })
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountService for AccountApi {
    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginResponse> {
        let client = caller::client(&request)?;
        let credentials = Credentials::try_from(request.into_inner())?;
        let logged_in = self.accounts.login(credentials, &client).await?;
        Ok(Response::new(pb::LoginResponse {
            session_token: logged_in.session_token.expose().to_owned(),
            expire_time: Some(timestamp(logged_in.expires_at_ms)),
            account: Some(my_account(logged_in.account)),
        }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        self.accounts.logout(&caller::session(&request)?).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn get_my_account(
        &self,
        request: Request<pb::GetMyAccountRequest>,
    ) -> Reply<pb::GetMyAccountResponse> {
        let account = self.accounts.signed_in(&caller::session(&request)?).await?;
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
        site: to_wire(account.site),
        masked_mobile: account.masked_mobile,
        masked_email: account.masked_email,
        staff: account.staff,
    }
}
