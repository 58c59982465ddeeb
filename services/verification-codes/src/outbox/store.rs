//! SQL over `outbox`.

use sqlx::{AnyConnection, AnyExecutor, Row};

use super::{NewMessage, sealing::Sealer};
use beian_common::vocabulary::Channel;
use beian_platform::storage::script::Statement;

use crate::error::Error;

/// Queues a message in the caller's transaction, once per idempotency key,
/// its parameters sealed; answers the message id (the existing one when the
/// key was seen before).
pub async fn enqueue(
    conn: &mut AnyConnection,
    sealer: &Sealer,
    message: &NewMessage,
    now_ms: i64,
) -> Result<String, Error> {
    let (message_id, insert) = insert(sealer, message, now_ms)?;
    let inserted = insert.append(" returning message_id").fetch_optional(&mut *conn).await?;
    if inserted.is_some() {
        return Ok(message_id);
    }
    let row = sqlx::query("select message_id from outbox where idempotency_key = $1")
        .bind(&message.idempotency_key)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("message_id")?)
}

/// The message's new id and the statement that queues it, unless its
/// idempotency key is queued already.
pub fn insert(sealer: &Sealer, message: &NewMessage, now_ms: i64) -> Result<(String, Statement), Error> {
    let message_id = uuid::Uuid::new_v4().simple().to_string();
    let params = sealer.seal(&message_id, &message.params).map_err(Error::internal)?;
    let statement = Statement::new(
        "insert into outbox (message_id, idempotency_key, channel, destination, template, locale, params, \
         state, attempts, next_attempt_at_ms, created_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, 'PENDING', 0, $8, $8) on conflict (idempotency_key) do nothing",
    )
    .bind(message_id.as_str())
    .bind(message.idempotency_key.as_str())
    .bind(message.destination.channel().as_str())
    .bind(message.destination.address())
    .bind(message.template.name())
    .bind(message.locale.as_str())
    .bind(params)
    .bind(now_ms);
    Ok((message_id, statement))
}

/// A message this dispatcher holds the lease of.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub message_id: String,
    pub channel: Channel,
    pub destination: String,
    pub template: String,
    pub locale: String,
    /// The parameters as stored: sealed for this message id.
    pub sealed_params: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// Takes up to `limit` due messages for delivery, the longest waiting first, in one
/// statement: the conditional update pushes their next attempt past `lease_until_ms`,
/// so no other dispatcher takes them meanwhile, and counts the attempt (a dispatcher
/// that dies mid-delivery used one up). The due condition stands outside the subquery
/// too, so on PostgreSQL a dispatcher that waited for another's claim re-checks it and
/// skips what the other took.
pub async fn claim_due(
    db: impl AnyExecutor<'_>,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<Claimed>, Error> {
    let rows = sqlx::query(
        "update outbox set next_attempt_at_ms = $2, attempts = attempts + 1 \
         where state = 'PENDING' and next_attempt_at_ms <= $1 and message_id in ( \
           select message_id from outbox where state = 'PENDING' and next_attempt_at_ms <= $1 \
           order by next_attempt_at_ms limit $3) \
         returning message_id, channel, destination, template, locale, params, attempts",
    )
    .bind(now_ms)
    .bind(lease_until_ms)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("channel")?;
            Ok(Claimed {
                message_id: row.try_get("message_id")?,
                channel: channel.parse().map_err(Error::internal)?,
                destination: row.try_get("destination")?,
                template: row.try_get("template")?,
                locale: row.try_get("locale")?,
                sealed_params: row.try_get("params")?,
                attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Delivered, all in one statement: the parameters (codes, passwords) are no longer
/// kept, not even sealed.
pub async fn mark_sent(db: impl AnyExecutor<'_>, message_ids: &[&str], now_ms: i64) -> Result<(), Error> {
    if message_ids.is_empty() {
        return Ok(());
    }
    // one placeholder per id: the statement text (and its cached plan) per batch size
    let placeholders: Vec<String> = (2..message_ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "update outbox set state = 'SENT', sent_at_ms = $1, params = '' \
         where state = 'PENDING' and message_id in ({})",
        placeholders.join(", ")
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms);
    message_ids.iter().fold(query, |query, id| query.bind(*id)).execute(db).await?;
    Ok(())
}

/// Given up: kept for the record without its parameters.
pub async fn mark_failed(db: impl AnyExecutor<'_>, message_id: &str) -> Result<(), Error> {
    sqlx::query(
        "update outbox set state = 'FAILED', params = '' where message_id = $1 and state = 'PENDING'",
    )
    .bind(message_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Another attempt at `at_ms`.
pub async fn reschedule(db: impl AnyExecutor<'_>, message_id: &str, at_ms: i64) -> Result<(), Error> {
    sqlx::query("update outbox set next_attempt_at_ms = $2 where message_id = $1 and state = 'PENDING'")
        .bind(message_id)
        .bind(at_ms)
        .execute(db)
        .await?;
    Ok(())
}

/// What waits in the outbox: messages pending, when the oldest was queued, and
/// messages given up on (FAILED after their last attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub pending: i64,
    pub oldest_pending_created_at_ms: Option<i64>,
    pub failed: i64,
}

/// Read at every scrape. The outbox keeps a week of delivered messages; naming the
/// states counted lets the `(state, …)` index skip them, where `state <> 'SENT'`
/// read the whole table each time.
const BACKLOG: &str = "select \
       coalesce(sum(case when state = 'PENDING' then 1 else 0 end), 0) as pending, \
       min(case when state = 'PENDING' then created_at_ms end) as oldest, \
       coalesce(sum(case when state = 'FAILED' then 1 else 0 end), 0) as failed \
     from outbox where state in ('PENDING', 'FAILED')";

pub async fn backlog(db: impl AnyExecutor<'_>) -> Result<Backlog, Error> {
    let row = sqlx::query(BACKLOG).fetch_one(db).await?;
    Ok(Backlog {
        pending: row.try_get("pending")?,
        oldest_pending_created_at_ms: row.try_get("oldest")?,
        failed: row.try_get("failed")?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "tests")]

    use beian_platform::storage::{Database, DatabaseLocation};

    use super::*;

    #[tokio::test]
    async fn the_backlog_reads_only_undelivered_messages_through_the_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(&DatabaseLocation::sqlite_file(dir.path(), "outbox"), &crate::MIGRATOR)
            .await
            .expect("opens");
        let plan: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!("explain query plan {BACKLOG}")))
            .fetch_all(db.reader())
            .await
            .expect("explains")
            .iter()
            .map(|row| row.try_get("detail").expect("a plan line"))
            .collect();
        assert!(plan.iter().any(|step| step.contains("USING INDEX outbox_due")), "{plan:?}");
        assert!(!plan.iter().any(|step| step.starts_with("SCAN outbox")), "{plan:?}");

        let rows = [("m1", "PENDING", 30), ("m2", "PENDING", 20), ("m3", "SENT", 10), ("m4", "FAILED", 40)];
        for (id, state, created) in rows {
            sqlx::query(
                "insert into outbox (message_id, idempotency_key, channel, destination, template, \
                 locale, params, state, attempts, next_attempt_at_ms, created_at_ms) \
                 values ($1, $1, 'SMS', '13900000000', 'T', 'zh-CN', '', $2, 0, 0, $3)",
            )
            .bind(id)
            .bind(state)
            .bind(created)
            .execute(&mut *db.writer().await.expect("the writer"))
            .await
            .expect("inserts");
        }
        let backlog = backlog(db.reader()).await.expect("reads");
        assert_eq!(backlog, Backlog { pending: 2, oldest_pending_created_at_ms: Some(20), failed: 1 });
        db.close().await;
    }
}
