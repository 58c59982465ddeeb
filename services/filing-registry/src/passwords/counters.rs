//! The caps on recoveries: a counter per key and China calendar day, raised by one
//! upsert that answers the new count (exact under concurrency, no row held across a
//! transaction) and lowered again when the request is refused, so a refused address
//! does not use up a filing's allowance.

use std::time::Duration;

use beian_platform::storage::{Database, now_millis};
use sqlx::{AnyExecutor, Row};

use super::PasswordPolicy;
use crate::error::Error;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Days follow Beijing time (UTC+8), as the people asking count them.
const CHINA_OFFSET_MS: i64 = 8 * 60 * 60 * 1000;

fn day_start(now_ms: i64) -> i64 {
    (now_ms + CHINA_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - CHINA_OFFSET_MS
}

/// Counts one recovery from `client` of `filing` (a subject number): CLIENT_LIMIT or
/// FILING_PASSWORD_LOCKED, retry at the next day, when either allowance is used up.
pub async fn take_recovery(
    db: &Database,
    policy: &PasswordPolicy,
    client: &str,
    filing: &str,
) -> Result<(), Error> {
    let now = now_millis();
    let start = day_start(now);
    let retry_after = Duration::from_millis(u64::try_from(start + DAY_MS - now).unwrap_or(0));
    let client_key = format!("client:{client}");
    if add(&mut *db.writer().await?, &client_key, start).await?
        > i64::from(policy.recoveries_per_client_per_day)
    {
        subtract(&mut *db.writer().await?, &client_key, start).await?;
        return Err(Error::ClientLimit { retry_after });
    }
    let filing_key = format!("filing:{filing}");
    if add(&mut *db.writer().await?, &filing_key, start).await?
        > i64::from(policy.recoveries_per_filing_per_day)
    {
        subtract(&mut *db.writer().await?, &filing_key, start).await?;
        subtract(&mut *db.writer().await?, &client_key, start).await?;
        return Err(Error::FilingPasswordLocked { retry_after });
    }
    Ok(())
}

/// Counters of days that ended count nothing any more.
pub async fn forget_past_days(db: &Database, now_ms: i64) -> Result<u64, Error> {
    let done = sqlx::query("delete from recovery_counters where window_start_ms < $1")
        .bind(day_start(now_ms))
        .execute(&mut *db.writer().await?)
        .await?;
    Ok(done.rows_affected())
}

async fn add(db: impl AnyExecutor<'_>, key: &str, window_start_ms: i64) -> Result<i64, Error> {
    let row = sqlx::query(
        "insert into recovery_counters (counter_key, window_start_ms, hits) values ($1, $2, 1) \
         on conflict (counter_key, window_start_ms) do update set hits = recovery_counters.hits + 1 \
         returning hits",
    )
    .bind(key)
    .bind(window_start_ms)
    .fetch_one(db)
    .await?;
    Ok(row.try_get("hits")?)
}

async fn subtract(db: impl AnyExecutor<'_>, key: &str, window_start_ms: i64) -> Result<(), Error> {
    sqlx::query(
        "update recovery_counters set hits = hits - 1 where counter_key = $1 and window_start_ms = $2",
    )
    .bind(key)
    .bind(window_start_ms)
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_beijing_midnight() {
        // 2026-01-01T15:59:59Z is 23:59:59 in Beijing; a second later is the next day there
        let before = 1_767_283_199_000;
        assert_eq!(day_start(before), 1_767_196_800_000);
        assert_eq!(day_start(before + 1000), before + 1000);
    }
}
