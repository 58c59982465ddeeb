//! `beian.gateway.v1.AccountLookupService` (SPEC §1): requests validated into the
//! workflow's domain requests, answers converted back.

use beian_common::{
    contact::{normalise_email, normalise_mobile},
    domain_name::normalise_domain,
    vocabulary::{DocumentKind, LegacyAction},
};
use beian_platform::wire::{
    enums::{WireEnum, expected, optional, to_wire},
    required_text, timestamp,
};
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, account_lookup_service_server::AccountLookupService},
};
use tonic::{Request, Response, Status};

use super::{caller, convert, notices};
use crate::{
    error::Error,
    flows::FlowId,
    model::{
        PassToken, TypedCode,
        reviews::{Applicant, Document},
    },
    workflows::account_lookup::{AccountLookup, Method, ReviewRequest, StartLookup, VerifyCode},
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["RequestAccountLookupReview"];

const MAX_NAME_CHARS: usize = 64;
const MAX_CERTIFICATE_CHARS: usize = 32;
const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(Debug, Clone)]
pub struct AccountLookupApi {
    lookup: AccountLookup,
}

impl AccountLookupApi {
    pub fn new(lookup: AccountLookup) -> Self {
        Self { lookup }
    }
}

pub(super) fn pass_token(value: &str) -> Result<PassToken, Error> {
    PassToken::parse(value)
        .ok_or_else(|| Error::invalid("human_check_token", "is required: pass the slider check first"))
}

impl TryFrom<pb::StartAccountLookupRequest> for StartLookup {
    type Error = Error;

    fn try_from(request: pb::StartAccountLookupRequest) -> Result<Self, Error> {
        let domain =
            normalise_domain(&request.domain).map_err(|e| Error::invalid("domain", e.to_string()))?;
        Ok(Self { domain, pass: pass_token(&request.human_check_token)? })
    }
}

impl TryFrom<pb::VerifyAccountLookupCodeRequest> for VerifyCode {
    type Error = Error;

    fn try_from(request: pb::VerifyAccountLookupCodeRequest) -> Result<Self, Error> {
        let code = TypedCode::parse(&request.code)
            .ok_or_else(|| Error::invalid("code", "must be the 6 digits of the SMS"))?;
        Ok(Self { flow_id: FlowId::parse(&request.flow_id)?, code })
    }
}

/// Everything is checked before anything is spent: a typo costs neither the pass nor quota.
/// A missing pass is INVALID_ARGUMENT naming `human_check_token`, as on the first step.
impl TryFrom<pb::RequestAccountLookupReviewRequest> for ReviewRequest {
    type Error = Error;

    fn try_from(request: pb::RequestAccountLookupReviewRequest) -> Result<Self, Error> {
        let flow_id = FlowId::parse(&request.flow_id)?;
        let applicant = applicant(request.applicant.unwrap_or_default())?;
        let description = request.description.trim();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(Error::invalid(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        let documents = documents(request.documents)?;
        Ok(Self {
            flow_id,
            applicant,
            description: description.to_owned(),
            documents,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

/// At most ten, each checked by its bytes (DOCUMENT_REJECTED naming it).
pub(super) fn documents(documents: Vec<common::Document>) -> Result<Vec<Document>, Error> {
    Document::check_count(documents.len())?;
    documents
        .into_iter()
        .enumerate()
        .map(|(index, document)| {
            let kind = DocumentKind::from_wire(document.kind).ok_or_else(|| Error::DocumentRejected {
                field: format!("documents[{index}].kind"),
                description: expected::<DocumentKind>(),
            })?;
            Document::accept(index, kind, &document.content_type, document.content)
        })
        .collect()
}

/// The applicant's contacts are checked here so a typo is caught before the pass is
/// spent; identity-recovery checks the certificate against its type.
pub(super) fn applicant(applicant: common::Applicant) -> Result<Applicant, Error> {
    let name =
        required_text(&applicant.name, MAX_NAME_CHARS).map_err(|d| Error::invalid("applicant.name", d))?;
    let mobile =
        normalise_mobile(&applicant.mobile).map_err(|e| Error::invalid("applicant.mobile", e.to_string()))?;
    let email = match applicant.email.trim() {
        "" => String::new(),
        email => normalise_email(email).map_err(|e| Error::invalid("applicant.email", e.to_string()))?,
    };
    let certificate_number = applicant.certificate_number.trim();
    if certificate_number.chars().count() > MAX_CERTIFICATE_CHARS {
        return Err(Error::invalid(
            "applicant.certificate_number",
            format!("must be at most {MAX_CERTIFICATE_CHARS} characters"),
        ));
    }
    Ok(Applicant {
        name: name.to_owned(),
        certificate_type: optional("applicant.certificate_type", applicant.certificate_type)?,
        certificate_number: certificate_number.to_owned(),
        mobile,
        email,
    })
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountLookupService for AccountLookupApi {
    async fn start_account_lookup(
        &self,
        request: Request<pb::StartAccountLookupRequest>,
    ) -> Reply<pb::StartAccountLookupResponse> {
        let started = self.lookup.start(StartLookup::try_from(request.into_inner())?).await?;
        Ok(Response::new(pb::StartAccountLookupResponse {
            flow_id: started.flow_id.map(|id| id.as_str().to_owned()).unwrap_or_default(),
            methods: started
                .methods
                .iter()
                .map(|m| match m {
                    Method::Sms => pb::LookupMethod::Sms,
                    Method::CustomerService => pb::LookupMethod::CustomerService,
                })
                .map(i32::from)
                .collect(),
            masked_mobile: started.masked_mobile.unwrap_or_default(),
            legacy_action: to_wire(started.legacy.map_or(LegacyAction::None, |l| l.action)),
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
        let client = caller::client(&request)?;
        let flow_id = FlowId::parse(&request.get_ref().flow_id)?;
        let sent = self.lookup.send_code(&flow_id, &client).await?;
        Ok(Response::new(pb::SendAccountLookupCodeResponse { code: Some(convert::code_sent(sent)) }))
    }

    async fn verify_account_lookup_code(
        &self,
        request: Request<pb::VerifyAccountLookupCodeRequest>,
    ) -> Reply<pb::VerifyAccountLookupCodeResponse> {
        let client = caller::client(&request)?;
        let done = self.lookup.verify_code(VerifyCode::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::VerifyAccountLookupCodeResponse {
            masked_login_name: done.masked_login_name,
            sent_to: done.sent_to.into_iter().map(convert::masked_contact).collect(),
            notice: notices::login_name_sent(client.locale).to_owned(),
        }))
    }

    async fn request_account_lookup_review(
        &self,
        request: Request<pb::RequestAccountLookupReviewRequest>,
    ) -> Reply<pb::RequestAccountLookupReviewResponse> {
        let client = caller::client(&request)?;
        let ticket =
            self.lookup.request_review(ReviewRequest::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::RequestAccountLookupReviewResponse { ticket: Some(convert::ticket(ticket)) }))
    }
}
