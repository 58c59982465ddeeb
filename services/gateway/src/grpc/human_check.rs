//! `beian.gateway.v1.HumanCheckService`.

use beian_platform::wire::timestamp;
use beian_proto::gateway::v1::{
    self as pb, answer_human_check_request::Answer, human_check_service_server::HumanCheckService,
};
use tonic::{Request, Response, Status};

use super::caller;
use crate::{error::Error, model::HumanAnswer, workflows::human_check::HumanCheck};

#[derive(Debug, Clone)]
pub struct HumanCheckApi {
    human_check: HumanCheck,
}

impl HumanCheckApi {
    pub fn new(human_check: HumanCheck) -> Self {
        Self { human_check }
    }
}

impl TryFrom<pb::AnswerHumanCheckRequest> for HumanAnswer {
    type Error = Error;

    fn try_from(request: pb::AnswerHumanCheckRequest) -> Result<Self, Error> {
        match request.answer {
            Some(Answer::Slider(slider)) => {
                if slider.challenge_id.trim().is_empty() {
                    return Err(Error::invalid("slider.challenge_id", "is required"));
                }
                Ok(Self::Slider {
                    challenge_id: slider.challenge_id,
                    x: slider.x,
                    drag_millis: slider.drag_millis,
                })
            }
            Some(Answer::VendorToken(token)) if !token.trim().is_empty() => Ok(Self::VendorToken(token)),
            Some(Answer::VendorToken(_)) => Err(Error::invalid("vendor_token", "is required")),
            None => Err(Error::invalid("answer", "give the slider answer or the vendor token")),
        }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl HumanCheckService for HumanCheckApi {
    async fn create_human_check(
        &self,
        request: Request<pb::CreateHumanCheckRequest>,
    ) -> Reply<pb::CreateHumanCheckResponse> {
        let challenge = self.human_check.create(&caller::client(&request)?).await?;
        Ok(Response::new(pb::CreateHumanCheckResponse {
            challenge_id: challenge.challenge_id,
            background_png: challenge.background_png,
            piece_png: challenge.piece_png,
            piece_y: challenge.piece_y,
            width: challenge.width,
            height: challenge.height,
            expire_time: Some(timestamp(challenge.expires_at_ms)),
        }))
    }

    async fn answer_human_check(
        &self,
        request: Request<pb::AnswerHumanCheckRequest>,
    ) -> Reply<pb::AnswerHumanCheckResponse> {
        let client = caller::client(&request)?;
        let answer = HumanAnswer::try_from(request.into_inner())?;
        let pass = self.human_check.answer(&client, answer).await?;
        Ok(Response::new(pb::AnswerHumanCheckResponse {
            human_check_token: pass.token,
            expire_time: Some(timestamp(pass.expires_at_ms)),
        }))
    }
}
