//! SPEC §5, seed 002 §5.2: the offline transfer (备案信息转移, for a holder who cannot
//! log in).
//!
//! One step, behind a human check: the filing number, the subject's nature, the UID of
//! the account the filing moves to, the applicant and the documents the nature needs
//! (individual: ID card and the half-body photo holding it; organisation: the
//! organisation's certificate, the applicant's photo holding it, the applicant's ID card
//! and the sealed authorisation letter). identity-recovery opens an OFFLINE_TRANSFER
//! review case (3 business days) and names every missing document
//! (MATERIALS_INCOMPLETE) or an unknown target (ACCOUNT_NOT_FOUND).
//!
//! Staff's approval runs the transfer in filing-registry through the decision machinery
//! (identity-recovery's effect worker, keyed by the case number); a transfer rule that
//! no longer holds then completes the case with the reason, which the applicant reads in
//! GetReviewStatus.
//!
//! Every attempt spends a fresh pass and one of the client's review requests today; the
//! case is opened under an id made for the request and asked again under it when the
//! answer was lost, so a lost answer never opens a second case.

use beian_common::vocabulary::{Nature, ReviewKind};

use super::filing_password::{request_id, retrying};
use crate::{
    error::Error,
    model::{
        PassToken,
        client::Client,
        reviews::{Applicant, Application, Document, ReviewTicket, TransferDetails},
    },
    peers::{IdentityRecovery, VerificationCodes},
    quota::DailyQuota,
};

/// SubmitOfflineTransfer, validated (documents checked for type and size).
#[derive(Debug, Clone)]
pub struct Submit {
    /// Canonical subject or website number.
    pub filing_number: String,
    pub nature: Nature,
    pub target_account_id: String,
    pub applicant: Applicant,
    pub documents: Vec<Document>,
    pub pass: PassToken,
}

#[derive(Debug, Clone)]
pub struct OfflineTransfer {
    pub(super) codes: VerificationCodes,
    pub(super) identity: IdentityRecovery,
    pub(super) review_quota: DailyQuota,
}

impl OfflineTransfer {
    /// Spends the pass and a request of the client's daily quota, then opens the case.
    pub async fn submit(&self, request: Submit, client: &Client) -> Result<ReviewTicket, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        self.review_quota.take(client.ip).await?;
        let application = Application {
            kind: ReviewKind::OfflineTransfer,
            applicant: request.applicant,
            holder_account_id: None,
            domain: String::new(),
            filing: None,
            transfer: Some(TransferDetails {
                filing_number: request.filing_number,
                nature: request.nature,
                target_account_id: request.target_account_id,
            }),
            claim: None,
            legacy_login: None,
            description: String::new(),
            documents: request.documents,
        };
        let id = request_id("offline-transfer");
        retrying(|| self.identity.open_review_case(&id, application.clone(), client.locale)).await
    }
}
