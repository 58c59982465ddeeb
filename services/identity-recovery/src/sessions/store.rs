//! SQL over the `sessions` table.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

pub async fn insert(
    db: impl AnyExecutor<'_>,
    token_hash: &str,
    account_id: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into sessions (token_hash, account_id, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(now_ms)
    .bind(expires_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// The account of a live session.
pub async fn live_account_id(
    db: impl AnyExecutor<'_>,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<String>, Error> {
    let row = sqlx::query("select account_id from sessions where token_hash = $1 and expires_at_ms > $2")
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("account_id")).transpose()?)
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
