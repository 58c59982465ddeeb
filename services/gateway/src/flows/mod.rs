//! Workflows in progress: the opaque `flow_id` a front end holds between the
//! steps of a workflow, and the typed state the next step needs. A step moves a
//! flow from the revision it read to the next one (compare-and-set): a step that
//! lost a race, or repeats one already taken, changes nothing. Contact data is
//! never stored here; it is fetched again from its owner when needed.

pub mod store;

use beian_platform::storage::{Database, now_millis};
use rand::RngCore;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::Error;

/// How long a front end may take between the first and the last step.
pub const FLOW_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// An unguessable workflow id (128 random bits, hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowId(String);

impl FlowId {
    fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    /// A flow id as typed by a front end: 32 hex digits, else it cannot exist.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let value = value.trim();
        if value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(value.to_ascii_lowercase()))
        } else {
            Err(Error::invalid("flow_id", "must be the flow_id of the first step"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
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

/// A workflow's state: a typed enum of its steps, stored as JSON.
pub trait FlowState: Serialize + DeserializeOwned {
    const KIND: FlowKind;
    /// The step's name, stored beside the state for people reading the table.
    fn step(&self) -> &'static str;
}

/// A flow as read: its state and the revision a step advances from.
#[derive(Debug, Clone)]
pub struct Flow<S> {
    pub id: FlowId,
    pub revision: i64,
    pub state: S,
    pub expires_at_ms: i64,
}

/// The gateway's flow table.
#[derive(Debug, Clone)]
pub struct Flows {
    db: Database,
}

impl Flows {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Stores a new flow at revision 0.
    pub async fn create<S: FlowState>(&self, state: S) -> Result<Flow<S>, Error> {
        let now = now_millis();
        let flow = Flow { id: FlowId::generate(), revision: 0, state, expires_at_ms: now + FLOW_LIFETIME_MS };
        store::insert(
            self.db.writer(),
            store::NewFlow {
                flow_id: flow.id.as_str(),
                kind: S::KIND,
                step: flow.state.step(),
                state: &encode(&flow.state)?,
                now_ms: now,
                expires_at_ms: flow.expires_at_ms,
            },
        )
        .await?;
        Ok(flow)
    }

    /// A live flow of `S`'s kind; WORKFLOW_NOT_FOUND if unknown, of another kind or expired.
    pub async fn load<S: FlowState>(&self, id: &FlowId) -> Result<Flow<S>, Error> {
        let stored = store::find_live(self.db.reader(), id.as_str(), S::KIND, now_millis())
            .await?
            .ok_or(Error::WorkflowNotFound)?;
        // a state written by an older release reads as a flow that is gone: start again
        let state = serde_json::from_str(&stored.state).map_err(|e| {
            tracing::warn!(error = %e, "an unreadable flow state");
            Error::WorkflowNotFound
        })?;
        Ok(Flow { id: id.clone(), revision: stored.revision, state, expires_at_ms: stored.expires_at_ms })
    }

    /// Moves `flow` to `next`, if nobody moved it since it was read; otherwise
    /// WORKFLOW_STEP_OUT_OF_ORDER and nothing changes.
    pub async fn advance<S: FlowState>(&self, flow: &Flow<S>, next: S) -> Result<Flow<S>, Error> {
        let moved = store::advance(
            self.db.writer(),
            flow.id.as_str(),
            flow.revision,
            next.step(),
            &encode(&next)?,
        )
        .await?;
        if !moved {
            return Err(Error::StepOutOfOrder);
        }
        Ok(Flow { id: flow.id.clone(), revision: flow.revision + 1, state: next, expires_at_ms: flow.expires_at_ms })
    }
}

fn encode<T: Serialize>(state: &T) -> Result<String, Error> {
    serde_json::to_string(state).map_err(|e| Error::Internal(format!("encoding a flow: {e}")))
}
