//! SQL over `client_quotas`.

use sqlx::AnyExecutor;

use crate::error::Error;

/// Raises the window's counter if it is below `limit` (the first use inserts it);
/// false when the limit was reached. One statement: racing takers cannot overrun.
pub async fn take(
    db: impl AnyExecutor<'_>,
    client: &str,
    action: &str,
    window_start_ms: i64,
    limit: i64,
) -> Result<bool, Error> {
    let taken = sqlx::query(
        "insert into client_quotas (client, action, window_start_ms, used) values ($1, $2, $3, 1) \
         on conflict (client, action, window_start_ms) do update set used = client_quotas.used + 1 \
         where client_quotas.used < $4",
    )
    .bind(client)
    .bind(action)
    .bind(window_start_ms)
    .bind(limit)
    .execute(db)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

pub async fn delete_before(db: impl AnyExecutor<'_>, window_start_ms: i64) -> Result<u64, Error> {
    Ok(sqlx::query("delete from client_quotas where window_start_ms < $1")
        .bind(window_start_ms)
        .execute(db)
        .await?
        .rows_affected())
}
