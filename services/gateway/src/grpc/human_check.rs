//! `beian.gateway.v1.HumanCheckService`.

use beian_platform::wire::timestamp;
use beian_proto::gateway::v1::{self as pb, human_check_service_server::HumanCheckService};
use tonic::{Request, Response, Status};

use crate::{context::Client, error::Error, model::HumanAnswer, workflows::Workflows};

#[derive(Debug, Clone)]
pub struct HumanCheckApi {
    workflows: Workflows,
}

impl HumanCheckApi {
    pub fn new(workflows: Workflows) -> Self {
        Self { workflows }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl HumanCheckService for HumanCheckApi {
    async fn create_human_check(
        &self,
        request: Request<pb::CreateHumanCheckRequest>,
    ) -> Reply<pb::CreateHumanCheckResponse> {
        let challenge = self.workflows.create_human_check(&Client::of(&request)).await?;
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
        let client = Client::of(&request);
        let answer = match request.into_inner().answer {
            Some(pb::answer_human_check_request::Answer::Slider(slider)) => {
                if slider.challenge_id.trim().is_empty() {
                    return Err(Error::invalid("slider.challenge_id", "is required").into());
                }
                HumanAnswer::Slider {
                    challenge_id: slider.challenge_id,
                    x: slider.x,
                    drag_millis: slider.drag_millis,
                }
            }
            Some(pb::answer_human_check_request::Answer::VendorToken(token)) if !token.trim().is_empty() => {
                HumanAnswer::VendorToken(token)
            }
            Some(pb::answer_human_check_request::Answer::VendorToken(_)) => {
                return Err(Error::invalid("vendor_token", "is required").into());
            }
            None => return Err(Error::invalid("answer", "give the slider answer or the vendor token").into()),
        };
        let pass = self.workflows.answer_human_check(&client, answer).await?;
        Ok(Response::new(pb::AnswerHumanCheckResponse {
            human_check_token: pass.token,
            expire_time: Some(timestamp(pass.expires_at_ms)),
        }))
    }
}
