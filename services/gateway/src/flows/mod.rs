//! Workflows in progress: the opaque `flow_id` a front end holds between the
//! steps of a workflow, and the state the next step needs. Contact data is
//! never stored here; it is fetched again from its owner when needed.

pub mod store;

use rand::RngCore;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::Error;

/// How long a front end may take between the first and the last step.
pub const FLOW_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// An unguessable workflow id (128 random bits, hex).
pub fn new_flow_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The kinds of workflows; a flow id of one kind is unknown to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    AccountLookup,
}

impl FlowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountLookup => "ACCOUNT_LOOKUP",
        }
    }
}

pub fn encode<T: Serialize>(state: &T) -> Result<String, Error> {
    serde_json::to_string(state).map_err(|e| Error::internal(format!("encoding a flow: {e}")))
}

pub fn decode<T: DeserializeOwned>(state: &str) -> Result<T, Error> {
    serde_json::from_str(state).map_err(|e| Error::internal(format!("decoding a flow: {e}")))
}

/// A flow id as typed by a front end: 32 hex digits, else it cannot exist.
pub fn parse_flow_id(value: &str) -> Result<&str, Error> {
    let value = value.trim();
    if value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value)
    } else {
        Err(Error::invalid("flow_id", "must be the flow_id of the first step"))
    }
}
