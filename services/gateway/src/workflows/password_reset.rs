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
//! flow that answers like a real one — masked contacts derived from a keyed hash of the
//! name (the same on every probe), a send that answers like verification-codes (its
//! default code lifetime and cooldown) and sends nothing, and a completion that always
//! finds the code wrong (attempts counting down, then exhausted, or expired). What it cannot
//! copy: a real destination's hourly and daily send caps, and the latency of a real send
//! (a few milliseconds more).

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::now_millis;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    error::{CodeRefusal, Error},
    flows::{Flow, FlowId, FlowKind, FlowState, Flows},
    model::{
        CodeRequest, CodeSent, MaskedContact, PassToken, TypedCode,
        account::{NewPassword, ResetTarget},
        client::Client,
    },
    peers::{IdentityRecovery, ResetPassword, VerificationCodes},
};

/// verification-codes' defaults (`BEIAN_CODE_TTL_SECS`, `BEIAN_CODE_RESEND_COOLDOWN_SECS`,
/// `BEIAN_CODE_MAX_CHECKS`), which a decoy imitates.
pub(super) const DECOY_CODE_TTL_MS: i64 = 300_000;
pub(super) const DECOY_COOLDOWN_MS: i64 = 60_000;
pub(super) const DECOY_MAX_CHECKS: u32 = 5;

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
    /// An unknown login name: the flow only looks like one.
    Decoy,
}

/// What a reset flow remembers between steps (masked contacts only).
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
    /// A decoy's "sent" code: when, and how many wrong checks it had.
    DecoySent {
        channel: Channel,
        sent_at_ms: i64,
        checks: u32,
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
            Step::CodeSent { .. } | Step::DecoySent { .. } => "CODE_SENT",
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

    /// The masked contacts a login name nobody has appears to have: the same every time,
    /// shaped like real ones (`1xx****dddd`, `x***@provider`).
    fn contacts(&self, login_name: &str) -> Vec<MaskedContact> {
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
        const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut mac = self.0.clone();
        mac.update(login_name.trim().to_lowercase().as_bytes());
        let h = mac.finalize().into_bytes();
        let digits: String = h[2..6].iter().map(|b| char::from(b'0' + b % 10)).collect();
        vec![
            MaskedContact {
                channel: Channel::Sms,
                masked: format!("{}****{digits}", PREFIXES[usize::from(h[0]) % 16]),
            },
            MaskedContact {
                channel: Channel::Email,
                masked: format!(
                    "{}***@{}",
                    char::from(FIRST[usize::from(h[6]) % FIRST.len()]),
                    PROVIDERS[usize::from(h[1]) % 8]
                ),
            },
        ]
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
            None => (Target::Decoy, self.decoys.contacts(&request.login_name)),
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
        let masked = flow.state.offered(request.channel)?.masked.clone();
        let Target::Account { account_id } = &flow.state.target else {
            return self.decoy_send(&flow, request.channel, masked).await;
        };
        let contacts = self.identity.account_contacts(account_id).await?;
        let destination = match request.channel {
            Channel::Sms => &contacts.mobile,
            Channel::Email => &contacts.email,
        };
        let sends = flow.state.sends + 1;
        let sent = self
            .codes
            .send_code(
                request.channel,
                CodeRequest {
                    destination,
                    purpose: Purpose::PasswordReset,
                    request_id: format!("{}:send:{sends}", flow.id.as_str()),
                },
                client,
            )
            .await?;
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
            Step::DecoySent { .. } => return Err(self.decoy_check(&flow).await),
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

    /// A decoy's send: verification-codes' answer and cooldown, and nothing sent.
    async fn decoy_send(
        &self,
        flow: &Flow<ResetFlow>,
        channel: Channel,
        masked: String,
    ) -> Result<CodeSent, Error> {
        let now = now_millis();
        if let Step::DecoySent { channel: last, sent_at_ms, .. } = flow.state.step
            && last == channel
            && now < sent_at_ms + DECOY_COOLDOWN_MS
        {
            let wait = u64::try_from(sent_at_ms + DECOY_COOLDOWN_MS - now).unwrap_or(0);
            return Err(Error::Code(CodeRefusal::ResendTooSoon {
                retry_after: std::time::Duration::from_millis(wait),
            }));
        }
        let sends = flow.state.sends + 1;
        let step = Step::DecoySent { channel, sent_at_ms: now, checks: 0 };
        self.flows.advance(flow, ResetFlow { sends, ..flow.state.at(step) }).await?;
        Ok(CodeSent {
            code_id: String::new(),
            masked_destination: masked,
            expires_at_ms: now + DECOY_CODE_TTL_MS,
            resend_at_ms: now + DECOY_COOLDOWN_MS,
        })
    }

    /// A decoy's check: always wrong, counted as verification-codes counts them.
    async fn decoy_check(&self, flow: &Flow<ResetFlow>) -> Error {
        let Step::DecoySent { channel, sent_at_ms, checks } = flow.state.step else {
            return Error::StepOutOfOrder;
        };
        if checks >= DECOY_MAX_CHECKS {
            return Error::Code(CodeRefusal::AttemptsExhausted);
        }
        if now_millis() >= sent_at_ms + DECOY_CODE_TTL_MS {
            return Error::Code(CodeRefusal::Expired);
        }
        let checks = checks + 1;
        match self.flows.advance(flow, flow.state.at(Step::DecoySent { channel, sent_at_ms, checks })).await {
            Ok(_) => Error::Code(CodeRefusal::Incorrect { attempts_left: DECOY_MAX_CHECKS - checks }),
            Err(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn decoys_are_stable_per_name_shaped_like_real_ones_and_keyed() {
        let key = DecoyKey::derive("a deployment secret").unwrap();
        let first = key.contacts("NoSuchUser ");
        assert_eq!(first, key.contacts("nosuchuser"), "the same name, the same decoy");
        assert_ne!(first, key.contacts("another-name"));
        assert_ne!(first, DecoyKey::derive("another secret").unwrap().contacts("nosuchuser"));
        let mobile = &first[0];
        assert_eq!(mobile.channel, Channel::Sms);
        assert!(mobile.masked.len() == 11 && mobile.masked[3..7] == *"****", "{}", mobile.masked);
        assert!(mobile.masked.starts_with('1') && mobile.masked[7..].bytes().all(|b| b.is_ascii_digit()));
        let email = &first[1];
        assert_eq!(email.channel, Channel::Email);
        assert!(email.masked[1..].starts_with("***@"), "{}", email.masked);
    }

    #[test]
    fn stored_flows_keep_their_names() {
        let stored = r#"{"target":{"kind":"ACCOUNT","account_id":"a1"},"contacts":[{"channel":"Sms","masked":"138****5678"}],"sends":1,"step":{"step":"CODE_SENT","channel":"Sms","code_id":"c1"}}"#;
        let flow: ResetFlow = serde_json::from_str(stored).unwrap();
        assert_eq!(flow.step(), "CODE_SENT");
        assert_eq!(serde_json::to_string(&flow).unwrap(), stored);
    }
}
