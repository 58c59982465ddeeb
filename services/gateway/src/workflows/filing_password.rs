//! SPEC §3: recover the filing password (找回备案密码).
//!
//! One step, behind a human check: province, filing number, certificate type and
//! number. On a match filing-registry issues a **new** password (the old one stops
//! working) and sends it by SMS and email to the subject's principal; the answer only
//! says, masked, where it went. Any mismatch is one answer, FILING_NOT_MATCHED, that
//! never names the field. filing-registry caps attempts per filing number and per
//! client address.
//!
//! Enumeration: every attempt spends a fresh human-check pass, then counts against
//! both caps whether it matched or not, so trying certificate numbers against a filing
//! is bounded per filing and per address.
//!
//! Since 2020-08-17 the regulator's new-filing verification accepts any 6 digits
//! (seed 004): no new-filing path asks for the filing password.
//!
//! When mobile and email are both gone: a FILING_PASSWORD review case (2 business
//! days) with identity documents; on approval the new password goes to the contacts
//! given in the case.
//!
//! Each cross-service call that changes something carries an id made here for the
//! request, and is asked again under that id when its answer was lost, so a lost
//! answer never issues a second password nor opens a second case.

use std::future::Future;

use beian_common::vocabulary::{CertificateType, ReviewKind};
use beian_platform::error::Common;
use rand::RngCore;

use crate::{
    error::Error,
    model::{
        MaskedContact, PassToken,
        client::Client,
        reviews::{Applicant, Application, Document, FilingDetails, ReviewTicket},
    },
    peers::{FilingRegistry, IdentityRecovery, VerificationCodes},
    quota::DailyQuota,
};

/// Attempts of a call whose answer was lost (unreachable or too slow) before giving up.
const LOST_ANSWER_ATTEMPTS: u32 = 3;

/// RecoverFilingPassword, validated.
#[derive(Debug, Clone)]
pub struct Recover {
    pub province_code: String,
    /// Canonical subject or website number.
    pub filing_number: String,
    pub certificate_type: CertificateType,
    pub certificate_number: String,
    pub pass: PassToken,
}

/// RequestFilingPasswordReview, validated (documents checked).
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub filing: FilingDetails,
    pub applicant: Applicant,
    pub documents: Vec<Document>,
    pub pass: PassToken,
}

#[derive(Debug, Clone)]
pub struct FilingPassword {
    pub(super) codes: VerificationCodes,
    pub(super) registry: FilingRegistry,
    pub(super) identity: IdentityRecovery,
    pub(super) review_quota: DailyQuota,
}

/// Names one request to a peer (128 random bits, hex).
pub(super) fn request_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}:{}", hex::encode(bytes))
}

/// Calls again, under the same idempotency key, while the answer is lost: the peer does
/// the work once and answers a retry from it.
pub(super) async fn retrying<T, F, Fut>(mut call: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(Error::Common(Common::DependencyUnavailable(cause))) if attempt < LOST_ANSWER_ATTEMPTS => {
                tracing::info!(%cause, attempt, "answer lost; asking again under the same key");
                attempt += 1;
            }
            other => return other,
        }
    }
}

impl FilingPassword {
    /// Spends the pass, then asks filing-registry to issue and send a new password.
    pub async fn recover(&self, request: Recover, client: &Client) -> Result<Vec<MaskedContact>, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        let id = request_id("recover");
        retrying(|| self.registry.recover_filing_password(&request, &id, client)).await
    }

    /// Mobile and email both gone: a review case with documents. Needs a fresh pass and a
    /// request left in the client's daily quota.
    pub async fn request_review(
        &self,
        request: ReviewRequest,
        client: &Client,
    ) -> Result<ReviewTicket, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        self.review_quota.take(client.ip).await?;
        let application = Application {
            kind: ReviewKind::FilingPassword,
            applicant: request.applicant,
            holder_account_id: None,
            domain: String::new(),
            filing: Some(request.filing),
            transfer: None,
            claim: None,
            legacy_login: None,
            description: String::new(),
            documents: request.documents,
        };
        let id = request_id("filing-password-review");
        retrying(|| self.identity.open_review_case(&id, application.clone(), client.locale)).await
    }
}
