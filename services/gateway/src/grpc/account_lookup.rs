//! `beian.gateway.v1.AccountLookupService`.

use beian_proto::gateway::v1::{self as pb, account_lookup_service_server::AccountLookupService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct AccountLookupApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountLookupService for AccountLookupApi {
    async fn start_account_lookup(
        &self,
        _request: Request<pb::StartAccountLookupRequest>,
    ) -> Reply<pb::StartAccountLookupResponse> {
        Err(Error::NotImplemented("StartAccountLookup").into())
    }

    async fn send_account_lookup_code(
        &self,
        _request: Request<pb::SendAccountLookupCodeRequest>,
    ) -> Reply<pb::SendAccountLookupCodeResponse> {
        Err(Error::NotImplemented("SendAccountLookupCode").into())
    }

    async fn verify_account_lookup_code(
        &self,
        _request: Request<pb::VerifyAccountLookupCodeRequest>,
    ) -> Reply<pb::VerifyAccountLookupCodeResponse> {
        Err(Error::NotImplemented("VerifyAccountLookupCode").into())
    }

    async fn request_account_lookup_review(
        &self,
        _request: Request<pb::RequestAccountLookupReviewRequest>,
    ) -> Reply<pb::RequestAccountLookupReviewResponse> {
        Err(Error::NotImplemented("RequestAccountLookupReview").into())
    }
}
