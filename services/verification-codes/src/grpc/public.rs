//! `beian.verification_codes.v1.VerificationCodesService`.

use beian_proto::verification_codes::v1::{
    self as pb, verification_codes_service_server::VerificationCodesService,
};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by issue #3; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct PublicApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl VerificationCodesService for PublicApi {
    async fn create_human_check(
        &self,
        _request: Request<pb::CreateHumanCheckRequest>,
    ) -> Reply<pb::CreateHumanCheckResponse> {
        Err(Error::NotImplemented("CreateHumanCheck").into())
    }

    async fn answer_human_check(
        &self,
        _request: Request<pb::AnswerHumanCheckRequest>,
    ) -> Reply<pb::AnswerHumanCheckResponse> {
        Err(Error::NotImplemented("AnswerHumanCheck").into())
    }

    async fn send_code(&self, _request: Request<pb::SendCodeRequest>) -> Reply<pb::SendCodeResponse> {
        Err(Error::NotImplemented("SendCode").into())
    }

    async fn check_code(&self, _request: Request<pb::CheckCodeRequest>) -> Reply<pb::CheckCodeResponse> {
        Err(Error::NotImplemented("CheckCode").into())
    }
}
