//! SQL over `notice_outbox`.

use beian_common::vocabulary::Channel;
use sqlx::{Any, AnyExecutor, Row, Transaction};

use super::NewNotice;
use crate::error::Error;

pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    notice: &NewNotice<'_>,
    sealed_params: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into notice_outbox (notice_id, channel, destination, template, locale, sealed_params, \
         state, attempts, next_attempt_at_ms, created_at_ms) \
         values ($1, $2, $3, $4, $5, $6, 'PENDING', 0, $7, $7)",
    )
    .bind(&notice.notice_id)
    .bind(notice.channel.as_str())
    .bind(notice.destination)
    .bind(super::template_name(notice.template))
    .bind(notice.locale.as_str())
    .bind(sealed_params)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A queued notice as the relay reads it. No `Debug`: it holds a destination.
pub struct Queued {
    pub notice_id: String,
    pub channel: Channel,
    pub destination: String,
    pub template: String,
    pub locale: String,
    pub sealed_params: String,
    pub attempts: i64,
}

/// Pending notices whose time has come, oldest first.
pub async fn due(db: impl AnyExecutor<'_>, now_ms: i64, limit: i64) -> Result<Vec<Queued>, Error> {
    let rows = sqlx::query(
        "select notice_id, channel, destination, template, locale, sealed_params, attempts \
         from notice_outbox where state = 'PENDING' and next_attempt_at_ms <= $1 \
         order by next_attempt_at_ms, notice_id limit $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("channel")?;
            Ok(Queued {
                notice_id: row.try_get("notice_id")?,
                channel: Channel::parse(&channel)
                    .ok_or_else(|| Error::internal(format!("stored channel {channel:?}")))?,
                destination: row.try_get("destination")?,
                template: row.try_get("template")?,
                locale: row.try_get("locale")?,
                sealed_params: row.try_get::<Option<String>, _>("sealed_params")?.unwrap_or_default(),
                attempts: row.try_get("attempts")?,
            })
        })
        .collect()
}

/// verification-codes has it: the parameters are no longer needed here.
pub async fn mark_handed_off(db: impl AnyExecutor<'_>, notice_id: &str, now_ms: i64) -> Result<(), Error> {
    sqlx::query(
        "update notice_outbox set state = 'HANDED_OFF', sealed_params = null, handed_off_at_ms = $2 \
         where notice_id = $1 and state = 'PENDING'",
    )
    .bind(notice_id)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn reschedule(
    db: impl AnyExecutor<'_>,
    notice_id: &str,
    attempts: i64,
    next_attempt_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update notice_outbox set attempts = $2, next_attempt_at_ms = $3 \
         where notice_id = $1 and state = 'PENDING'",
    )
    .bind(notice_id)
    .bind(attempts)
    .bind(next_attempt_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// It can never go out (its parameters do not open): kept for the operator, never retried.
pub async fn mark_failed(db: impl AnyExecutor<'_>, notice_id: &str) -> Result<(), Error> {
    sqlx::query(
        "update notice_outbox set state = 'FAILED', sealed_params = null \
         where notice_id = $1 and state = 'PENDING'",
    )
    .bind(notice_id)
    .execute(db)
    .await?;
    Ok(())
}
