//! `beian.gateway.v1.FilingService`.

use beian_proto::gateway::v1::{self as pb, filing_service_server::FilingService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct FilingApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingService for FilingApi {
    async fn get_my_filing(
        &self,
        _request: Request<pb::GetMyFilingRequest>,
    ) -> Reply<pb::GetMyFilingResponse> {
        Err(Error::not_implemented("GetMyFiling").into())
    }

    async fn check_filing_type(
        &self,
        _request: Request<pb::CheckFilingTypeRequest>,
    ) -> Reply<pb::CheckFilingTypeResponse> {
        Err(Error::not_implemented("CheckFilingType").into())
    }

    async fn change_filing(
        &self,
        _request: Request<pb::ChangeFilingRequest>,
    ) -> Reply<pb::ChangeFilingResponse> {
        Err(Error::not_implemented("ChangeFiling").into())
    }

    async fn abandon_order(
        &self,
        _request: Request<pb::AbandonOrderRequest>,
    ) -> Reply<pb::AbandonOrderResponse> {
        Err(Error::not_implemented("AbandonOrder").into())
    }

    async fn send_cancel_access_code(
        &self,
        _request: Request<pb::SendCancelAccessCodeRequest>,
    ) -> Reply<pb::SendCancelAccessCodeResponse> {
        Err(Error::not_implemented("SendCancelAccessCode").into())
    }

    async fn cancel_access(
        &self,
        _request: Request<pb::CancelAccessRequest>,
    ) -> Reply<pb::CancelAccessResponse> {
        Err(Error::not_implemented("CancelAccess").into())
    }

    async fn deregister(&self, _request: Request<pb::DeregisterRequest>) -> Reply<pb::DeregisterResponse> {
        Err(Error::not_implemented("Deregister").into())
    }
}
