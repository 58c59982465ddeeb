//! `beian.gateway.v1.LegacyLoginService` (SPEC §2): requests validated into the
//! workflows' domain requests, answers converted back.

use beian_common::{contact::normalise_email, filing_number::is_province_code};
use beian_platform::wire::{enums::required, required_text, timestamp};
use beian_proto::gateway::v1::{self as pb, legacy_login_service_server::LegacyLoginService};
use tonic::{Request, Response, Status};

use super::{
    account_lookup::{applicant, documents, pass_token},
    caller, convert,
    filing_password::filing_details,
};
use crate::{
    error::Error,
    flows::FlowId,
    model::{TypedCode, account::NewPassword, reviews::LegacyLoginDetails},
    workflows::{
        legacy_login_reset::{LegacyLoginReset, Submit},
        legacy_password_reset::{CompleteReset, LegacyPasswordReset, LoginEmail, SendResetCode, StartReset},
        staff_review::ReviewStatus,
    },
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["SubmitLegacyLoginReset"];

#[derive(Debug, Clone)]
pub struct LegacyLoginApi {
    login_reset: LegacyLoginReset,
    password_reset: LegacyPasswordReset,
    review_status: ReviewStatus,
}

impl LegacyLoginApi {
    pub fn new(
        login_reset: LegacyLoginReset,
        password_reset: LegacyPasswordReset,
        review_status: ReviewStatus,
    ) -> Self {
        Self { login_reset, password_reset, review_status }
    }
}

fn email(value: &str, field: &'static str) -> Result<String, Error> {
    normalise_email(value).map_err(|e| Error::invalid(field, e.to_string()))
}

/// A city's or district's code: six digits.
fn six_digits(code: &str, field: &'static str) -> Result<String, Error> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Error::invalid(field, "must be six digits"))
    }
}

/// Everything is checked before anything is spent: a malformed field costs neither the pass
/// nor quota. The whole region is required: the legacy filing's is compared code by code.
impl TryFrom<pb::SubmitLegacyLoginResetRequest> for Submit {
    type Error = Error;

    fn try_from(request: pb::SubmitLegacyLoginResetRequest) -> Result<Self, Error> {
        let region = request.region.unwrap_or_default();
        if !is_province_code(region.province_code.trim()) {
            return Err(Error::invalid("region.province_code", "must be a province's code such as 110000"));
        }
        let city_code = six_digits(&region.city_code, "region.city_code")?;
        let district_code = six_digits(&region.district_code, "region.district_code")?;
        Ok(Self {
            filing: filing_details(
                &region.province_code,
                &request.filing_number,
                request.certificate_type,
                &request.certificate_number,
            )?,
            legacy_login: LegacyLoginDetails {
                nature: required("nature", request.nature)?,
                city_code,
                district_code,
                new_login_email: email(&request.new_login_email, "new_login_email")?,
                applicant_is_principal: request.applicant_is_principal,
            },
            applicant: applicant(request.applicant.unwrap_or_default())?,
            documents: documents(request.documents)?,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

impl TryFrom<pb::StartLegacyPasswordResetRequest> for StartReset {
    type Error = Error;

    fn try_from(request: pb::StartLegacyPasswordResetRequest) -> Result<Self, Error> {
        Ok(Self {
            login_email: LoginEmail(email(&request.legacy_login_email, "legacy_login_email")?),
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

impl TryFrom<pb::CompleteLegacyPasswordResetRequest> for CompleteReset {
    type Error = Error;

    fn try_from(request: pb::CompleteLegacyPasswordResetRequest) -> Result<Self, Error> {
        let flow_id = FlowId::parse(&request.flow_id)?;
        let code = TypedCode::parse(&request.code)
            .ok_or_else(|| Error::invalid("code", "must be the 6 digits of the message"))?;
        let new_password =
            NewPassword::parse(request.new_password).map_err(|d| Error::invalid("new_password", d))?;
        Ok(Self { flow_id, code, new_password })
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl LegacyLoginService for LegacyLoginApi {
    async fn submit_legacy_login_reset(
        &self,
        request: Request<pb::SubmitLegacyLoginResetRequest>,
    ) -> Reply<pb::SubmitLegacyLoginResetResponse> {
        let client = caller::client(&request)?;
        let ticket = self.login_reset.submit(Submit::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::SubmitLegacyLoginResetResponse { ticket: Some(convert::ticket(ticket)) }))
    }

    /// identity-recovery checks the number's shape and normalises the mobile; a wrong
    /// mobile answers REVIEW_CASE_NOT_FOUND exactly like an unknown case.
    async fn get_review_status(
        &self,
        request: Request<pb::GetReviewStatusRequest>,
    ) -> Reply<pb::GetReviewStatusResponse> {
        let client = caller::client(&request)?;
        let request = request.get_ref();
        let case_number =
            required_text(&request.case_number, 32).map_err(|d| Error::invalid("case_number", d))?;
        let mobile = required_text(&request.applicant_mobile, 32)
            .map_err(|d| Error::invalid("applicant_mobile", d))?;
        let ticket = self.review_status.status(case_number, mobile, &client).await?;
        Ok(Response::new(pb::GetReviewStatusResponse { ticket: Some(convert::ticket(ticket)) }))
    }

    async fn start_legacy_password_reset(
        &self,
        request: Request<pb::StartLegacyPasswordResetRequest>,
    ) -> Reply<pb::StartLegacyPasswordResetResponse> {
        let started = self.password_reset.start(StartReset::try_from(request.into_inner())?).await?;
        Ok(Response::new(pb::StartLegacyPasswordResetResponse {
            flow_id: started.flow_id.as_str().to_owned(),
            masked_login_email: started.masked_login_email,
            expire_time: Some(timestamp(started.expires_at_ms)),
        }))
    }

    async fn send_legacy_password_reset_code(
        &self,
        request: Request<pb::SendLegacyPasswordResetCodeRequest>,
    ) -> Reply<pb::SendLegacyPasswordResetCodeResponse> {
        let client = caller::client(&request)?;
        let request = SendResetCode { flow_id: FlowId::parse(&request.get_ref().flow_id)? };
        let sent = self.password_reset.send_code(request, &client).await?;
        Ok(Response::new(pb::SendLegacyPasswordResetCodeResponse { code: Some(convert::code_sent(sent)) }))
    }

    async fn complete_legacy_password_reset(
        &self,
        request: Request<pb::CompleteLegacyPasswordResetRequest>,
    ) -> Reply<pb::CompleteLegacyPasswordResetResponse> {
        let client = caller::client(&request)?;
        self.password_reset.complete(CompleteReset::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::CompleteLegacyPasswordResetResponse {}))
    }
}
