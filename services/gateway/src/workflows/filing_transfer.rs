//! SPEC §5: a logged-in holder moves its subject to another account of the CN site.
//!
//! Start (the caller's subject, the code's masked destination) → a code to the holder's
//! mobile → optionally a preview of the target (its masked mobile, only to help check
//! it) → the code and the target's login name: filing-registry checks every rule and
//! moves the subject at once, in one transaction that also queues the SMS notices to
//! both sides. Like the account lookup ([`super::account_lookup`]) each step reads the
//! flow, calls the peers and advances the flow from the revision it read; every call
//! that changes something is keyed by the flow:
//! - `SendCode`: `<flow_id>:send:<n>`;
//! - `CheckCode`: `<flow_id>:check:<code_id>`;
//! - `TransferSubject`: `<flow_id>` (filing-registry records the change under it and
//!   redeems the proof under it): a retry answers the first change.
//!
//! Only the holder that started a flow may use it: for anybody else it does not exist.

use beian_common::vocabulary::{Purpose, Site};
use beian_platform::status::ErrorReason;
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    flows::{CodeStep, Flow, FlowId, FlowKind, FlowState, Flows},
    model::{
        CodeRequest, CodeSent, TypedCode,
        account::{AccountView, SessionToken},
        client::Client,
        transfer::TransferDone,
    },
    peers::{FilingRegistry, IdentityRecovery, Transfer, VerificationCodes},
};

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub flow_id: FlowId,
    pub filing_number: String,
    pub masked_mobile: String,
    pub expires_at_ms: i64,
}

/// The last step's request.
#[derive(Debug, Clone)]
pub struct CompleteTransfer {
    pub flow_id: FlowId,
    pub code: TypedCode,
    /// As typed, trimmed; identity-recovery normalises it.
    pub target_login_name: String,
}

/// What a transfer flow remembers between steps (no contact data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransferFlow {
    holder_account_id: String,
    filing_number: String,
    /// Codes this flow had sent (and recorded): names the next send's key.
    sends: u32,
    step: Step,
}

/// Where a transfer stands.
type Step = CodeStep<TransferDone>;

impl FlowState for TransferFlow {
    const KIND: FlowKind = FlowKind::FilingTransfer;

    fn step(&self) -> &'static str {
        self.step.name()
    }
}

impl TransferFlow {
    fn at(&self, step: Step) -> Self {
        Self { step, ..self.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct FilingTransfer {
    pub(super) codes: VerificationCodes,
    pub(super) registry: FilingRegistry,
    pub(super) identity: IdentityRecovery,
    pub(super) flows: Flows,
}

impl FilingTransfer {
    /// Step 1: the caller's subject, refused early when it cannot move at all.
    pub async fn start(&self, session: &SessionToken) -> Result<Started, Error> {
        let holder = self.identity.resolve_session(session).await?;
        let filing = self.registry.held_filing(&holder.account_id).await?;
        // before any code is sent: filing-registry checks both again when the subject moves
        if filing.order_in_progress {
            return Err(Error::TransferRule(ErrorReason::OrderInProgress));
        }
        if holder.site != Site::Cn {
            return Err(Error::TransferRule(ErrorReason::TransferSiteNotSupported));
        }
        let flow = self
            .flows
            .create(TransferFlow {
                holder_account_id: holder.account_id,
                filing_number: filing.filing_number.clone(),
                sends: 0,
                step: Step::Started,
            })
            .await?;
        Ok(Started {
            flow_id: flow.id,
            filing_number: filing.filing_number,
            masked_mobile: holder.masked_mobile,
            expires_at_ms: flow.expires_at_ms,
        })
    }

    /// Step 2: a code to the holder's mobile. Asking again re-sends (cooldown and caps
    /// apply); a send whose answer was lost is retried under the same key.
    pub async fn send_code(
        &self,
        session: &SessionToken,
        flow_id: &FlowId,
        client: &Client,
    ) -> Result<CodeSent, Error> {
        let (_, flow) = self.own_flow(session, flow_id).await?;
        if matches!(flow.state.step, Step::Done { .. }) {
            return Err(Error::StepOutOfOrder);
        }
        let sends = flow.state.sends + 1;
        let mobile = self.identity.account_contacts(&flow.state.holder_account_id).await?.mobile;
        let sent = self
            .codes
            .send_sms_code(
                CodeRequest {
                    destination: &mobile,
                    purpose: Purpose::FilingTransfer,
                    request_id: format!("{}:send:{sends}", flow.id.as_str()),
                },
                client,
            )
            .await?;
        let next = TransferFlow { sends, ..flow.state.at(Step::CodeSent { code_id: sent.code_id.clone() }) };
        self.flows.advance(&flow, next).await?;
        Ok(sent)
    }

    /// Step 3 (optional, repeatable): the target's masked mobile, to help the holder check
    /// the login name. Changes nothing.
    pub async fn preview_target(
        &self,
        session: &SessionToken,
        flow_id: &FlowId,
        target_login_name: &str,
    ) -> Result<String, Error> {
        self.own_flow(session, flow_id).await?;
        Ok(self.target(target_login_name).await?.masked_mobile)
    }

    /// Step 4: the code and the target. The subject moves at once; a retry answers the same.
    pub async fn complete(
        &self,
        session: &SessionToken,
        request: CompleteTransfer,
        client: &Client,
    ) -> Result<TransferDone, Error> {
        let (_, mut flow) = self.own_flow(session, &request.flow_id).await?;
        let proof = match &flow.state.step {
            Step::Started => return Err(Error::StepOutOfOrder),
            Step::Done { result } => return Ok(result.clone()),
            Step::ProofHeld { proof } => proof.clone(),
            Step::CodeSent { code_id } => {
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let proof = self.codes.check_code(code_id, &request.code, request_id, client).await?;
                let next = flow.state.at(Step::ProofHeld { proof: proof.clone() });
                flow = self.flows.advance(&flow, next).await?;
                proof
            }
        };
        let target = self.target(&request.target_login_name).await?;
        let transferred_at_ms = self
            .registry
            .transfer_subject(Transfer {
                from_account_id: &flow.state.holder_account_id,
                to_account_id: &target.account_id,
                proof: &proof,
                request_id: flow.id.as_str(),
                client,
            })
            .await?;
        let done = TransferDone {
            filing_number: flow.state.filing_number.clone(),
            masked_target_login_name: target.masked_login_name,
            transferred_at_ms,
        };
        self.flows.advance(&flow, flow.state.at(Step::Done { result: done.clone() })).await?;
        Ok(done)
    }

    /// The flow, if the session's account started it; WORKFLOW_NOT_FOUND otherwise.
    async fn own_flow(
        &self,
        session: &SessionToken,
        flow_id: &FlowId,
    ) -> Result<(AccountView, Flow<TransferFlow>), Error> {
        let (holder, flow) = futures::try_join!(
            self.identity.resolve_session(session),
            self.flows.load::<TransferFlow>(flow_id)
        )?;
        if flow.state.holder_account_id != holder.account_id {
            return Err(Error::WorkflowNotFound);
        }
        Ok((holder, flow))
    }

    async fn target(&self, login_name: &str) -> Result<AccountView, Error> {
        self.identity.find_account(login_name).await?.ok_or(Error::TransferTargetNotFound)
    }
}
