//! SQL of a transfer: the deciding update of `subjects`, the order check after it, and
//! reads of `holder_changes`.

use sqlx::{Any, AnyExecutor, Row, Transaction};

use super::{
    HolderChange,
    history::{Cursor, Listing},
};
use crate::error::Error;

/// Moves the subject from `from` to `to` if `from` still holds it; answers whether it
/// moved. The first statement of the transfer's transaction: it takes the subject's row
/// (PostgreSQL's row lock, SQLite's one writer) as order creation does first, so concurrent
/// transfers of one subject and orders on it are ordered; `unique(holder_account_id)`
/// refuses a second subject for `to` (a unique violation).
pub async fn move_subject(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    from: &str,
    to: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "update subjects set holder_account_id = $3, version = version + 1, updated_at_ms = $4 \
         where subject_id = $1 and holder_account_id = $2",
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

/// Whether an order is in progress on the subject. Read in its own statement after
/// [`move_subject`] took the row: under READ COMMITTED a statement sees what committed
/// before it began, so an order whose transaction held the row first is seen here (a
/// condition inside the move itself would be judged on the move's older snapshot).
pub async fn order_in_progress(tx: &mut Transaction<'_, Any>, subject_id: &str) -> Result<bool, Error> {
    Ok(sqlx::query("select order_number from orders where subject_id = $1 and state = 'IN_PROGRESS'")
        .bind(subject_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

fn change_from_row(row: &sqlx::any::AnyRow) -> Result<HolderChange, Error> {
    Ok(HolderChange {
        change_id: row.try_get("change_id")?,
        subject_id: row.try_get("subject_id")?,
        filing_number: row.try_get("filing_number")?,
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
        "select c.change_id, c.subject_id, s.filing_number, c.from_account_id, c.to_account_id, \
         c.actor, c.reason, c.changed_at_ms \
         from holder_changes c join subjects s on s.subject_id = c.subject_id \
         where c.idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(change_from_row)
    .transpose()
}

/// Up to `limit` changes of a listing after `after`, oldest first. A party listing is the
/// account's changes as old or new holder and every change of the subject it holds now.
pub async fn history_page(
    db: impl AnyExecutor<'_>,
    listing: &Listing,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<Vec<HolderChange>, Error> {
    let query = match listing {
        Listing::Subject(subject_id) => sqlx::query(
            "select c.change_id, c.subject_id, s.filing_number, c.from_account_id, c.to_account_id, \
             c.actor, c.reason, c.changed_at_ms \
             from holder_changes c join subjects s on s.subject_id = c.subject_id \
             where c.subject_id = $1 \
             and (c.changed_at_ms > $2 or (c.changed_at_ms = $2 and c.change_id > $3)) \
             order by c.changed_at_ms, c.change_id limit $4",
        )
        .bind(subject_id),
        Listing::Party(account_id) => sqlx::query(
            "select c.change_id, c.subject_id, s.filing_number, c.from_account_id, c.to_account_id, \
             c.actor, c.reason, c.changed_at_ms \
             from holder_changes c join subjects s on s.subject_id = c.subject_id \
             where (c.from_account_id = $1 or c.to_account_id = $1 \
             or c.subject_id = (select h.subject_id from subjects h where h.holder_account_id = $1)) \
             and (c.changed_at_ms > $2 or (c.changed_at_ms = $2 and c.change_id > $3)) \
             order by c.changed_at_ms, c.change_id limit $4",
        )
        .bind(account_id),
    };
    let (after_ms, after_id) = after.map_or((i64::MIN, ""), |c| (c.changed_at_ms, c.change_id.as_str()));
    query
        .bind(after_ms)
        .bind(after_id)
        .bind(i64::try_from(limit).map_err(Error::internal)?)
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
