//! SQL over the `sessions` table.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// A new session; `idle_timeout_ms` 0 means none.
pub async fn insert(
    db: impl AnyExecutor<'_>,
    token_hash: &str,
    account_id: &str,
    now_ms: i64,
    expires_at_ms: i64,
    idle_timeout_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into sessions (token_hash, account_id, created_at_ms, expires_at_ms, last_seen_at_ms, \
         idle_timeout_ms) values ($1, $2, $3, $4, $3, $5)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(now_ms)
    .bind(expires_at_ms)
    .bind(idle_timeout_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// A live session: neither past its lifetime nor idle past its timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub account_id: String,
    pub last_seen_at_ms: i64,
    pub idle_timeout_ms: i64,
}

pub async fn live(
    db: impl AnyExecutor<'_>,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<LiveSession>, Error> {
    let row = sqlx::query(
        "select account_id, last_seen_at_ms, idle_timeout_ms from sessions \
         where token_hash = $1 and expires_at_ms > $2 \
         and (idle_timeout_ms = 0 or last_seen_at_ms + idle_timeout_ms > $2)",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(LiveSession {
            account_id: row.try_get("account_id")?,
            last_seen_at_ms: row.try_get("last_seen_at_ms")?,
            idle_timeout_ms: row.try_get("idle_timeout_ms")?,
        })
    })
    .transpose()
}

/// Records a use of the session (only ever forward).
pub async fn touch(db: impl AnyExecutor<'_>, token_hash: &str, now_ms: i64) -> Result<(), Error> {
    sqlx::query("update sessions set last_seen_at_ms = $2 where token_hash = $1 and last_seen_at_ms < $2")
        .bind(token_hash)
        .bind(now_ms)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes sessions past their lifetime or idle past their timeout.
pub async fn delete_expired(db: impl AnyExecutor<'_>, now_ms: i64) -> Result<u64, Error> {
    let result = sqlx::query(
        "delete from sessions where expires_at_ms <= $1 \
         or (idle_timeout_ms > 0 and last_seen_at_ms + idle_timeout_ms <= $1)",
    )
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

pub async fn delete(db: impl AnyExecutor<'_>, token_hash: &str) -> Result<(), Error> {
    sqlx::query("delete from sessions where token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

/// Ends every session of an account; answers how many there were.
pub async fn delete_for_account(db: impl AnyExecutor<'_>, account_id: &str) -> Result<u64, Error> {
    Ok(sqlx::query("delete from sessions where account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?
        .rows_affected())
}
