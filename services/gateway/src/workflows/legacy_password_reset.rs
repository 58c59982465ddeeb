//! SPEC §2 step 3, seeds 000/001: 找回密码 of a legacy login, so its holder can import;
//! in the shape of `password_reset.rs`.
//!
//! Start with the legacy login email and a passed human check; the answer shows the email
//! masked. A code goes to that email (purpose LEGACY_PASSWORD_RESET); the code and the
//! new password then set the password in legacy-migration (seed 003's policy there; the
//! suite's own hash). Idempotency keys, derived from the flow:
//! - `SendCode`: `<flow_id>:send:<n>`, n counting the flow's recorded sends;
//! - `CheckCode`: `<flow_id>:check:<code_id>`;
//! - `ResetLegacyPassword`: `<flow_id>` — the proof's redemption and the reset, once.
//!
//! Enumeration: an email no legacy login has gets a decoy flow answering like a real one:
//! the same masked email (the typed one's: it reveals nothing the caller did not type), and
//! codes verification-codes sends as decoys (as `password_reset`'s): answered, cooled down,
//! capped and checked exactly as real ones under limits of their own, never delivered and
//! never correct.
//!
//! The flow keeps the email in the clear (the code's destination and the reset's key);
//! flows are short-lived and swept, and `Debug` masks it.

use beian_common::{
    masking::mask_email,
    vocabulary::{Channel, Purpose},
};
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    flows::{FlowId, FlowKind, FlowState, Flows},
    model::{CodeRequest, CodeSent, PassToken, TypedCode, account::NewPassword, client::Client},
    peers::{LegacyMigration, LegacyPasswordReset as Reset, VerificationCodes},
};

/// Step 1's request: the email normalised (domain lower-cased, IDN as punycode).
#[derive(Debug, Clone)]
pub struct StartReset {
    pub login_email: LoginEmail,
    pub pass: PassToken,
}

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetStarted {
    pub flow_id: FlowId,
    pub masked_login_email: String,
    pub expires_at_ms: i64,
}

/// Step 2's request.
#[derive(Debug, Clone)]
pub struct SendResetCode {
    pub flow_id: FlowId,
}

/// Step 3's request.
#[derive(Debug, Clone)]
pub struct CompleteReset {
    pub flow_id: FlowId,
    pub code: TypedCode,
    pub new_password: NewPassword,
}

/// A legacy login email. `Debug` masks it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LoginEmail(pub String);

impl std::fmt::Debug for LoginEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LoginEmail({})", mask_email(&self.0))
    }
}

/// Whose password the flow resets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Target {
    Login,
    /// No legacy login has the email: the flow only looks like one.
    Decoy,
}

/// What a legacy reset flow remembers between steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegacyResetFlow {
    target: Target,
    login_email: LoginEmail,
    /// Codes this flow had sent (and recorded): names the next send's key.
    sends: u32,
    step: Step,
}

/// Where a legacy reset stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    Started,
    CodeSent {
        code_id: String,
    },
    /// The code was right; the proof waits for a password the policy accepts.
    ProofHeld {
        proof: String,
    },
    Done,
}

impl FlowState for LegacyResetFlow {
    const KIND: FlowKind = FlowKind::LegacyPasswordReset;

    fn step(&self) -> &'static str {
        match self.step {
            Step::Started => "STARTED",
            Step::CodeSent { .. } => "CODE_SENT",
            Step::ProofHeld { .. } => "PROOF_HELD",
            Step::Done => "DONE",
        }
    }
}

impl LegacyResetFlow {
    fn at(&self, step: Step) -> Self {
        Self { step, ..self.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct LegacyPasswordReset {
    pub(super) codes: VerificationCodes,
    pub(super) legacy: LegacyMigration,
    pub(super) flows: Flows,
}

impl LegacyPasswordReset {
    /// Step 1: spend the pass, find the legacy login (or make a decoy), open a flow.
    pub async fn start(&self, request: StartReset) -> Result<ResetStarted, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        let target = if self.legacy.legacy_login_exists(&request.login_email.0).await? {
            Target::Login
        } else {
            Target::Decoy
        };
        let masked_login_email = mask_email(&request.login_email.0);
        let flow = self
            .flows
            .create(LegacyResetFlow {
                target,
                login_email: request.login_email,
                sends: 0,
                step: Step::Started,
            })
            .await?;
        Ok(ResetStarted { flow_id: flow.id, masked_login_email, expires_at_ms: flow.expires_at_ms })
    }

    /// Step 2: a code to the email. Asking again re-sends (cooldown and caps apply); a
    /// send whose answer was lost is retried under the same key.
    pub async fn send_code(&self, request: SendResetCode, client: &Client) -> Result<CodeSent, Error> {
        let flow = self.flows.load::<LegacyResetFlow>(&request.flow_id).await?;
        if matches!(flow.state.step, Step::Done | Step::ProofHeld { .. }) {
            return Err(Error::StepOutOfOrder);
        }
        let sends = flow.state.sends + 1;
        let code_request = CodeRequest {
            destination: &flow.state.login_email.0,
            purpose: Purpose::LegacyPasswordReset,
            request_id: format!("{}:send:{sends}", flow.id.as_str()),
        };
        let sent = match flow.state.target {
            Target::Login => self.codes.send_code(Channel::Email, code_request, client).await?,
            Target::Decoy => self.codes.send_decoy_code(Channel::Email, code_request, client).await?,
        };
        let step = Step::CodeSent { code_id: sent.code_id.clone() };
        self.flows.advance(&flow, LegacyResetFlow { sends, ..flow.state.at(step) }).await?;
        Ok(sent)
    }

    /// Step 3: the code, then the new password. A policy refusal keeps the checked code:
    /// the user types another password. A retry of a finished reset answers the same.
    pub async fn complete(&self, request: CompleteReset, client: &Client) -> Result<(), Error> {
        let mut flow = self.flows.load::<LegacyResetFlow>(&request.flow_id).await?;
        let proof = match &flow.state.step {
            Step::Started => return Err(Error::StepOutOfOrder),
            Step::Done => return Ok(()),
            Step::ProofHeld { proof } => proof.clone(),
            Step::CodeSent { code_id } => {
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let proof = self.codes.check_code(code_id, &request.code, request_id, client).await?;
                flow = self
                    .flows
                    .advance(&flow, flow.state.at(Step::ProofHeld { proof: proof.clone() }))
                    .await?;
                proof
            }
        };
        if matches!(flow.state.target, Target::Decoy) {
            return Err(Error::internal("a decoy flow held a proof"));
        }
        self.legacy
            .reset_legacy_password(Reset {
                login_email: &flow.state.login_email.0,
                proof: &proof,
                new_password: &request.new_password,
                request_id: flow.id.as_str(),
            })
            .await?;
        self.flows.advance(&flow, flow.state.at(Step::Done)).await?;
        Ok(())
    }
}
