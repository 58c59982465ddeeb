//! `beian.gateway.v1.FilingTransferService` (SPEC §5): the online transfer of a logged-in
//! holder's subject, and the offline transfer's application; requests validated into the
//! workflows' domain requests, answers converted back.

use beian_common::filing_number::FilingNumber;
use beian_platform::wire::{enums::required, required_text, timestamp};
use beian_proto::gateway::v1::{self as pb, filing_transfer_service_server::FilingTransferService};
use tonic::{Request, Response, Status};

use super::{
    account_lookup::{applicant, documents, pass_token},
    caller, convert, notices,
};
use crate::{
    error::Error,
    flows::FlowId,
    model::TypedCode,
    workflows::filing_transfer::{CompleteTransfer, FilingTransfer},
    workflows::offline_transfer::{OfflineTransfer, Submit},
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitOfflineTransfer"];

/// Longest account UID accepted (identity-recovery's own limit).
const MAX_ACCOUNT_UID_CHARS: usize = 64;
/// Login names are at most this long (identity-recovery's limit).
const MAX_LOGIN_NAME_CHARS: usize = 64;

#[derive(Debug, Clone)]
pub struct FilingTransferApi {
    transfer: FilingTransfer,
    offline: OfflineTransfer,
}

impl FilingTransferApi {
    pub fn new(transfer: FilingTransfer, offline: OfflineTransfer) -> Self {
        Self { transfer, offline }
    }
}

/// Everything is checked before anything is spent: a typo costs neither the pass nor quota.
impl TryFrom<pb::SubmitOfflineTransferRequest> for Submit {
    type Error = Error;

    fn try_from(request: pb::SubmitOfflineTransferRequest) -> Result<Self, Error> {
        let filing_number = FilingNumber::parse(&request.filing_number)
            .map_err(|e| Error::invalid("filing_number", e.to_string()))?;
        let target_account_id = required_text(&request.target_account_uid, MAX_ACCOUNT_UID_CHARS)
            .map_err(|d| Error::invalid("target_account_uid", d))?;
        Ok(Self {
            filing_number: filing_number.to_string(),
            nature: required("nature", request.nature)?,
            target_account_id: target_account_id.to_owned(),
            applicant: applicant(request.applicant.unwrap_or_default())?,
            documents: documents(request.documents)?,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

type Reply<T> = Result<Response<T>, Status>;

fn target_login_name(value: &str) -> Result<String, Error> {
    required_text(value, MAX_LOGIN_NAME_CHARS)
        .map(str::to_owned)
        .map_err(|description| Error::invalid("target_login_name", description))
}

impl TryFrom<pb::CompleteTransferRequest> for CompleteTransfer {
    type Error = Error;

    fn try_from(request: pb::CompleteTransferRequest) -> Result<Self, Error> {
        let code = TypedCode::parse(&request.code)
            .ok_or_else(|| Error::invalid("code", "must be the 6 digits of the SMS"))?;
        Ok(Self {
            flow_id: FlowId::parse(&request.flow_id)?,
            code,
            target_login_name: target_login_name(&request.target_login_name)?,
        })
    }
}

#[tonic::async_trait]
impl FilingTransferService for FilingTransferApi {
    async fn start_transfer(
        &self,
        request: Request<pb::StartTransferRequest>,
    ) -> Reply<pb::StartTransferResponse> {
        let session = caller::session(&request)?;
        let started = self.transfer.start(&session).await?;
        Ok(Response::new(pb::StartTransferResponse {
            flow_id: started.flow_id.as_str().to_owned(),
            filing_number: started.filing_number,
            masked_mobile: started.masked_mobile,
            expire_time: Some(timestamp(started.expires_at_ms)),
        }))
    }

    async fn send_transfer_code(
        &self,
        request: Request<pb::SendTransferCodeRequest>,
    ) -> Reply<pb::SendTransferCodeResponse> {
        let (client, session) = (caller::client(&request)?, caller::session(&request)?);
        let flow_id = FlowId::parse(&request.get_ref().flow_id)?;
        let sent = self.transfer.send_code(&session, &flow_id, &client).await?;
        Ok(Response::new(pb::SendTransferCodeResponse { code: Some(convert::code_sent(sent)) }))
    }

    async fn preview_transfer_target(
        &self,
        request: Request<pb::PreviewTransferTargetRequest>,
    ) -> Reply<pb::PreviewTransferTargetResponse> {
        let (client, session) = (caller::client(&request)?, caller::session(&request)?);
        let flow_id = FlowId::parse(&request.get_ref().flow_id)?;
        let login_name = target_login_name(&request.get_ref().target_login_name)?;
        let masked = self.transfer.preview_target(&session, &flow_id, &login_name).await?;
        Ok(Response::new(pb::PreviewTransferTargetResponse {
            masked_target_mobile: masked,
            notice: notices::transfer_preview(client.locale).to_owned(),
        }))
    }

    async fn complete_transfer(
        &self,
        request: Request<pb::CompleteTransferRequest>,
    ) -> Reply<pb::CompleteTransferResponse> {
        let (client, session) = (caller::client(&request)?, caller::session(&request)?);
        let complete = CompleteTransfer::try_from(request.into_inner())?;
        let done = self.transfer.complete(&session, complete, &client).await?;
        Ok(Response::new(pb::CompleteTransferResponse {
            filing_number: done.filing_number,
            masked_target_login_name: done.masked_target_login_name,
            transfer_time: Some(timestamp(done.transferred_at_ms)),
        }))
    }

    async fn submit_offline_transfer(
        &self,
        request: Request<pb::SubmitOfflineTransferRequest>,
    ) -> Reply<pb::SubmitOfflineTransferResponse> {
        let client = caller::client(&request)?;
        let ticket = self.offline.submit(Submit::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::SubmitOfflineTransferResponse { ticket: Some(convert::ticket(ticket)) }))
    }
}
