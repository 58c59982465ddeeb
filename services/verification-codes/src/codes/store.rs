//! SQL over `codes`.

use sqlx::{AnyConnection, AnyExecutor, Row};

use super::CodeState;
use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::script::Statement;

use crate::error::Error;

/// A code row to insert.
#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub code_id: &'a str,
    /// SendCode's idempotency key (unique).
    pub request_id: &'a str,
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination: &'a str,
    pub destination_key: &'a str,
    pub code_hash: &'a str,
    pub client_ip: &'a str,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Kills the live codes of this destination and purpose: only the newest code works.
pub fn kill_live(destination_key: &str, purpose: Purpose) -> Statement {
    Statement::new(
        "update codes set state = 'DEAD' where destination_key = $1 and purpose = $2 and state = 'LIVE'",
    )
    .bind(destination_key)
    .bind(purpose.as_str())
}

pub fn insert(code: &NewCode<'_>) -> Statement {
    Statement::new(
        "insert into codes (code_id, request_id, purpose, channel, destination, destination_key, code_hash, \
         attempts, state, client_ip, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, 0, 'LIVE', $8, $9, $10)",
    )
    .bind(code.code_id)
    .bind(code.request_id)
    .bind(code.purpose.as_str())
    .bind(code.channel.as_str())
    .bind(code.destination)
    .bind(code.destination_key)
    .bind(code.code_hash)
    .bind(code.client_ip)
    .bind(code.created_at_ms)
    .bind(code.expires_at_ms)
}

/// A code as SendCode's retry answers it.
#[derive(Debug, Clone)]
pub struct SentCode {
    pub code_id: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination: String,
    pub destination_key: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// The code sent for this request id, if any.
pub async fn by_request(db: impl AnyExecutor<'_>, request_id: &str) -> Result<Option<SentCode>, Error> {
    let row = sqlx::query(
        "select code_id, purpose, channel, destination, destination_key, created_at_ms, expires_at_ms \
         from codes where request_id = $1",
    )
    .bind(request_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let purpose: String = row.try_get("purpose")?;
    let channel: String = row.try_get("channel")?;
    Ok(Some(SentCode {
        code_id: row.try_get("code_id")?,
        purpose: purpose.parse().map_err(Error::internal)?,
        channel: channel.parse().map_err(Error::internal)?,
        destination: row.try_get("destination")?,
        destination_key: row.try_get("destination_key")?,
        created_at_ms: row.try_get("created_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
    }))
}

/// A live code after an attempt was counted against it.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination_key: String,
    pub code_hash: String,
    pub attempts: i64,
    /// The `max_failures`-th newest failed check of its destination and purpose
    /// within the day, if there are that many.
    pub nth_failure_ms: Option<i64>,
}

/// The deciding write of a check: counts one attempt against a live,
/// unexpired code that has attempts left, and answers it; `None` otherwise.
/// Concurrent checks of one code queue on its row, each seeing the count
/// (and state) the previous one left.
pub async fn count_attempt(
    conn: &mut AnyConnection,
    code_id: &str,
    now_ms: i64,
    max_checks: u32,
    failures: Failures,
) -> Result<Option<Attempted>, Error> {
    let row = sqlx::query(
        "update codes set attempts = attempts + 1 \
         where code_id = $1 and state = 'LIVE' and expires_at_ms > $2 and attempts < $3 \
         returning purpose, channel, destination_key, code_hash, attempts, \
         (select f.created_at_ms from check_failures f where f.destination_key = codes.destination_key \
          and f.purpose = codes.purpose and f.created_at_ms > $4 order by f.created_at_ms desc \
          limit 1 offset $5) as nth_failure_ms",
    )
    .bind(code_id)
    .bind(now_ms)
    .bind(i64::from(max_checks))
    .bind(failures.since_ms)
    .bind(i64::from(failures.max.saturating_sub(1)))
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let purpose: String = row.try_get("purpose")?;
    let channel: String = row.try_get("channel")?;
    Ok(Some(Attempted {
        purpose: purpose.parse().map_err(Error::internal)?,
        channel: channel.parse().map_err(Error::internal)?,
        destination_key: row.try_get("destination_key")?,
        code_hash: row.try_get("code_hash")?,
        attempts: row.try_get("attempts")?,
        nth_failure_ms: row.try_get("nth_failure_ms")?,
    }))
}

/// Which failed checks [`count_attempt`] reads: the `max`-th newest since `since_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Failures {
    pub since_ms: i64,
    pub max: u32,
}

/// Moves a live code to `state` (USED with the request id of the check that
/// used it); changes nothing if it is not live any more.
pub fn finish(code_id: &str, state: CodeState, check_request_id: Option<&str>) -> Statement {
    Statement::new("update codes set state = $2, check_request_id = $3 where code_id = $1 and state = 'LIVE'")
        .bind(code_id)
        .bind(state.as_str())
        .bind(check_request_id)
}

/// Counts one check against a code whose standing was read in the same
/// transaction on the one writer (see `one_writer`).
pub fn count_check(code_id: &str) -> Statement {
    Statement::new("update codes set attempts = attempts + 1 where code_id = $1").bind(code_id)
}

/// Where a code stands when it could not be checked, and what a retry of
/// the check that used it is compared with.
#[derive(Debug, Clone)]
pub struct Standing {
    pub state: CodeState,
    pub attempts: i64,
    pub purpose: Purpose,
    pub destination_key: String,
    pub code_hash: String,
    pub check_request_id: Option<String>,
}

pub async fn standing(db: impl AnyExecutor<'_>, code_id: &str) -> Result<Option<Standing>, Error> {
    let row = sqlx::query(
        "select state, attempts, purpose, destination_key, code_hash, check_request_id \
         from codes where code_id = $1",
    )
    .bind(code_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let state: String = row.try_get("state")?;
    let purpose: String = row.try_get("purpose")?;
    Ok(Some(Standing {
        state: state.parse().map_err(Error::internal)?,
        attempts: row.try_get("attempts")?,
        purpose: purpose.parse().map_err(Error::internal)?,
        destination_key: row.try_get("destination_key")?,
        code_hash: row.try_get("code_hash")?,
        check_request_id: row.try_get("check_request_id")?,
    }))
}
