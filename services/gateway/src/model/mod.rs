//! What the gateway's workflows hold: domain values only. They are made from
//! the wire in `grpc/` (requests) and `peers/` (other services' answers), and
//! turned back into wire messages there; nothing here sees prost.

pub mod account;
pub mod client;
pub mod filing;
pub mod legacy_import;
pub mod new_filing;
pub mod reviews;
pub mod transfer;

use beian_common::vocabulary::{Channel, LegacyAction, Purpose};
use serde::{Deserialize, Serialize};

/// A contact as a person may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedContact {
    pub channel: Channel,
    pub masked: String,
}

/// A legacy filing of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyStatus {
    pub action: LegacyAction,
    /// (year, month, day)
    pub submitted_on: (i32, i32, i32),
}

/// The current filing of a domain, as the lookup may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingFound {
    pub holder_account_id: String,
    pub masked_mobile: String,
}

/// A slider puzzle to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanChallenge {
    pub challenge_id: String,
    pub background_png: Vec<u8>,
    pub piece_png: Vec<u8>,
    pub piece_y: i32,
    pub width: i32,
    pub height: i32,
    pub expires_at_ms: i64,
}

/// A person's answer to the human check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HumanAnswer {
    Slider { challenge_id: String, x: i32, drag_millis: i32 },
    VendorToken(String),
}

/// A passed human check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanPass {
    pub token: String,
    pub expires_at_ms: i64,
}

/// A human-check pass token as a request carries it: present, trimmed, not yet spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassToken(String);

impl PassToken {
    /// None when the field is blank.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        (!value.is_empty()).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code to send, with the key that makes a retry send nothing new.
#[derive(Debug, Clone)]
pub struct CodeRequest<'a> {
    /// The full mobile or email (never logged).
    pub destination: &'a str,
    /// What the code is for; its proof serves nothing else.
    pub purpose: Purpose,
    /// Idempotency key: the same key answers the first call's code.
    pub request_id: String,
}

/// A code that went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSent {
    pub code_id: String,
    pub masked_destination: String,
    pub expires_at_ms: i64,
    pub resend_at_ms: i64,
}

/// The six digits a person typed.
#[derive(Clone, PartialEq, Eq)]
pub struct TypedCode(String);

impl TypedCode {
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        (value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit())).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Codes never reach logs.
impl std::fmt::Debug for TypedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypedCode(******)")
    }
}

/// A finished account lookup (masked data only: kept in the flow to answer retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupDone {
    pub masked_login_name: String,
    pub sent_to: Vec<MaskedContact>,
}
