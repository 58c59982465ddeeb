//! SPEC §1: find the account that holds a filing. Start with a domain and a
//! passed human check; prove control of the filing's mobile with an SMS code
//! (or ask customer service); the login name is then *sent* to the account's
//! bound contacts and only shown masked. Every step can be retried: a retried
//! verification reuses the proof it already holds, and identity-recovery sends
//! nothing twice for one flow.

use beian_common::domain_name::normalise_domain;
use beian_platform::storage::now_millis;
use serde::{Deserialize, Serialize};

use crate::{
    context::Client,
    error::Error,
    flows::{self, FLOW_LIFETIME_MS, FlowKind, store},
    model::{CodePurpose, CodeSent, LegacyStatus, LookupDone},
    peers::{CompleteLookup, Peers},
};

/// How a person may prove they hold a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sms,
    CustomerService,
}

/// The answer to the first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// None when nothing on the current platform holds the domain.
    pub flow_id: Option<String>,
    pub methods: Vec<Method>,
    pub masked_mobile: Option<String>,
    pub legacy: Option<LegacyStatus>,
    pub expires_at_ms: i64,
}

/// What a lookup flow remembers between steps (no contact data).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct LookupState {
    domain: String,
    holder_account_id: String,
    code_id: Option<String>,
    proof: Option<String>,
}

const STARTED: &str = "STARTED";
const CODE_SENT: &str = "CODE_SENT";
const PROOF_HELD: &str = "PROOF_HELD";
const DONE: &str = "DONE";

/// Step 1: the domain (any form a person types) and a human-check pass.
pub async fn start(
    peers: &Peers,
    db: &beian_platform::storage::Database,
    domain: &str,
    human_check_token: &str,
) -> Result<Started, Error> {
    let domain = normalise_domain(domain).map_err(|e| Error::invalid("domain", e.to_string()))?;
    if human_check_token.trim().is_empty() {
        return Err(Error::invalid("human_check_token", "is required: pass the slider check first"));
    }
    peers.redeem_human_pass(human_check_token.trim()).await?;
    let (filing, legacy) = futures::try_join!(peers.find_filing(&domain), peers.classify_legacy(&domain))?;
    let now = now_millis();
    let Some(filing) = filing else {
        return match legacy {
            // lives only on the legacy platform: claim, import or file directly (by date)
            Some(legacy) => Ok(Started {
                flow_id: None,
                methods: Vec::new(),
                masked_mobile: None,
                legacy: Some(legacy),
                expires_at_ms: now,
            }),
            None => Err(Error::DomainNotFiled),
        };
    };
    let flow_id = flows::new_flow_id();
    let state = LookupState { domain, holder_account_id: filing.holder_account_id, ..LookupState::default() };
    let expires_at_ms = now + FLOW_LIFETIME_MS;
    store::delete_expired(db.writer(), now).await?;
    store::insert(
        db.writer(),
        &flow_id,
        FlowKind::AccountLookup,
        STARTED,
        &flows::encode(&state)?,
        now,
        expires_at_ms,
    )
    .await?;
    Ok(Started {
        flow_id: Some(flow_id),
        methods: vec![Method::Sms, Method::CustomerService],
        masked_mobile: Some(filing.masked_mobile),
        legacy,
        expires_at_ms,
    })
}

async fn load(db: &beian_platform::storage::Database, flow_id: &str) -> Result<(String, LookupState), Error> {
    let flow =
        store::find_live(db.reader(), flows::parse_flow_id(flow_id)?, FlowKind::AccountLookup, now_millis())
            .await?
            .ok_or(Error::WorkflowNotFound)?;
    Ok((flow.step, flows::decode(&flow.state)?))
}

/// Step 2a: a code to the filing's mobile. Asking again re-sends (cooldown and caps apply).
pub async fn send_code(
    peers: &Peers,
    db: &beian_platform::storage::Database,
    flow_id: &str,
    client: &Client,
) -> Result<CodeSent, Error> {
    let (step, mut state) = load(db, flow_id).await?;
    if step == DONE {
        return Err(Error::StepOutOfOrder);
    }
    let mobile = peers.filing_mobile(&state.domain).await?;
    let sent = peers.send_sms_code(&mobile, CodePurpose::AccountLookup, client).await?;
    state.code_id = Some(sent.code_id.clone());
    state.proof = None;
    store::update(db.writer(), flow_id, CODE_SENT, &flows::encode(&state)?).await?;
    Ok(sent)
}

/// Step 3a: the code. Sends the login name; answers it masked.
pub async fn verify_code(
    peers: &Peers,
    db: &beian_platform::storage::Database,
    flow_id: &str,
    code: &str,
    client: &Client,
) -> Result<LookupDone, Error> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("code", "must be the 6 digits of the SMS"));
    }
    let (step, mut state) = load(db, flow_id).await?;
    let proof = match (state.proof.clone(), state.code_id.clone()) {
        (Some(proof), _) => proof,
        (None, Some(code_id)) if step == CODE_SENT => {
            let proof = peers.check_code(&code_id, code, client).await?;
            state.proof = Some(proof.clone());
            store::update(db.writer(), flow_id, PROOF_HELD, &flows::encode(&state)?).await?;
            proof
        }
        _ => return Err(Error::StepOutOfOrder),
    };
    let mobile = peers.filing_mobile(&state.domain).await?;
    let done = peers
        .complete_account_lookup(
            CompleteLookup {
                proof: &proof,
                account_id: &state.holder_account_id,
                destination: &mobile,
                request_id: flow_id,
            },
            client,
        )
        .await?;
    store::update(db.writer(), flow_id, DONE, &flows::encode(&state)?).await?;
    Ok(done)
}

/// The domain of a live lookup flow, for a customer-service request.
pub async fn domain_of(db: &beian_platform::storage::Database, flow_id: &str) -> Result<String, Error> {
    Ok(load(db, flow_id).await?.1.domain)
}
