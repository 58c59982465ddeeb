//! `beian.verification_codes.v1.VerificationCodesInternalService`: suite callers only.

use beian_proto::verification_codes::v1::{
    self as pb, verification_codes_internal_service_server::VerificationCodesInternalService,
};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by issue #3; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct InternalApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl VerificationCodesInternalService for InternalApi {
    async fn redeem_human_check_pass(
        &self,
        _request: Request<pb::RedeemHumanCheckPassRequest>,
    ) -> Reply<pb::RedeemHumanCheckPassResponse> {
        Err(Error::NotImplemented("RedeemHumanCheckPass").into())
    }

    async fn redeem_proof(
        &self,
        _request: Request<pb::RedeemProofRequest>,
    ) -> Reply<pb::RedeemProofResponse> {
        Err(Error::NotImplemented("RedeemProof").into())
    }

    async fn enqueue_notice(
        &self,
        _request: Request<pb::EnqueueNoticeRequest>,
    ) -> Reply<pb::EnqueueNoticeResponse> {
        Err(Error::NotImplemented("EnqueueNotice").into())
    }
}
