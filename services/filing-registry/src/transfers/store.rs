//! SQL of a transfer: the deciding update of `subjects` and reads of `holder_changes`.

use sqlx::{Any, AnyExecutor, Row, Transaction};

use super::HolderChange;
use crate::error::Error;

/// Moves the subject from `from` to `to` if `from` still holds it and no order is in
/// progress on it; answers whether it moved. The first statement of the transfer's
/// transaction: the row lock (PostgreSQL) or the one writer (SQLite) orders concurrent
/// transfers of one subject, and `unique(holder_account_id)` refuses a second subject
/// for `to` (a unique violation).
pub async fn move_subject(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    from: &str,
    to: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "update subjects set holder_account_id = $3, version = version + 1, updated_at_ms = $4 \
         where subject_id = $1 and holder_account_id = $2 \
         and not exists (select 1 from orders o where o.subject_id = $1 and o.state = 'IN_PROGRESS')",
    )
    .bind(subject_id)
    .bind(from)
    .bind(to)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

fn change_from_row(row: &sqlx::any::AnyRow) -> Result<HolderChange, Error> {
    Ok(HolderChange {
        change_id: row.try_get("change_id")?,
        subject_id: row.try_get("subject_id")?,
        from_account_id: row.try_get("from_account_id")?,
        to_account_id: row.try_get("to_account_id")?,
        actor: row.try_get("actor")?,
        reason: row.try_get("reason")?,
        changed_at_ms: row.try_get("changed_at_ms")?,
    })
}

/// The change a request made, by its idempotency key.
pub async fn change_by_key(db: impl AnyExecutor<'_>, key: &str) -> Result<Option<HolderChange>, Error> {
    sqlx::query(
        "select change_id, subject_id, from_account_id, to_account_id, actor, reason, changed_at_ms \
         from holder_changes where idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(change_from_row)
    .transpose()
}

/// Every change of holder of a subject, oldest first.
pub async fn history(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<Vec<HolderChange>, Error> {
    sqlx::query(
        "select change_id, subject_id, from_account_id, to_account_id, actor, reason, changed_at_ms \
         from holder_changes where subject_id = $1 order by changed_at_ms, change_id",
    )
    .bind(subject_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(change_from_row)
    .collect()
}

/// A subject's filing number by its id.
pub async fn subject_number(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<Option<String>, Error> {
    Ok(sqlx::query("select filing_number from subjects where subject_id = $1")
        .bind(subject_id)
        .fetch_optional(db)
        .await?
        .map(|row| row.try_get("filing_number"))
        .transpose()?)
}
