//! `beian.verification_codes.v1.VerificationCodesService`.

use beian_platform::wire::{enums::required, timestamp};
use beian_proto::verification_codes::v1::{
    self as pb, verification_codes_service_server::VerificationCodesService,
};
use tonic::{Request, Response, Status};

use super::convert::{self, HumanAnswer};
use crate::{
    codes::{CheckCode, SendCode},
    service::VerificationCodes,
};

#[derive(Debug, Clone)]
pub struct PublicApi {
    service: VerificationCodes,
}

impl PublicApi {
    pub fn new(service: VerificationCodes) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

/// Image sides fit i32 by construction.
fn side(pixels: u32) -> i32 {
    i32::try_from(pixels).unwrap_or(i32::MAX)
}

#[tonic::async_trait]
impl VerificationCodesService for PublicApi {
    async fn create_human_check(
        &self,
        request: Request<pb::CreateHumanCheckRequest>,
    ) -> Reply<pb::CreateHumanCheckResponse> {
        let client = convert::client(&request.get_ref().client_ip)?;
        let challenge = self.service.create_human_check(client).await?;
        Ok(Response::new(pb::CreateHumanCheckResponse {
            challenge_id: challenge.challenge_id,
            background_png: challenge.background_png,
            piece_png: challenge.piece_png,
            piece_y: side(challenge.piece_y),
            width: side(challenge.width),
            height: side(challenge.height),
            expire_time: Some(timestamp(challenge.expires_at_ms)),
        }))
    }

    async fn answer_human_check(
        &self,
        request: Request<pb::AnswerHumanCheckRequest>,
    ) -> Reply<pb::AnswerHumanCheckResponse> {
        let request = request.into_inner();
        let client = convert::client(&request.client_ip)?;
        let pass = match convert::human_answer(request.answer)? {
            HumanAnswer::Slider { challenge_id, answer } => {
                self.service.answer_slider(&challenge_id, answer, client).await?
            }
            HumanAnswer::Vendor(token) => self.service.answer_vendor(&token, client).await?,
        };
        Ok(Response::new(pb::AnswerHumanCheckResponse {
            pass_token: pass.token,
            expire_time: Some(timestamp(pass.expires_at_ms)),
        }))
    }

    async fn send_code(&self, request: Request<pb::SendCodeRequest>) -> Reply<pb::SendCodeResponse> {
        let request = request.into_inner();
        let channel = required("channel", request.channel)?;
        let send = SendCode {
            request_id: convert::request_id(&request.request_id)?,
            destination: match convert::destination(channel, &request.destination)? {
                destination if request.decoy => destination.into_decoy(),
                destination => destination,
            },
            purpose: required("purpose", request.purpose)?,
            client: convert::client(&request.client_ip)?,
            locale: convert::locale(&request.locale)?,
        };
        let sent = self.service.send_code(send).await?;
        Ok(Response::new(pb::SendCodeResponse {
            code_id: sent.code_id,
            masked_destination: sent.masked_destination,
            expire_time: Some(timestamp(sent.expires_at_ms)),
            resend_time: Some(timestamp(sent.resend_at_ms)),
        }))
    }

    async fn check_code(&self, request: Request<pb::CheckCodeRequest>) -> Reply<pb::CheckCodeResponse> {
        let request = request.into_inner();
        let check = CheckCode {
            code_id: convert::code_id(&request.code_id)?,
            digits: convert::code(&request.code)?,
            request_id: convert::request_id(&request.request_id)?,
        };
        // Required by the contract, so checked; checks are capped per code and destination, not per client.
        convert::client(&request.client_ip)?;
        let issued = self.service.check_code(&check).await?;
        Ok(Response::new(pb::CheckCodeResponse {
            proof: issued.proof,
            proof_expire_time: Some(timestamp(issued.expires_at_ms)),
        }))
    }
}
