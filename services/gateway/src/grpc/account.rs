//! `beian.gateway.v1.AccountService`.

use beian_platform::wire::{
    enums::{required, to_wire},
    required_text, timestamp,
};
use beian_proto::gateway::v1::{self as pb, account_service_server::AccountService};
use tonic::{Request, Response, Status};

use super::{caller, convert};
use crate::{
    error::Error,
    flows::FlowId,
    model::{
        PassToken, TypedCode,
        account::{AccountView, Credentials, NewPassword},
    },
    workflows::{
        account::Accounts,
        password_reset::{CompleteReset, PasswordReset, SendResetCode, StartReset},
    },
};

#[derive(Debug, Clone)]
pub struct AccountApi {
    accounts: Accounts,
    reset: PasswordReset,
}

impl AccountApi {
    pub fn new(accounts: Accounts, reset: PasswordReset) -> Self {
        Self { accounts, reset }
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

impl TryFrom<pb::StartPasswordResetRequest> for StartReset {
    type Error = Error;

    fn try_from(request: pb::StartPasswordResetRequest) -> Result<Self, Error> {
        let login_name =
            required_text(&request.login_name, 128).map_err(|d| Error::invalid("login_name", d))?.to_owned();
        let pass = PassToken::parse(&request.human_check_token)
            .ok_or_else(|| Error::invalid("human_check_token", "is required: pass the slider check first"))?;
        Ok(Self { login_name, pass })
    }
}

impl TryFrom<pb::SendPasswordResetCodeRequest> for SendResetCode {
    type Error = Error;

    fn try_from(request: pb::SendPasswordResetCodeRequest) -> Result<Self, Error> {
        Ok(Self { flow_id: FlowId::parse(&request.flow_id)?, channel: required("channel", request.channel)? })
    }
}

impl TryFrom<pb::CompletePasswordResetRequest> for CompleteReset {
    type Error = Error;

    fn try_from(request: pb::CompletePasswordResetRequest) -> Result<Self, Error> {
        let flow_id = FlowId::parse(&request.flow_id)?;
        let code = TypedCode::parse(&request.code)
            .ok_or_else(|| Error::invalid("code", "must be the 6 digits of the message"))?;
        let new_password =
            NewPassword::parse(request.new_password).map_err(|d| Error::invalid("new_password", d))?;
        Ok(Self { flow_id, code, new_password })
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
        request: Request<pb::StartPasswordResetRequest>,
    ) -> Reply<pb::StartPasswordResetResponse> {
        let started = self.reset.start(StartReset::try_from(request.into_inner())?).await?;
        Ok(Response::new(pb::StartPasswordResetResponse {
            flow_id: started.flow_id.as_str().to_owned(),
            contacts: started.contacts.into_iter().map(convert::masked_contact).collect(),
            expire_time: Some(timestamp(started.expires_at_ms)),
        }))
    }

    async fn send_password_reset_code(
        &self,
        request: Request<pb::SendPasswordResetCodeRequest>,
    ) -> Reply<pb::SendPasswordResetCodeResponse> {
        let client = caller::client(&request)?;
        let sent = self.reset.send_code(SendResetCode::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::SendPasswordResetCodeResponse { code: Some(convert::code_sent(sent)) }))
    }

    async fn complete_password_reset(
        &self,
        request: Request<pb::CompletePasswordResetRequest>,
    ) -> Reply<pb::CompletePasswordResetResponse> {
        let client = caller::client(&request)?;
        self.reset.complete(CompleteReset::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::CompletePasswordResetResponse {}))
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
