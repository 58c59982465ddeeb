//! `beian.gateway.v1.HumanCheckService`.

use beian_proto::gateway::v1::{self as pb, human_check_service_server::HumanCheckService};
use tonic::{Request, Response, Status};

use crate::error::Error;

/// Delivered by later issues; every RPC answers UNIMPLEMENTED (NOT_IMPLEMENTED) until then.
#[derive(Debug, Clone, Copy)]
pub struct HumanCheckApi;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl HumanCheckService for HumanCheckApi {
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
}
