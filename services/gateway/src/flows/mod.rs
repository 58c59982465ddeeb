//! Workflows in progress: the opaque `flow_id` a front end holds between the
//! steps of a workflow, and the typed state the next step needs. A step moves a
//! flow from the revision it read to the next one (compare-and-set): a step that
//! lost a race, or repeats one already taken, changes nothing. Contact data is
//! never stored here; it is fetched again from its owner when needed.

pub mod store;

use beian_platform::storage::{Database, now_millis};
use rand::RngCore;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

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
    PasswordReset,
    CancelAccess,
    FilingChange,
    FilingTransfer,
    LegacyClaim,
    LegacyPasswordReset,
}

impl FlowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountLookup => "ACCOUNT_LOOKUP",
            Self::PasswordReset => "PASSWORD_RESET",
            Self::CancelAccess => "CANCEL_ACCESS",
            Self::FilingChange => "FILING_CHANGE",
            Self::FilingTransfer => "FILING_TRANSFER",
            Self::LegacyClaim => "LEGACY_CLAIM",
            Self::LegacyPasswordReset => "LEGACY_PASSWORD_RESET",
        }
    }
}

/// A workflow's state: a typed enum of its steps, stored as JSON.
pub trait FlowState: Serialize + DeserializeOwned {
    const KIND: FlowKind;
    /// The step's name, stored beside the state for people reading the table.
    fn step(&self) -> &'static str;
}

/// The steps of a workflow that proves control of a mobile or email with a code before
/// its last step: started, a code sent, the code's proof held, done with what the last
/// step answered (answered again to a retry). Stored as JSON, tagged by `step`; the
/// aliases read flows stored before the workflows shared this type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CodeStep<T> {
    #[serde(alias = "started")]
    Started,
    #[serde(alias = "code_sent")]
    CodeSent { code_id: String },
    #[serde(alias = "proof_held")]
    ProofHeld { proof: String },
    #[serde(alias = "done")]
    Done {
        #[serde(alias = "order", alias = "started")]
        result: T,
    },
}

impl<T> CodeStep<T> {
    /// The step's name, as [`FlowState::step`] stores it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Started => "STARTED",
            Self::CodeSent { .. } => "CODE_SENT",
            Self::ProofHeld { .. } => "PROOF_HELD",
            Self::Done { .. } => "DONE",
        }
    }
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
            &mut *self.db.writer().await?,
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
            // serde's text can quote the value it met (a proof, a domain): never logged
            tracing::warn!(
                kind = S::KIND.as_str(),
                category = ?e.classify(),
                line = e.line(),
                column = e.column(),
                "an unreadable flow state"
            );
            Error::WorkflowNotFound
        })?;
        Ok(Flow { id: id.clone(), revision: stored.revision, state, expires_at_ms: stored.expires_at_ms })
    }

    /// Moves `flow` to `next`, if nobody moved it since it was read; otherwise
    /// WORKFLOW_STEP_OUT_OF_ORDER and nothing changes.
    pub async fn advance<S: FlowState>(&self, flow: &Flow<S>, next: S) -> Result<Flow<S>, Error> {
        let moved = store::advance(
            &mut *self.db.writer().await?,
            flow.id.as_str(),
            flow.revision,
            next.step(),
            &encode(&next)?,
        )
        .await?;
        if !moved {
            return Err(Error::StepOutOfOrder);
        }
        Ok(Flow {
            id: flow.id.clone(),
            revision: flow.revision + 1,
            state: next,
            expires_at_ms: flow.expires_at_ms,
        })
    }
}

fn encode<T: Serialize>(state: &T) -> Result<String, Error> {
    serde_json::to_string(state).map_err(|e| Error::internal(format!("encoding a flow: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use beian_platform::storage::DatabaseLocation;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "step")]
    enum Steps {
        One,
        Two { by: String },
    }

    impl FlowState for Steps {
        const KIND: FlowKind = FlowKind::AccountLookup;
        fn step(&self) -> &'static str {
            match self {
                Self::One => "ONE",
                Self::Two { .. } => "TWO",
            }
        }
    }

    #[tokio::test]
    async fn a_step_advances_only_from_the_revision_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&DatabaseLocation::sqlite_file(dir.path(), "gateway"), &crate::MIGRATOR)
            .await
            .unwrap();
        let flows = Flows::new(db.clone());
        let created = flows.create(Steps::One).await.unwrap();

        // two steps read the same revision; the first to write wins, the other changes nothing
        let (first, second) = (
            flows.load::<Steps>(&created.id).await.unwrap(),
            flows.load::<Steps>(&created.id).await.unwrap(),
        );
        let moved = flows.advance(&first, Steps::Two { by: "first".into() }).await.unwrap();
        assert_eq!(moved.revision, 1);
        let lost = flows.advance(&second, Steps::Two { by: "second".into() }).await.expect_err("stale");
        assert!(matches!(lost, Error::StepOutOfOrder), "{lost:?}");
        let now = flows.load::<Steps>(&created.id).await.unwrap();
        assert_eq!((now.revision, now.state), (1, Steps::Two { by: "first".into() }));

        // unknown ids and other kinds' ids are not found
        let unknown = FlowId::parse("0123456789abcdef0123456789abcdef").unwrap();
        assert!(matches!(flows.load::<Steps>(&unknown).await, Err(Error::WorkflowNotFound)));
        db.close().await;
    }

    /// A later release's shape of the same kind of flow.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(tag = "step")]
    enum Reshaped {
        Two { by: u32 },
    }

    impl FlowState for Reshaped {
        const KIND: FlowKind = FlowKind::AccountLookup;
        fn step(&self) -> &'static str {
            "TWO"
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_unreadable_state_is_a_flow_gone_and_its_values_stay_out_of_the_logs() {
        let captured = beian_platform::testing::CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt().with_writer(captured.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&DatabaseLocation::sqlite_file(dir.path(), "gateway"), &crate::MIGRATOR)
            .await
            .unwrap();
        let flows = Flows::new(db.clone());
        let created = flows.create(Steps::Two { by: "proof-5ecret".into() }).await.unwrap();

        let gone = flows.load::<Reshaped>(&created.id).await.expect_err("unreadable");
        assert!(matches!(gone, Error::WorkflowNotFound), "{gone:?}");
        let logs = captured.text();
        assert!(logs.contains("an unreadable flow state"), "{logs}");
        assert!(!logs.contains("proof-5ecret"), "{logs}");
        db.close().await;
    }

    #[test]
    fn flow_ids_are_32_hex_digits() {
        assert!(FlowId::parse(" 0123456789ABCDEF0123456789abcdef ").is_ok());
        assert!(FlowId::parse("42").is_err());
        assert!(FlowId::parse("0123456789abcdef0123456789abcdeg").is_err());
        assert_eq!(FlowId::generate().as_str().len(), 32);
    }

    #[test]
    fn code_steps_read_the_names_flows_were_stored_with() {
        let step = |json: &str| serde_json::from_str::<CodeStep<String>>(json).unwrap();
        // as the subject change and cancel access stored them before sharing this type
        assert!(
            matches!(step(r#"{"step":"code_sent","code_id":"c1"}"#), CodeStep::CodeSent { code_id } if code_id == "c1")
        );
        assert!(
            matches!(step(r#"{"step":"done","order":"o1"}"#), CodeStep::Done { result } if result == "o1")
        );
        assert!(
            matches!(step(r#"{"step":"done","started":"o2"}"#), CodeStep::Done { result } if result == "o2")
        );
        // as they are stored now
        let done = CodeStep::Done { result: "o3".to_owned() };
        let stored = serde_json::to_string(&done).unwrap();
        assert_eq!(stored, r#"{"step":"DONE","result":"o3"}"#);
        assert_eq!(step(&stored).name(), "DONE");
        assert_eq!(step(r#"{"step":"PROOF_HELD","proof":"p"}"#).name(), "PROOF_HELD");
    }
}
