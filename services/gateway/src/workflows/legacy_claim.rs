//! SPEC §4, seed 002 §6.1: claim a legacy filing (认领原万网备案), for a logged-in caller.
//!
//! StartLegacyClaim: region, nature, certificate type and number, domain and a fresh
//! human-check pass. legacy-migration recognises the filing (MatchFilingDetails: the subject
//! details, and the domain among its websites'); only one submitted before 2010-06-01, never
//! moved to another provider and never migrated is 认领备案. The answer is its masked summary
//! and a flow. Refusals: no such filing (LEGACY_FILING_NOT_FOUND), one of the import band
//! (LEGACY_FILING_MUST_BE_IMPORTED), moved away, migrated or after the cut-over
//! (CLAIM_NOT_ELIGIBLE), an account that holds a subject already (ACCOUNT_HOLDS_OTHER_SUBJECT:
//! one account, one subject).
//!
//! SubmitLegacyClaim: the documents (ID card front and back for an individual, the
//! organisation's certificate for an organisation; identity-recovery names each missing one,
//! MATERIALS_INCOMPLETE) and the applicant's name → a LEGACY_CLAIM case due within 1 business
//! day, opened under `<flow_id>:review`, so a retry answers the case it opened. The applicant's
//! contacts are the account's. Staff's approval adopts the subject into the account
//! (legacy-migration's CompleteClaim, keyed by the case number).
//!
//! The flow keeps the typed certificate number until the case is opened (identity-recovery
//! needs it in the case; flows live 30 minutes and are swept). Only the account that started
//! a flow may use it.

use beian_common::vocabulary::{LegacyAction, ReviewKind};
use beian_platform::status::ErrorReason;
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    flows::{Flow, FlowId, FlowKind, FlowState, Flows},
    model::{
        PassToken,
        account::SessionToken,
        client::Client,
        new_filing::{LegacySummary, NewFilingDetails},
        reviews::{Applicant, Application, ClaimDetails, Document, ReviewTicket},
    },
    peers::{FilingRegistry, IdentityRecovery, LegacyMigration, VerificationCodes},
};

/// StartLegacyClaim, validated.
#[derive(Debug, Clone)]
pub struct StartClaim {
    pub details: NewFilingDetails,
    pub pass: PassToken,
}

/// SubmitLegacyClaim, validated (documents checked for type and size).
#[derive(Debug, Clone)]
pub struct SubmitClaim {
    pub flow_id: FlowId,
    pub applicant_name: String,
    pub documents: Vec<Document>,
}

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecognised {
    pub flow_id: FlowId,
    pub summary: LegacySummary,
    pub expires_at_ms: i64,
}

/// What a claim flow remembers between its steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimFlow {
    account_id: String,
    domain: String,
    claim: ClaimDetails,
    step: ClaimStep,
}

/// Recognised (the summary shown), then submitted with the case it opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "SCREAMING_SNAKE_CASE")]
enum ClaimStep {
    Recognised,
    Submitted { ticket: ReviewTicket },
}

impl FlowState for ClaimFlow {
    const KIND: FlowKind = FlowKind::LegacyClaim;

    fn step(&self) -> &'static str {
        match self.step {
            ClaimStep::Recognised => "RECOGNISED",
            ClaimStep::Submitted { .. } => "SUBMITTED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LegacyClaim {
    pub(super) codes: VerificationCodes,
    pub(super) identity: IdentityRecovery,
    pub(super) registry: FilingRegistry,
    pub(super) legacy: LegacyMigration,
    pub(super) flows: Flows,
}

impl LegacyClaim {
    /// Step 1: spends the pass, then recognises the filing as 认领备案 or refuses it.
    pub async fn start(&self, session: &SessionToken, request: StartClaim) -> Result<ClaimRecognised, Error> {
        let account = self.identity.resolve_session(session).await?;
        self.codes.redeem_human_pass(&request.pass).await?;
        let details = &request.details;
        let (legacy, registry) = futures::try_join!(
            self.legacy.match_details(details),
            self.registry.match_subject_details(&account.account_id, details)
        )?;
        let found = legacy
            .filter(|found| found.domain_matches)
            .ok_or(Error::ClaimRefused(ErrorReason::LegacyFilingNotFound))?;
        match found.action {
            LegacyAction::Claim => {}
            LegacyAction::Import => return Err(Error::ClaimRefused(ErrorReason::LegacyFilingMustBeImported)),
            LegacyAction::MovedAway | LegacyAction::AlreadyMigrated | LegacyAction::None => {
                return Err(Error::ClaimRefused(ErrorReason::ClaimNotEligible));
            }
        }
        if registry.holds_subject {
            return Err(Error::NewFilingRule(ErrorReason::AccountHoldsOtherSubject));
        }
        let claim = ClaimDetails {
            filing_number: found.summary.filing_number.clone(),
            nature: details.nature,
            region: details.region.clone(),
            certificate_type: details.certificate_type,
            certificate_number: details.certificate_number.clone(),
        };
        let flow = self
            .flows
            .create(ClaimFlow {
                account_id: account.account_id,
                domain: details.domain.clone(),
                claim,
                step: ClaimStep::Recognised,
            })
            .await?;
        Ok(ClaimRecognised { flow_id: flow.id, summary: found.summary, expires_at_ms: flow.expires_at_ms })
    }

    /// Step 2: the documents → a LEGACY_CLAIM case; a retry answers the case it opened.
    pub async fn submit(
        &self,
        session: &SessionToken,
        request: SubmitClaim,
        client: &Client,
    ) -> Result<ReviewTicket, Error> {
        let flow = self.own_flow(session, &request.flow_id).await?;
        if let ClaimStep::Submitted { ticket } = &flow.state.step {
            return Ok(ticket.clone());
        }
        let contacts = self.identity.account_contacts(&flow.state.account_id).await?;
        let application = Application {
            kind: ReviewKind::LegacyClaim,
            applicant: Applicant {
                name: request.applicant_name,
                certificate_type: None,
                certificate_number: String::new(),
                mobile: contacts.mobile,
                email: contacts.email,
            },
            holder_account_id: Some(flow.state.account_id.clone()),
            domain: flow.state.domain.clone(),
            filing: None,
            transfer: None,
            claim: Some(flow.state.claim.clone()),
            legacy_login: None,
            description: String::new(),
            documents: request.documents,
        };
        let request_id = format!("{}:review", flow.id.as_str());
        let ticket = self.identity.open_review_case(&request_id, application, client.locale).await?;
        let next = ClaimFlow { step: ClaimStep::Submitted { ticket: ticket.clone() }, ..flow.state.clone() };
        self.flows.advance(&flow, next).await?;
        Ok(ticket)
    }

    /// The flow, if the session's account started it; WORKFLOW_NOT_FOUND otherwise.
    async fn own_flow(&self, session: &SessionToken, flow_id: &FlowId) -> Result<Flow<ClaimFlow>, Error> {
        let (account, flow) = futures::try_join!(
            self.identity.resolve_session(session),
            self.flows.load::<ClaimFlow>(flow_id)
        )?;
        if flow.state.account_id != account.account_id {
            return Err(Error::WorkflowNotFound);
        }
        Ok(flow)
    }
}
