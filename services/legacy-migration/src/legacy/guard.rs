//! Guessing legacy passwords: per login email (known or not, the same), a streak of
//! failed checks; the `max_failures`-th failure locks the email for `lock` (so the
//! next try is LEGACY_LOGIN_LOCKED with RetryInfo), and a streak quiet for `lock`
//! starts again. A successful check ends the streak, as does a password reset of the
//! email's login (`login_reset`). The thresholds follow identity-recovery's account
//! guard (5 failures, a 15-minute wait), without its growing waits: the legacy platform
//! is only visited to import once.
//!
//! Every try is counted by one atomic conditional upsert *before* the hash is
//! checked, so concurrent guesses never check more passwords than the policy allows.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// The lock policy; `Default` is the documented default of each setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardPolicy {
    /// Failures in a streak that lock the email.
    pub max_failures: u32,
    /// How long the lock lasts, and how long a quiet streak is remembered.
    pub lock: Duration,
}

impl Default for GuardPolicy {
    fn default() -> Self {
        Self { max_failures: 5, lock: Duration::from_secs(15 * 60) }
    }
}

impl GuardPolicy {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.max_failures >= 1, "BEIAN_LEGACY_LOGIN_FAILURES must be at least 1");
        anyhow::ensure!(
            self.lock >= Duration::from_secs(1),
            "BEIAN_LEGACY_LOGIN_LOCK_SECONDS must be at least 1"
        );
        Ok(())
    }
}

/// What failures are counted under: the SHA-256 of the lower-cased email (no email at rest
/// for an address nobody registered).
pub fn failure_key(email_key: &str) -> String {
    hex::encode(Sha256::digest(email_key.as_bytes()))
}

/// Counts one try for `key` unless it is locked at `now_ms`: false means locked (nothing
/// counted). One statement, exact under concurrency on both engines.
pub async fn claim_try(
    db: impl AnyExecutor<'_>,
    key: &str,
    policy: &GuardPolicy,
    now_ms: i64,
) -> Result<bool, Error> {
    let lock_ms = i64::try_from(policy.lock.as_millis()).unwrap_or(i64::MAX);
    let first_lock = if policy.max_failures <= 1 { now_ms.saturating_add(lock_ms) } else { 0 };
    let row = sqlx::query(
        "insert into legacy_login_failures (email_key, failures, last_failure_at_ms, locked_until_ms) \
         values ($1, 1, $2, $3) \
         on conflict (email_key) do update set \
         failures = case when legacy_login_failures.last_failure_at_ms <= $2 - $5 then 1 \
         else legacy_login_failures.failures + 1 end, \
         last_failure_at_ms = excluded.last_failure_at_ms, \
         locked_until_ms = case \
         when (case when legacy_login_failures.last_failure_at_ms <= $2 - $5 then 1 \
         else legacy_login_failures.failures + 1 end) >= $4 then $2 + $5 else 0 end \
         where legacy_login_failures.locked_until_ms <= excluded.last_failure_at_ms \
         returning failures",
    )
    .bind(key)
    .bind(now_ms)
    .bind(first_lock)
    .bind(i64::from(policy.max_failures))
    .bind(lock_ms)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Until when `key` is locked (0 if it is not, or has no row).
pub async fn locked_until(db: impl AnyExecutor<'_>, key: &str) -> Result<i64, Error> {
    let row = sqlx::query("select locked_until_ms from legacy_login_failures where email_key = $1")
        .bind(key)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("locked_until_ms")).transpose()?.unwrap_or(0))
}

/// A right password ends the streak (and the lock its own try claimed); so does a password
/// reset, lock and all.
pub async fn reset(db: impl AnyExecutor<'_>, key: &str) -> Result<(), Error> {
    sqlx::query("delete from legacy_login_failures where email_key = $1").bind(key).execute(db).await?;
    Ok(())
}
