//! SQL over the `password_resets` table: one row per reset done, by the caller's request id.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// The account a reset with this request id was done for, if one was.
pub async fn account_of(db: impl AnyExecutor<'_>, request_id: &str) -> Result<Option<String>, Error> {
    let row = sqlx::query("select account_id from password_resets where request_id = $1")
        .bind(request_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("account_id")).transpose()?)
}

/// Records a reset; false when the request id was recorded already (a racing retry won).
pub async fn insert(
    db: impl AnyExecutor<'_>,
    request_id: &str,
    account_id: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let result = sqlx::query(
        "insert into password_resets (request_id, account_id, reset_at_ms) values ($1, $2, $3) \
         on conflict do nothing",
    )
    .bind(request_id)
    .bind(account_id)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}
