//! SPEC §2, seeds 000/001/002 §5.1: 备案账号邮箱初始化, for a legacy user who lost the
//! legacy login email.
//!
//! One step, behind a human check: the filing (number, region, certificate), the subject's
//! nature, the new login email, the applicant and the documents the nature needs
//! (individual: ID card front and back, the half-body photo holding it; organisation: the
//! half-body photo holding the organisation's certificate, ID card front and back, and the
//! sealed authorisation letter unless the applicant is the subject's or a website's
//! principal). identity-recovery opens a LEGACY_LOGIN_RESET case (2 business days) and
//! names every missing document (MATERIALS_INCOMPLETE).
//!
//! Before the case opens, legacy-migration checks the details against the legacy filing of
//! that number (`CheckLegacyFilingDetails`): none, or a region (all three codes), nature,
//! certificate type or number that differs, is FILING_NOT_MATCHED, one answer that never
//! says which (as filing-password recovery), and no case. `applicant_is_principal` is not
//! taken as sent: it stands only when the applicant's name is the legacy filing's
//! principal's (the legacy record holds no principal's certificate number and no website
//! principals to compare further); otherwise the case is asked for as the applicant's who
//! is not the principal, so identity-recovery names the missing AUTHORISATION_LETTER
//! (MATERIALS_INCOMPLETE), or opens it when the letter came anyway.
//!
//! Staff's approval has legacy-migration replace the login email (identity-recovery's
//! effect worker, keyed by the case number; the old email stops finding the login) and
//! tells the new email; the user then sets a password through `legacy_password_reset`.
//!
//! Every attempt spends a fresh pass and one of the client's review requests today, a
//! mismatch included: the check tells whether a certificate number is a filing's, so
//! guesses at it are bounded per client address as filing-password recovery bounds them.
//! The case is opened under an id made for the request and asked again under it when the
//! answer was lost, so a lost answer never opens a second case.

use beian_common::vocabulary::ReviewKind;

use super::filing_password::{request_id, retrying};
use crate::{
    error::Error,
    model::{
        PassToken,
        client::Client,
        reviews::{Applicant, Application, Document, FilingDetails, LegacyLoginDetails, ReviewTicket},
    },
    peers::{IdentityRecovery, LegacyMigration, VerificationCodes},
    quota::DailyQuota,
};

/// SubmitLegacyLoginReset, validated (documents checked for type and size).
#[derive(Debug, Clone)]
pub struct Submit {
    pub filing: FilingDetails,
    pub legacy_login: LegacyLoginDetails,
    pub applicant: Applicant,
    pub documents: Vec<Document>,
    pub pass: PassToken,
}

#[derive(Debug, Clone)]
pub struct LegacyLoginReset {
    pub(super) codes: VerificationCodes,
    /// Checks the filing against the legacy record.
    pub(super) legacy: LegacyMigration,
    pub(super) identity: IdentityRecovery,
    pub(super) review_quota: DailyQuota,
}

impl LegacyLoginReset {
    /// Spends the pass and a request of the client's daily quota, checks the details
    /// against the legacy filing (FILING_NOT_MATCHED) and whether the applicant is its
    /// principal, then opens the case.
    pub async fn submit(&self, request: Submit, client: &Client) -> Result<ReviewTicket, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        self.review_quota.take(client.ip).await?;
        let on_record = retrying(|| {
            self.legacy.check_login_reset(&request.filing, &request.legacy_login, &request.applicant.name)
        })
        .await?;
        let mut legacy_login = request.legacy_login;
        if legacy_login.applicant_is_principal && !on_record {
            tracing::info!(
                filing_number = %request.filing.filing_number,
                "applicant is not the legacy filing's principal: the authorisation letter is needed"
            );
            legacy_login.applicant_is_principal = false;
        }
        let application = Application {
            kind: ReviewKind::LegacyLoginReset,
            applicant: request.applicant,
            holder_account_id: None,
            domain: String::new(),
            filing: Some(request.filing),
            transfer: None,
            legacy_login: Some(legacy_login),
            claim: None,
            description: String::new(),
            documents: request.documents,
        };
        let id = request_id("legacy-login-reset");
        retrying(|| self.identity.open_review_case(&id, application.clone(), client.locale)).await
    }
}
