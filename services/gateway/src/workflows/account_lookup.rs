//! SPEC §1: find the account that holds a filing — the example every workflow copies.
//!
//! Start with a domain and a passed human check; prove control of the filing's
//! mobile with an SMS code (or ask customer service); the login name is then
//! *sent* to the account's bound contacts and only shown masked.
//!
//! The flow's state is [`LookupFlow`]: a typed [`Step`] plus what every step needs.
//! Each step reads the flow, calls the peers, then advances the flow from the
//! revision it read (compare-and-set: a racing or repeated step gets
//! WORKFLOW_STEP_OUT_OF_ORDER and changes nothing). Peer calls that change
//! something carry an idempotency key derived from the flow, so a step retried
//! after a lost answer does nothing twice:
//! - `SendCode`: `<flow_id>:send:<n>`, n counting the flow's recorded sends — a
//!   retry of a send whose answer was lost reuses the key (the same code, no new SMS);
//!   a genuine resend, after the flow recorded the first, gets a new one.
//! - `CheckCode`: `<flow_id>:check:<code_id>` — a retry answers the same proof.
//! - `CompleteAccountLookup`: `<flow_id>` — the notices go out once.

use beian_common::vocabulary::{Purpose, ReviewKind};
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    flows::{CodeStep, FlowId, FlowKind, FlowState, Flows},
    model::{
        CodeRequest, CodeSent, LegacyStatus, LookupDone, PassToken, TypedCode,
        client::Client,
        reviews::{Applicant, Application, Document, ReviewTicket},
    },
    peers::{CompleteLookup, FilingRegistry, IdentityRecovery, LegacyMigration, VerificationCodes},
    quota::DailyQuota,
};

/// How a person may prove they hold a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sms,
    CustomerService,
}

/// Step 1's request: a normalised domain and a human-check pass.
#[derive(Debug, Clone)]
pub struct StartLookup {
    pub domain: String,
    pub pass: PassToken,
}

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// None when nothing on the current platform holds the domain.
    pub flow_id: Option<FlowId>,
    pub methods: Vec<Method>,
    pub masked_mobile: Option<String>,
    pub legacy: Option<LegacyStatus>,
    pub expires_at_ms: i64,
}

/// Step 3a's request.
#[derive(Debug, Clone)]
pub struct VerifyCode {
    pub flow_id: FlowId,
    pub code: TypedCode,
}

/// The customer-service request: who applies, why, their documents (checked), and a
/// fresh human-check pass.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub flow_id: FlowId,
    pub applicant: Applicant,
    pub description: String,
    pub documents: Vec<Document>,
    pub pass: PassToken,
}

/// What a lookup flow remembers between steps (no contact data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LookupFlow {
    domain: String,
    holder_account_id: String,
    /// Codes this flow had sent (and recorded): names the next send's key.
    sends: u32,
    step: Step,
    /// The customer-service case this flow opened, answered again to a retry.
    review: Option<ReviewTicket>,
}

/// Where a lookup stands.
type Step = CodeStep<LookupDone>;

impl FlowState for LookupFlow {
    const KIND: FlowKind = FlowKind::AccountLookup;

    fn step(&self) -> &'static str {
        self.step.name()
    }
}

impl LookupFlow {
    fn at(&self, step: Step) -> Self {
        Self { step, ..self.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct AccountLookup {
    pub(super) codes: VerificationCodes,
    pub(super) registry: FilingRegistry,
    pub(super) legacy: LegacyMigration,
    pub(super) identity: IdentityRecovery,
    pub(super) flows: Flows,
    pub(super) review_quota: DailyQuota,
}

impl AccountLookup {
    /// Step 1: spend the pass, find the filing (and the legacy platform's view), open a flow.
    pub async fn start(&self, request: StartLookup) -> Result<Started, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        let domain = request.domain;
        let (filing, legacy) =
            futures::try_join!(self.registry.find_filing(&domain), self.legacy.classify(&domain))?;
        let Some(filing) = filing else {
            return match legacy {
                // lives only on the legacy platform: claim, import or file directly (by date)
                Some(legacy) => Ok(Started {
                    flow_id: None,
                    methods: Vec::new(),
                    masked_mobile: None,
                    legacy: Some(legacy),
                    expires_at_ms: beian_platform::storage::now_millis(),
                }),
                None => Err(Error::DomainNotFiled),
            };
        };
        let flow = self
            .flows
            .create(LookupFlow {
                domain,
                holder_account_id: filing.holder_account_id,
                sends: 0,
                step: Step::Started,
                review: None,
            })
            .await?;
        Ok(Started {
            flow_id: Some(flow.id),
            methods: vec![Method::Sms, Method::CustomerService],
            masked_mobile: Some(filing.masked_mobile),
            legacy,
            expires_at_ms: flow.expires_at_ms,
        })
    }

    /// Step 2a: a code to the filing's mobile. Asking again re-sends (cooldown and caps
    /// apply); a send whose answer was lost is retried under the same key.
    pub async fn send_code(&self, flow_id: &FlowId, client: &Client) -> Result<CodeSent, Error> {
        let flow = self.flows.load::<LookupFlow>(flow_id).await?;
        if matches!(flow.state.step, Step::Done { .. }) {
            return Err(Error::StepOutOfOrder);
        }
        let sends = flow.state.sends + 1;
        let mobile = self.registry.filing_mobile(&flow.state.domain).await?;
        let sent = self
            .codes
            .send_sms_code(
                CodeRequest {
                    destination: &mobile,
                    purpose: Purpose::AccountLookup,
                    request_id: format!("{}:send:{sends}", flow.id.as_str()),
                },
                client,
            )
            .await?;
        let next = LookupFlow { sends, ..flow.state.at(Step::CodeSent { code_id: sent.code_id.clone() }) };
        self.flows.advance(&flow, next).await?;
        Ok(sent)
    }

    /// Step 3a: the code. Sends the login name; answers it masked. A retry answers the same.
    pub async fn verify_code(&self, request: VerifyCode, client: &Client) -> Result<LookupDone, Error> {
        let mut flow = self.flows.load::<LookupFlow>(&request.flow_id).await?;
        let mobile = self.registry.filing_mobile(&flow.state.domain);
        let (proof, mobile) = match &flow.state.step {
            Step::Started => return Err(Error::StepOutOfOrder),
            Step::Done { result } => return Ok(result.clone()),
            Step::ProofHeld { proof } => (proof.clone(), mobile.await?),
            Step::CodeSent { code_id } => {
                // the filing's mobile is read while the code is checked: one wait instead of two
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let (proof, mobile) = futures::try_join!(
                    self.codes.check_code(code_id, &request.code, request_id, client),
                    mobile
                )?;
                let next = flow.state.at(Step::ProofHeld { proof: proof.clone() });
                flow = self.flows.advance(&flow, next).await?;
                (proof, mobile)
            }
        };
        let done = self
            .identity
            .complete_account_lookup(CompleteLookup {
                proof: &proof,
                account_id: &flow.state.holder_account_id,
                destination: &mobile,
                request_id: flow.id.as_str(),
                locale: client.locale,
            })
            .await?;
        self.flows.advance(&flow, flow.state.at(Step::Done { result: done.clone() })).await?;
        Ok(done)
    }

    /// Step 2b: ask customer service. Needs a live, unfinished flow, a fresh human-check
    /// pass and a request left in the client's daily quota; a retry answers the same ticket.
    pub async fn request_review(
        &self,
        request: ReviewRequest,
        client: &Client,
    ) -> Result<ReviewTicket, Error> {
        let flow = self.flows.load::<LookupFlow>(&request.flow_id).await?;
        if let Some(ticket) = flow.state.review {
            return Ok(ticket);
        }
        if matches!(flow.state.step, Step::Done { .. }) {
            return Err(Error::StepOutOfOrder);
        }
        self.codes.redeem_human_pass(&request.pass).await?;
        self.review_quota.take(client.ip).await?;
        let application = Application {
            kind: ReviewKind::AccountLookup,
            applicant: request.applicant,
            holder_account_id: Some(flow.state.holder_account_id.clone()),
            domain: flow.state.domain.clone(),
            filing: None,
            transfer: None,
            claim: None,
            legacy_login: None,
            description: request.description,
            documents: request.documents,
        };
        // keyed by the flow: if the answer is lost, the retry gets the case it opened
        let request_id = format!("{}:review", request.flow_id.as_str());
        let ticket = self.identity.open_review_case(&request_id, application, client.locale).await?;
        self.record_review(&request.flow_id, &ticket).await?;
        Ok(ticket)
    }

    /// Keeps the opened case in the flow. The case exists whatever else moved the flow
    /// meanwhile (a code sent, say), so this re-reads and tries again rather than fail.
    async fn record_review(&self, flow_id: &FlowId, ticket: &ReviewTicket) -> Result<(), Error> {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            let flow = self.flows.load::<LookupFlow>(flow_id).await?;
            let next = LookupFlow { review: Some(ticket.clone()), ..flow.state.clone() };
            match self.flows.advance(&flow, next).await {
                Err(Error::StepOutOfOrder) => continue,
                other => return other.map(drop),
            }
        }
        Err(Error::StepOutOfOrder)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use beian_common::vocabulary::ReviewState;

    use super::*;

    /// Flows are stored as JSON between steps: the shared vocabularies keep the
    /// names flows were stored with (`Sms`, `AccountLookup`, `Pending`).
    #[test]
    fn stored_flows_keep_their_vocabulary_names() {
        let stored = r#"{"domain":"example.com","holder_account_id":"a1","sends":1,"step":{"step":"DONE","result":{"masked_login_name":"a***e","sent_to":[{"channel":"Sms","masked":"138****5678"},{"channel":"Email","masked":"j***@example.com"}]}},"review":{"case_number":"R1","kind":"AccountLookup","state":"Pending","submitted_at_ms":1,"deadline_at_ms":2,"rejection_note":null}}"#;
        let flow: LookupFlow = serde_json::from_str(stored).unwrap();
        assert_eq!(flow.step(), "DONE");
        assert_eq!(
            flow.review.as_ref().map(|t| (t.kind, t.state)),
            Some((ReviewKind::AccountLookup, ReviewState::Pending))
        );
        assert_eq!(serde_json::to_string(&flow).unwrap(), stored);
    }
}
