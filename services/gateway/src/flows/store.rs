//! SQL over the `flows` table.

use sqlx::{AnyExecutor, Row};

use super::FlowKind;
use crate::error::Error;

/// A stored flow: its step and JSON state.
#[derive(Debug, Clone)]
pub struct StoredFlow {
    pub step: String,
    pub state: String,
}

pub async fn insert(
    db: impl AnyExecutor<'_>,
    flow_id: &str,
    kind: FlowKind,
    step: &str,
    state: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into flows (flow_id, kind, step, state, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(flow_id)
    .bind(kind.as_str())
    .bind(step)
    .bind(state)
    .bind(now_ms)
    .bind(expires_at_ms)
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
        "select step, state from flows \
         where flow_id = $1 and kind = $2 and expires_at_ms > $3",
    )
    .bind(flow_id)
    .bind(kind.as_str())
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok(StoredFlow { step: row.try_get("step")?, state: row.try_get("state")? })).transpose()
}

/// Moves a flow to `step` with `state`.
pub async fn update(db: impl AnyExecutor<'_>, flow_id: &str, step: &str, state: &str) -> Result<(), Error> {
    sqlx::query("update flows set step = $2, state = $3 where flow_id = $1")
        .bind(flow_id)
        .bind(step)
        .bind(state)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets flows that expired before `now_ms`.
pub async fn delete_expired(db: impl AnyExecutor<'_>, now_ms: i64) -> Result<u64, Error> {
    Ok(sqlx::query("delete from flows where expires_at_ms <= $1")
        .bind(now_ms)
        .execute(db)
        .await?
        .rows_affected())
}
