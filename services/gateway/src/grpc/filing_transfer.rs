//! `beian.gateway.v1.FilingTransferService` (SPEC §5): requests validated into the
//! workflows' domain requests, answers converted back.

use beian_common::filing_number::FilingNumber;
use beian_platform::wire::{enums::required, required_text};
use beian_proto::gateway::v1::{self as pb, filing_transfer_service_server::FilingTransferService};
use tonic::{Request, Response, Status};

use super::{
    account_lookup::{applicant, documents, pass_token},
    caller, convert,
};
use crate::{
    error::Error,
    workflows::offline_transfer::{OfflineTransfer, Submit},
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitOfflineTransfer"];

/// Longest account UID accepted (identity-recovery's own limit).
const MAX_ACCOUNT_UID_CHARS: usize = 64;

#[derive(Debug, Clone)]
pub struct FilingTransferApi {
    offline: OfflineTransfer,
}

impl FilingTransferApi {
    pub fn new(offline: OfflineTransfer) -> Self {
        Self { offline }
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

#[tonic::async_trait]
impl FilingTransferService for FilingTransferApi {
    async fn start_transfer(
        &self,
        _request: Request<pb::StartTransferRequest>,
    ) -> Reply<pb::StartTransferResponse> {
        Err(Error::not_implemented("StartTransfer").into())
    }

    async fn send_transfer_code(
        &self,
        _request: Request<pb::SendTransferCodeRequest>,
    ) -> Reply<pb::SendTransferCodeResponse> {
        Err(Error::not_implemented("SendTransferCode").into())
    }

    async fn preview_transfer_target(
        &self,
        _request: Request<pb::PreviewTransferTargetRequest>,
    ) -> Reply<pb::PreviewTransferTargetResponse> {
        Err(Error::not_implemented("PreviewTransferTarget").into())
    }

    async fn complete_transfer(
        &self,
        _request: Request<pb::CompleteTransferRequest>,
    ) -> Reply<pb::CompleteTransferResponse> {
        Err(Error::not_implemented("CompleteTransfer").into())
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
