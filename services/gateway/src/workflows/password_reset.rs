//! 找回密码: reset the password of a current account, in the shape of `account_lookup.rs`.
//!
//! Start with a login name and a passed human check; the answer shows the account's
//! contacts masked. A code goes to the one chosen; the code and the new password then set
//! the password (identity-recovery checks the policy, ends every session and tells the
//! account's mobile and email). Idempotency keys, derived from the flow:
//! - `SendCode`: `<flow_id>:send:<n>`, n counting the flow's recorded sends;
//! - `CheckCode`: `<flow_id>:check:<code_id>`;
//! - `ResetPassword`: `<flow_id>` — the password is set, the sessions end and the notices
//!   go out once, also when the answer was lost and the step is retried.
//!
//! Enumeration: the human check gates the start, and an unknown login name gets a decoy
//! flow that answers like a real one: contacts derived from a keyed hash of the name (the
//! same on every probe), whose codes verification-codes sends as decoys — answered,
//! cooled down, capped and checked exactly as real codes (under limits of their own, so a
//! probe never spends a real person's), never delivered and never correct. What it cannot
//! copy: the latency of a real send's contact lookup (one call fewer).

use beian_common::{
    masking::{mask_email, mask_mobile},
    vocabulary::{Channel, Purpose},
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    error::Error,
    flows::{FlowId, FlowKind, FlowState, Flows},
    model::{
        CodeRequest, CodeSent, MaskedContact, PassToken, TypedCode,
        account::{NewPassword, ResetTarget},
        client::Client,
    },
    peers::{IdentityRecovery, ResetPassword, VerificationCodes},
};

/// Step 1's request.
#[derive(Debug, Clone)]
pub struct StartReset {
    pub login_name: String,
    pub pass: PassToken,
}

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetStarted {
    pub flow_id: FlowId,
    pub contacts: Vec<MaskedContact>,
    pub expires_at_ms: i64,
}

/// Step 2's request.
#[derive(Debug, Clone)]
pub struct SendResetCode {
    pub flow_id: FlowId,
    pub channel: Channel,
}

/// Step 3's request.
#[derive(Debug, Clone)]
pub struct CompleteReset {
    pub flow_id: FlowId,
    pub code: TypedCode,
    pub new_password: NewPassword,
}

/// Whose password the flow resets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Target {
    Account {
        account_id: String,
    },
    /// An unknown login name: the flow only looks like one, with made-up contacts.
    Decoy {
        mobile: String,
        email: String,
    },
}

/// What a reset flow remembers between steps (masked contacts only; a decoy's made-up
/// addresses, which are nobody's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResetFlow {
    target: Target,
    contacts: Vec<MaskedContact>,
    /// Codes this flow had sent (and recorded): names the next send's key.
    sends: u32,
    step: Step,
}

/// Where a reset stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    Started,
    CodeSent {
        channel: Channel,
        code_id: String,
    },
    /// The code was right; the proof waits for a password the policy accepts.
    ProofHeld {
        channel: Channel,
        proof: String,
    },
    Done {
        notified: Vec<MaskedContact>,
    },
}

impl FlowState for ResetFlow {
    const KIND: FlowKind = FlowKind::PasswordReset;

    fn step(&self) -> &'static str {
        match self.step {
            Step::Started => "STARTED",
            Step::CodeSent { .. } => "CODE_SENT",
            Step::ProofHeld { .. } => "PROOF_HELD",
            Step::Done { .. } => "DONE",
        }
    }
}

impl ResetFlow {
    fn at(&self, step: Step) -> Self {
        Self { step, ..self.clone() }
    }

    fn offered(&self, channel: Channel) -> Result<&MaskedContact, Error> {
        self.contacts
            .iter()
            .find(|contact| contact.channel == channel)
            .ok_or_else(|| Error::invalid("channel", "must be one of the contacts the first step offered"))
    }
}

/// The key decoys are derived with. `Debug` never shows it.
#[derive(Clone)]
pub struct DecoyKey(Hmac<Sha256>);

impl DecoyKey {
    /// From a secret of the deployment (the gateway uses its internal credential), under a
    /// label of its own, so a decoy reveals nothing of the secret.
    pub fn derive(secret: &str) -> anyhow::Result<Self> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .map_err(|e| anyhow::anyhow!("unusable decoy secret: {e}"))?;
        mac.update(b"beian gateway password-reset decoys");
        let key = mac.finalize().into_bytes();
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
            .map_err(|e| anyhow::anyhow!("unusable decoy key: {e}"))?;
        Ok(Self(mac))
    }

    /// The contacts a login name nobody has appears to have: the same every time, shaped
    /// like real ones (a mainland mobile, a mailbox at a common provider).
    fn addresses(&self, login_name: &str) -> (String, String) {
        const PREFIXES: [&str; 16] = [
            "130", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "186",
            "188", "189",
        ];
        const PROVIDERS: [&str; 8] = [
            "qq.com",
            "163.com",
            "126.com",
            "sina.com",
            "aliyun.com",
            "foxmail.com",
            "outlook.com",
            "gmail.com",
        ];
        const LOCAL: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut mac = self.0.clone();
        mac.update(login_name.trim().to_lowercase().as_bytes());
        let h = mac.finalize().into_bytes();
        let digits: String = h[2..10].iter().map(|b| char::from(b'0' + b % 10)).collect();
        let local: String =
            h[10..18].iter().map(|b| char::from(LOCAL[usize::from(*b) % LOCAL.len()])).collect();
        (
            format!("{}{digits}", PREFIXES[usize::from(h[0]) % 16]),
            format!("{local}@{}", PROVIDERS[usize::from(h[1]) % 8]),
        )
    }
}

impl std::fmt::Debug for DecoyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecoyKey(***)")
    }
}

#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub(super) codes: VerificationCodes,
    pub(super) identity: IdentityRecovery,
    pub(super) flows: Flows,
    pub(super) decoys: DecoyKey,
}

impl PasswordReset {
    /// Step 1: spend the pass, find the account (or make a decoy), open a flow.
    pub async fn start(&self, request: StartReset) -> Result<ResetStarted, Error> {
        self.codes.redeem_human_pass(&request.pass).await?;
        let (target, contacts) = match self.identity.find_reset_target(&request.login_name).await? {
            Some(ResetTarget { account_id, contacts }) => (Target::Account { account_id }, contacts),
            None => {
                let (mobile, email) = self.decoys.addresses(&request.login_name);
                let contacts = vec![
                    MaskedContact { channel: Channel::Sms, masked: mask_mobile(&mobile) },
                    MaskedContact { channel: Channel::Email, masked: mask_email(&email) },
                ];
                (Target::Decoy { mobile, email }, contacts)
            }
        };
        if contacts.is_empty() {
            return Err(Error::internal("an account without contacts"));
        }
        let flow = self.flows.create(ResetFlow { target, contacts, sends: 0, step: Step::Started }).await?;
        Ok(ResetStarted {
            flow_id: flow.id,
            contacts: flow.state.contacts,
            expires_at_ms: flow.expires_at_ms,
        })
    }

    /// Step 2: a code to the chosen contact. Asking again re-sends (cooldown and caps
    /// apply); a send whose answer was lost is retried under the same key.
    pub async fn send_code(&self, request: SendResetCode, client: &Client) -> Result<CodeSent, Error> {
        let flow = self.flows.load::<ResetFlow>(&request.flow_id).await?;
        if matches!(flow.state.step, Step::Done { .. } | Step::ProofHeld { .. }) {
            return Err(Error::StepOutOfOrder);
        }
        flow.state.offered(request.channel)?;
        let sends = flow.state.sends + 1;
        let code_request = |destination| CodeRequest {
            destination,
            purpose: Purpose::PasswordReset,
            request_id: format!("{}:send:{sends}", flow.id.as_str()),
        };
        let sent = match &flow.state.target {
            Target::Account { account_id } => {
                let contacts = self.identity.account_contacts(account_id).await?;
                let destination = match request.channel {
                    Channel::Sms => &contacts.mobile,
                    Channel::Email => &contacts.email,
                };
                self.codes.send_code(request.channel, code_request(destination), client).await?
            }
            Target::Decoy { mobile, email } => {
                let destination = match request.channel {
                    Channel::Sms => mobile,
                    Channel::Email => email,
                };
                self.codes.send_decoy_code(request.channel, code_request(destination), client).await?
            }
        };
        let step = Step::CodeSent { channel: request.channel, code_id: sent.code_id.clone() };
        self.flows.advance(&flow, ResetFlow { sends, ..flow.state.at(step) }).await?;
        Ok(sent)
    }

    /// Step 3: the code, then the new password. A policy refusal keeps the checked code:
    /// the user types another password. A retry of a finished reset answers the same.
    pub async fn complete(
        &self,
        request: CompleteReset,
        client: &Client,
    ) -> Result<Vec<MaskedContact>, Error> {
        let mut flow = self.flows.load::<ResetFlow>(&request.flow_id).await?;
        let (channel, proof) = match &flow.state.step {
            Step::Started => return Err(Error::StepOutOfOrder),
            Step::Done { notified } => return Ok(notified.clone()),
            Step::ProofHeld { channel, proof } => (*channel, proof.clone()),
            Step::CodeSent { channel, code_id } => {
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let proof = self.codes.check_code(code_id, &request.code, request_id, client).await?;
                let channel = *channel;
                flow = self
                    .flows
                    .advance(&flow, flow.state.at(Step::ProofHeld { channel, proof: proof.clone() }))
                    .await?;
                (channel, proof)
            }
        };
        let Target::Account { account_id } = &flow.state.target else {
            return Err(Error::internal("a decoy flow held a proof"));
        };
        let notified = self
            .identity
            .reset_password(ResetPassword {
                account_id,
                proof: &proof,
                channel,
                new_password: &request.new_password,
                request_id: flow.id.as_str(),
                locale: client.locale,
            })
            .await?;
        self.flows.advance(&flow, flow.state.at(Step::Done { notified: notified.clone() })).await?;
        Ok(notified)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn decoys_are_stable_per_name_shaped_like_real_ones_and_keyed() {
        let key = DecoyKey::derive("a deployment secret").unwrap();
        let first = key.addresses("NoSuchUser ");
        assert_eq!(first, key.addresses("nosuchuser"), "the same name, the same decoy");
        assert_ne!(first, key.addresses("another-name"));
        assert_ne!(first, DecoyKey::derive("another secret").unwrap().addresses("nosuchuser"));
        let (mobile, email) = first;
        assert_eq!(beian_common::normalise_mobile(&mobile).unwrap(), mobile, "a mainland mobile");
        assert_eq!(beian_common::normalise_email(&email).unwrap(), email, "a mailbox");
    }

    #[test]
    fn stored_flows_keep_their_names() {
        let stored = r#"{"target":{"kind":"ACCOUNT","account_id":"a1"},"contacts":[{"channel":"Sms","masked":"138****5678"}],"sends":1,"step":{"step":"CODE_SENT","channel":"Sms","code_id":"c1"}}"#;
        let flow: ResetFlow = serde_json::from_str(stored).unwrap();
        assert_eq!(flow.step(), "CODE_SENT");
        assert_eq!(serde_json::to_string(&flow).unwrap(), stored);
    }
}
