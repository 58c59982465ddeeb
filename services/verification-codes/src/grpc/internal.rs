//! `beian.verification_codes.v1.VerificationCodesInternalService`: suite callers only.

use beian_platform::wire::enums::{required, to_wire};
use beian_proto::verification_codes::v1::{
    self as pb, verification_codes_internal_service_server::VerificationCodesInternalService,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::{proofs::Redeem, service::VerificationCodes};

#[derive(Debug, Clone)]
pub struct InternalApi {
    service: VerificationCodes,
}

impl InternalApi {
    pub fn new(service: VerificationCodes) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl VerificationCodesInternalService for InternalApi {
    async fn redeem_human_check_pass(
        &self,
        request: Request<pb::RedeemHumanCheckPassRequest>,
    ) -> Reply<pb::RedeemHumanCheckPassResponse> {
        let token = convert::pass_token(&request.get_ref().pass_token)?;
        self.service.redeem_pass(&token).await?;
        Ok(Response::new(pb::RedeemHumanCheckPassResponse {}))
    }

    async fn redeem_proof(&self, request: Request<pb::RedeemProofRequest>) -> Reply<pb::RedeemProofResponse> {
        let request = request.into_inner();
        let redeem = Redeem {
            proof: convert::proof(&request.proof)?,
            purpose: required("purpose", request.purpose)?,
            destination: convert::optional_destination(&request.destination)?,
            redemption_key: convert::redemption_key(&request.redemption_key)?,
            notices: convert::notices(request.notices)?,
        };
        let redeemed = self.service.redeem_proof(redeem).await?;
        Ok(Response::new(pb::RedeemProofResponse {
            channel: to_wire(redeemed.channel),
            destination: redeemed.destination.address().to_owned(),
            purpose: to_wire(redeemed.purpose),
        }))
    }

    async fn enqueue_notice(
        &self,
        request: Request<pb::EnqueueNoticeRequest>,
    ) -> Reply<pb::EnqueueNoticeResponse> {
        let enqueue = convert::enqueue_notice(request.into_inner())?;
        let message_id = self.service.enqueue_notice(enqueue).await?;
        Ok(Response::new(pb::EnqueueNoticeResponse { message_id }))
    }
}
