//! `beian.gateway.v1.FilingPasswordService` (SPEC §3): requests validated into the
//! workflow's domain requests, answers converted back.

use beian_common::{
    contact::normalise_certificate_number,
    filing_number::{FilingNumber, is_province_code},
};
use beian_platform::wire::enums::required;
use beian_proto::gateway::v1::{self as pb, filing_password_service_server::FilingPasswordService};
use tonic::{Request, Response, Status};

use super::{
    account_lookup::{applicant, documents, pass_token},
    caller, convert, notices,
};
use crate::{
    error::Error,
    model::reviews::FilingDetails,
    workflows::filing_password::{FilingPassword, Recover, ReviewRequest},
};

/// The RPCs of this service that take documents (see `limits`).
pub const DOCUMENT_RPCS: &[&str] = &["RequestFilingPasswordReview"];

const MAX_CERTIFICATE_CHARS: usize = 32;

#[derive(Debug, Clone)]
pub struct FilingPasswordApi {
    workflow: FilingPassword,
}

impl FilingPasswordApi {
    pub fn new(workflow: FilingPassword) -> Self {
        Self { workflow }
    }
}

/// Province, number and certificate as typed: checked for form only (whether they match
/// a filing is the registry's answer, after the pass is spent).
pub(super) fn filing_details(
    province_code: &str,
    filing_number: &str,
    certificate_type: i32,
    certificate_number: &str,
) -> Result<FilingDetails, Error> {
    let province_code = province_code.trim();
    if !is_province_code(province_code) {
        return Err(Error::invalid("province_code", "must be a province's code such as 110000"));
    }
    let filing_number =
        FilingNumber::parse(filing_number).map_err(|e| Error::invalid("filing_number", e.to_string()))?;
    let certificate_number = normalise_certificate_number(certificate_number);
    if certificate_number.is_empty() || certificate_number.chars().count() > MAX_CERTIFICATE_CHARS {
        return Err(Error::invalid(
            "certificate_number",
            format!("is required, at most {MAX_CERTIFICATE_CHARS} characters"),
        ));
    }
    Ok(FilingDetails {
        filing_number: filing_number.to_string(),
        province_code: province_code.to_owned(),
        certificate_type: required("certificate_type", certificate_type)?,
        certificate_number,
    })
}

impl TryFrom<pb::RecoverFilingPasswordRequest> for Recover {
    type Error = Error;

    fn try_from(request: pb::RecoverFilingPasswordRequest) -> Result<Self, Error> {
        let filing = filing_details(
            &request.province_code,
            &request.filing_number,
            request.certificate_type,
            &request.certificate_number,
        )?;
        Ok(Self {
            province_code: filing.province_code,
            filing_number: filing.filing_number,
            certificate_type: filing.certificate_type,
            certificate_number: filing.certificate_number,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

/// Everything is checked before anything is spent: a typo costs neither the pass nor quota.
impl TryFrom<pb::RequestFilingPasswordReviewRequest> for ReviewRequest {
    type Error = Error;

    fn try_from(request: pb::RequestFilingPasswordReviewRequest) -> Result<Self, Error> {
        Ok(Self {
            filing: filing_details(
                &request.province_code,
                &request.filing_number,
                request.certificate_type,
                &request.certificate_number,
            )?,
            applicant: applicant(request.applicant.unwrap_or_default())?,
            documents: documents(request.documents)?,
            pass: pass_token(&request.human_check_token)?,
        })
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingPasswordService for FilingPasswordApi {
    async fn recover_filing_password(
        &self,
        request: Request<pb::RecoverFilingPasswordRequest>,
    ) -> Reply<pb::RecoverFilingPasswordResponse> {
        let client = caller::client(&request)?;
        let sent = self.workflow.recover(Recover::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::RecoverFilingPasswordResponse {
            sent_to: sent.into_iter().map(convert::masked_contact).collect(),
            notice: notices::filing_password_sent(client.locale).to_owned(),
        }))
    }

    async fn request_filing_password_review(
        &self,
        request: Request<pb::RequestFilingPasswordReviewRequest>,
    ) -> Reply<pb::RequestFilingPasswordReviewResponse> {
        let client = caller::client(&request)?;
        let ticket =
            self.workflow.request_review(ReviewRequest::try_from(request.into_inner())?, &client).await?;
        Ok(Response::new(pb::RequestFilingPasswordReviewResponse { ticket: Some(convert::ticket(ticket)) }))
    }
}
