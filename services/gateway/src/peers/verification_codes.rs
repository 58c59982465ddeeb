//! verification-codes: human checks, codes and their proofs.

use beian_common::vocabulary::Channel;
use beian_platform::{
    client::PeerChannel,
    wire::{enums::to_wire, millis},
};
use beian_proto::verification_codes::v1::{
    self as pb, answer_human_check_request::Answer,
    verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
    verification_codes_service_client::VerificationCodesServiceClient,
};

use crate::{
    error::Error,
    model::{
        CodeRequest, CodeSent, HumanAnswer, HumanChallenge, HumanPass, PassToken, TypedCode, client::Client,
    },
};

#[derive(Debug, Clone)]
pub struct VerificationCodes {
    public: VerificationCodesServiceClient<PeerChannel>,
    internal: VerificationCodesInternalServiceClient<PeerChannel>,
}

impl VerificationCodes {
    pub fn new(channel: PeerChannel) -> Self {
        Self {
            public: VerificationCodesServiceClient::new(channel.clone()),
            internal: VerificationCodesInternalServiceClient::new(channel),
        }
    }

    pub async fn create_human_check(&self, client: &Client) -> Result<HumanChallenge, Error> {
        let reply = self
            .public
            .clone()
            .create_human_check(pb::CreateHumanCheckRequest { client_ip: client.ip.to_string() })
            .await?
            .into_inner();
        Ok(HumanChallenge {
            challenge_id: reply.challenge_id,
            background_png: reply.background_png,
            piece_png: reply.piece_png,
            piece_y: reply.piece_y,
            width: reply.width,
            height: reply.height,
            expires_at_ms: reply.expire_time.as_ref().map_or(0, millis),
        })
    }

    pub async fn answer_human_check(&self, client: &Client, answer: HumanAnswer) -> Result<HumanPass, Error> {
        let answer = match answer {
            HumanAnswer::Slider { challenge_id, x, drag_millis } => {
                Answer::Slider(pb::SliderAnswer { challenge_id, x, drag_millis })
            }
            HumanAnswer::VendorToken(token) => Answer::VendorToken(token),
        };
        let reply = self
            .public
            .clone()
            .answer_human_check(pb::AnswerHumanCheckRequest {
                client_ip: client.ip.to_string(),
                answer: Some(answer),
            })
            .await?
            .into_inner();
        Ok(HumanPass { token: reply.pass_token, expires_at_ms: reply.expire_time.as_ref().map_or(0, millis) })
    }

    /// Spends a human-check pass; each passes one step once.
    pub async fn redeem_human_pass(&self, pass: &PassToken) -> Result<(), Error> {
        self.internal
            .clone()
            .redeem_human_check_pass(pb::RedeemHumanCheckPassRequest { pass_token: pass.as_str().to_owned() })
            .await?;
        Ok(())
    }

    /// Sends an SMS code; a retry with the same `request_id` answers the first code.
    pub async fn send_sms_code(&self, request: CodeRequest<'_>, client: &Client) -> Result<CodeSent, Error> {
        self.send_code(Channel::Sms, request, client).await
    }

    /// Sends a code by SMS or email; a retry with the same `request_id` answers the first code.
    pub async fn send_code(
        &self,
        channel: Channel,
        request: CodeRequest<'_>,
        client: &Client,
    ) -> Result<CodeSent, Error> {
        self.send(channel, request, client, false).await
    }

    /// A decoy flow's code: answered, limited and checked as any code, under limits of
    /// its own, never delivered and never correct.
    pub async fn send_decoy_code(
        &self,
        channel: Channel,
        request: CodeRequest<'_>,
        client: &Client,
    ) -> Result<CodeSent, Error> {
        self.send(channel, request, client, true).await
    }

    async fn send(
        &self,
        channel: Channel,
        request: CodeRequest<'_>,
        client: &Client,
        decoy: bool,
    ) -> Result<CodeSent, Error> {
        let reply = self
            .public
            .clone()
            .send_code(pb::SendCodeRequest {
                channel: to_wire(channel),
                destination: request.destination.to_owned(),
                purpose: to_wire(request.purpose),
                client_ip: client.ip.to_string(),
                locale: client.locale.as_str().to_owned(),
                request_id: request.request_id,
                decoy,
            })
            .await?
            .into_inner();
        Ok(CodeSent {
            code_id: reply.code_id,
            masked_destination: reply.masked_destination,
            expires_at_ms: reply.expire_time.as_ref().map_or(0, millis),
            resend_at_ms: reply.resend_time.as_ref().map_or(0, millis),
        })
    }

    /// Checks a code; answers the one-time proof. A retry with the same `request_id`
    /// and code answers the same proof.
    pub async fn check_code(
        &self,
        code_id: &str,
        code: &TypedCode,
        request_id: String,
        client: &Client,
    ) -> Result<String, Error> {
        let reply = self
            .public
            .clone()
            .check_code(pb::CheckCodeRequest {
                code_id: code_id.to_owned(),
                code: code.as_str().to_owned(),
                client_ip: client.ip.to_string(),
                request_id,
            })
            .await?
            .into_inner();
        Ok(reply.proof)
    }
}
