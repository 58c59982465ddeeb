//! SQL over the `flows` table.

use sqlx::{AnyExecutor, Row};

use super::FlowKind;
use crate::error::Error;

/// A flow to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewFlow<'a> {
    pub flow_id: &'a str,
    pub kind: FlowKind,
    pub step: &'a str,
    pub state: &'a str,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}

/// A stored flow: its revision and JSON state.
#[derive(Debug, Clone)]
pub struct StoredFlow {
    pub revision: i64,
    pub state: String,
    pub expires_at_ms: i64,
}

pub async fn insert(db: impl AnyExecutor<'_>, flow: NewFlow<'_>) -> Result<(), Error> {
    sqlx::query(
        "insert into flows (flow_id, kind, step, state, revision, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(flow.flow_id)
    .bind(flow.kind.as_str())
    .bind(flow.step)
    .bind(flow.state)
    .bind(flow.now_ms)
    .bind(flow.expires_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// A live flow of `kind`; None if unknown, of another kind, or expired.
pub async fn find_live(
    db: impl AnyExecutor<'_>,
    flow_id: &str,
    kind: FlowKind,
    now_ms: i64,
) -> Result<Option<StoredFlow>, Error> {
    let row = sqlx::query(
        "select revision, state, expires_at_ms from flows \
         where flow_id = $1 and kind = $2 and expires_at_ms > $3",
    )
    .bind(flow_id)
    .bind(kind.as_str())
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(StoredFlow {
            revision: row.try_get("revision")?,
            state: row.try_get("state")?,
            expires_at_ms: row.try_get("expires_at_ms")?,
        })
    })
    .transpose()
}

/// Moves a flow from `revision` to the next with `step` and `state`; false when the
/// flow is no longer at `revision` (another step moved it first).
pub async fn advance(
    db: impl AnyExecutor<'_>,
    flow_id: &str,
    revision: i64,
    step: &str,
    state: &str,
) -> Result<bool, Error> {
    let moved = sqlx::query(
        "update flows set step = $3, state = $4, revision = revision + 1 \
         where flow_id = $1 and revision = $2",
    )
    .bind(flow_id)
    .bind(revision)
    .bind(step)
    .bind(state)
    .execute(db)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// Forgets flows that expired before `now_ms`.
pub async fn delete_expired(db: impl AnyExecutor<'_>, now_ms: i64) -> Result<u64, Error> {
    Ok(sqlx::query("delete from flows where expires_at_ms <= $1")
        .bind(now_ms)
        .execute(db)
        .await?
        .rows_affected())
}
