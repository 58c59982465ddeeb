//! `beian.gateway.v1.FilingTransferService`.

use beian_proto::gateway::v1::{self as pb, filing_transfer_service_server::FilingTransferService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitOfflineTransfer"];

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct FilingTransferApi;

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
        _request: Request<pb::SubmitOfflineTransferRequest>,
    ) -> Reply<pb::SubmitOfflineTransferResponse> {
        Err(Error::not_implemented("SubmitOfflineTransfer").into())
    }
}
