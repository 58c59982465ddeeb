//! `beian.gateway.v1.AccountLookupService` (SPEC §1).

use beian_platform::wire::timestamp;
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, account_lookup_service_server::AccountLookupService},
    identity_recovery::v1 as identity,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::{
    context::Client,
    lookup::Method,
    model::{CodeSent, LegacyAction},
    reviews,
    workflows::Workflows,
};

#[derive(Debug, Clone)]
pub struct AccountLookupApi {
    workflows: Workflows,
}

impl AccountLookupApi {
    pub fn new(workflows: Workflows) -> Self {
        Self { workflows }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountLookupService for AccountLookupApi {
    async fn start_account_lookup(
        &self,
        request: Request<pb::StartAccountLookupRequest>,
    ) -> Reply<pb::StartAccountLookupResponse> {
        let request = request.into_inner();
        let started =
            self.workflows.start_account_lookup(&request.domain, &request.human_check_token).await?;
        Ok(Response::new(pb::StartAccountLookupResponse {
            flow_id: started.flow_id.unwrap_or_default(),
            methods: started
                .methods
                .iter()
                .map(|m| match m {
                    Method::Sms => pb::LookupMethod::Sms as i32,
                    Method::CustomerService => pb::LookupMethod::CustomerService as i32,
                })
                .collect(),
            masked_mobile: started.masked_mobile.unwrap_or_default(),
            legacy_action: started.legacy.map_or(common::LegacyAction::None, |l| legacy_action(l.action))
                as i32,
            legacy_submitted_on: started.legacy.map(|l| common::CalendarDate {
                year: l.submitted_on.0,
                month: l.submitted_on.1,
                day: l.submitted_on.2,
            }),
            expire_time: Some(timestamp(started.expires_at_ms)),
        }))
    }

    async fn send_account_lookup_code(
        &self,
        request: Request<pb::SendAccountLookupCodeRequest>,
    ) -> Reply<pb::SendAccountLookupCodeResponse> {
        let client = Client::of(&request);
        let sent = self.workflows.send_account_lookup_code(&request.get_ref().flow_id, &client).await?;
        Ok(Response::new(pb::SendAccountLookupCodeResponse { code: Some(code_sent(sent)) }))
    }

    async fn verify_account_lookup_code(
        &self,
        request: Request<pb::VerifyAccountLookupCodeRequest>,
    ) -> Reply<pb::VerifyAccountLookupCodeResponse> {
        let client = Client::of(&request);
        let request = request.into_inner();
        let done =
            self.workflows.verify_account_lookup_code(&request.flow_id, &request.code, &client).await?;
        Ok(Response::new(pb::VerifyAccountLookupCodeResponse {
            masked_login_name: done.masked_login_name,
            sent_to: done.sent_to.into_iter().map(convert::masked_contact).collect(),
        }))
    }

    async fn request_account_lookup_review(
        &self,
        request: Request<pb::RequestAccountLookupReviewRequest>,
    ) -> Reply<pb::RequestAccountLookupReviewResponse> {
        let client = Client::of(&request);
        let request = request.into_inner();
        let domain = self.workflows.account_lookup_domain(&request.flow_id).await?;
        let application = reviews::Application {
            kind: common::ReviewKind::AccountLookup,
            applicant: request.applicant,
            subject: identity::ReviewSubject {
                domain,
                description: request.description,
                ..identity::ReviewSubject::default()
            },
            documents: request.documents,
        };
        let case = reviews::open(&self.workflows.peers, application, &client).await?;
        Ok(Response::new(pb::RequestAccountLookupReviewResponse { ticket: Some(convert::ticket(&case)) }))
    }
}

fn code_sent(sent: CodeSent) -> pb::CodeSent {
    pb::CodeSent {
        masked_destination: sent.masked_destination,
        expire_time: Some(timestamp(sent.expires_at_ms)),
        resend_time: Some(timestamp(sent.resend_at_ms)),
    }
}

fn legacy_action(action: LegacyAction) -> common::LegacyAction {
    match action {
        LegacyAction::None => common::LegacyAction::None,
        LegacyAction::Claim => common::LegacyAction::Claim,
        LegacyAction::Import => common::LegacyAction::Import,
        LegacyAction::AlreadyMigrated => common::LegacyAction::AlreadyMigrated,
        LegacyAction::MovedAway => common::LegacyAction::MovedAway,
    }
}
