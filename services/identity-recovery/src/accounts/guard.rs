//! Brute-force detection of logins, after Keycloak's: per login name, a streak of
//! failures; from the `failure_factor`-th on, each failure locks the name for
//! `wait_increment × (failures ÷ failure_factor)`, at most `max_wait` (so waits grow,
//! then stay at the cap; never a permanent lock); a streak ends with a successful
//! login or after `failure_reset` without failures. Keycloak's optional quick-login
//! check is not used. And per client address, a fixed-window cap of failed logins
//! across all names.
//!
//! Every failure is counted by one atomic conditional upsert *before* the password
//! is checked, so concurrent wrong guesses can never check more passwords than the
//! policy allows: the claim that would pass a lock does not happen, on both engines.

use std::{
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

use beian_platform::storage::duration_millis;
use sha2::{Digest, Sha256};
use sqlx::{AnyExecutor, Row};

use super::login_name_key;
use crate::error::Error;

/// The brute-force policy; `Default` is the documented default of every setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardPolicy {
    /// Failures in a streak before the first wait (Keycloak: failureFactor).
    pub failure_factor: u32,
    /// Wait added per `failure_factor` failures (Keycloak: waitIncrementSeconds).
    pub wait_increment: Duration,
    /// Longest wait (Keycloak: maxFailureWaitSeconds).
    pub max_wait: Duration,
    /// A streak without a failure for this long starts again (Keycloak: maxDeltaTimeSeconds).
    pub failure_reset: Duration,
    /// Failed logins one client address may have per window, across all names.
    pub client_failures_per_window: u32,
    pub client_window: Duration,
}

impl Default for GuardPolicy {
    fn default() -> Self {
        Self {
            failure_factor: 5,
            wait_increment: Duration::from_secs(60),
            max_wait: Duration::from_secs(15 * 60),
            failure_reset: Duration::from_secs(12 * 60 * 60),
            client_failures_per_window: 100,
            client_window: Duration::from_secs(15 * 60),
        }
    }
}

impl GuardPolicy {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.failure_factor >= 1, "the login failure factor must be at least 1");
        anyhow::ensure!(!self.wait_increment.is_zero(), "the login wait increment must be positive");
        anyhow::ensure!(
            self.max_wait >= self.wait_increment,
            "the login max wait must be at least one increment"
        );
        anyhow::ensure!(!self.failure_reset.is_zero(), "the login failure reset must be positive");
        anyhow::ensure!(self.client_failures_per_window >= 1, "the client login cap must be at least 1");
        anyhow::ensure!(
            self.client_window >= Duration::from_secs(1),
            "the client login window must be at least 1 s"
        );
        Ok(())
    }

    /// How long the `failures`-th failure of a streak locks the name (zero: not at all).
    pub fn wait_after(&self, failures: u32) -> Duration {
        let steps = failures / self.failure_factor.max(1);
        self.wait_increment.saturating_mul(steps).min(self.max_wait)
    }
}

/// What failures are counted under for a login name: the SHA-256 of its lookup key.
pub fn failure_key(login_name: &str) -> String {
    hex::encode(Sha256::digest(login_name_key(login_name).as_bytes()))
}

/// What a client address is capped under: an IPv4 address, or the /64 of an IPv6 one
/// (one subscriber usually holds a whole /64).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
    }
}

/// A failure counted before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    /// Failures of the streak, this one included.
    pub failures: i64,
    pub streak_started_at_ms: i64,
    /// When this failure, if it stands, locks the name until (0: it does not).
    pub locked_until_ms: i64,
}

/// Starts a new streak when the last failure is older than the policy's reset.
/// Separate from the claim so the claim's arithmetic stays on one row state; racing
/// resets are harmless (a claim in between makes the condition false).
pub async fn forget_stale_streak(
    db: impl AnyExecutor<'_>,
    key: &str,
    policy: &GuardPolicy,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update login_failures set failures = 0 \
         where login_key = $1 and failures > 0 and last_failure_at_ms <= $2 and locked_until_ms <= $3",
    )
    .bind(key)
    .bind(now_ms.saturating_sub(duration_millis(policy.failure_reset)))
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Counts one failure for `key` unless it is locked at `now_ms`: `None` means locked
/// (nothing counted). One statement, so concurrent claims are exact on both engines.
/// The claim that first locks the streak also holds its lock notice, undecided
/// (`lock_notice_due` 2, with the `locale` it goes in) until the password is checked:
/// a login that dies before deciding still has its notice sent, after a grace.
pub async fn claim_failure(
    db: impl AnyExecutor<'_>,
    key: &str,
    account_id: Option<&str>,
    policy: &GuardPolicy,
    now_ms: i64,
    locale: &str,
) -> Result<Option<Claimed>, Error> {
    let first_lock = match duration_millis(policy.wait_after(1)) {
        0 => 0,
        wait => now_ms.saturating_add(wait),
    };
    let row = sqlx::query(
        "insert into login_failures (login_key, account_id, failures, streak_started_at_ms, \
         last_failure_at_ms, locked_until_ms, lock_notice_due, lock_notice_locale) \
         values ($1, $2, 1, $3, $3, $4, case when $5 = 1 then 2 else 0 end, $8) \
         on conflict (login_key) do update set \
         account_id = excluded.account_id, \
         lock_notice_due = case when login_failures.failures + 1 = $5 and login_failures.lock_notice_due = 0 \
         then 2 else login_failures.lock_notice_due end, \
         lock_notice_locale = case when login_failures.failures + 1 = $5 and login_failures.lock_notice_due = 0 \
         then excluded.lock_notice_locale else login_failures.lock_notice_locale end, \
         failures = login_failures.failures + 1, \
         streak_started_at_ms = case when login_failures.failures = 0 then excluded.streak_started_at_ms \
         else login_failures.streak_started_at_ms end, \
         last_failure_at_ms = excluded.last_failure_at_ms, \
         locked_until_ms = case \
         when login_failures.failures + 1 < $5 then 0 \
         when $6 * ((login_failures.failures + 1) / $5) >= $7 then excluded.last_failure_at_ms + $7 \
         else excluded.last_failure_at_ms + $6 * ((login_failures.failures + 1) / $5) end \
         where login_failures.locked_until_ms <= excluded.last_failure_at_ms \
         returning failures, streak_started_at_ms, locked_until_ms",
    )
    .bind(key)
    .bind(account_id.map(str::to_owned))
    .bind(now_ms)
    .bind(first_lock)
    .bind(i64::from(policy.failure_factor))
    .bind(duration_millis(policy.wait_increment))
    .bind(duration_millis(policy.max_wait))
    .bind(locale)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Claimed {
            failures: row.try_get("failures")?,
            streak_started_at_ms: row.try_get("streak_started_at_ms")?,
            locked_until_ms: row.try_get("locked_until_ms")?,
        })
    })
    .transpose()
}

/// Until when `key` is locked (0 if it is not, or has no row).
pub async fn locked_until(db: impl AnyExecutor<'_>, key: &str) -> Result<i64, Error> {
    let row = sqlx::query("select locked_until_ms from login_failures where login_key = $1")
        .bind(key)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("locked_until_ms")).transpose()?.unwrap_or(0))
}

/// A successful login ends the streak, any lock it claimed and the notice that lock held.
pub async fn reset(db: impl AnyExecutor<'_>, key: &str) -> Result<(), Error> {
    sqlx::query(
        "update login_failures set failures = 0, locked_until_ms = 0, \
         lock_notice_due = case when lock_notice_due = 2 then 0 else lock_notice_due end where login_key = $1",
    )
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// The password proved wrong: the lock notice the claim held is to be queued.
/// `lock_notice_due`: 0 nothing to send, 1 due, 2 undecided (the locking login is
/// still checking its password; due after a grace if it never decides).
pub async fn mark_notice_due(
    db: impl AnyExecutor<'_>,
    key: &str,
    streak_started_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update login_failures set lock_notice_due = 1 \
         where login_key = $1 and streak_started_at_ms = $2 and lock_notice_due = 2",
    )
    .bind(key)
    .bind(streak_started_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// A lock whose notice is still to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotice {
    pub login_key: String,
    pub account_id: Option<String>,
    pub streak_started_at_ms: i64,
    pub locale: String,
}

/// Locks whose notice is due, and those whose login claimed them before
/// `undecided_before_ms` and never decided.
pub async fn due_notices(
    db: impl AnyExecutor<'_>,
    undecided_before_ms: i64,
    limit: i64,
) -> Result<Vec<DueNotice>, Error> {
    let rows = sqlx::query(
        "select login_key, account_id, streak_started_at_ms, lock_notice_locale from login_failures \
         where lock_notice_due <> 0 and (lock_notice_due = 1 or last_failure_at_ms <= $1) \
         order by login_key limit $2",
    )
    .bind(undecided_before_ms)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DueNotice {
                login_key: row.try_get("login_key")?,
                account_id: row.try_get("account_id")?,
                streak_started_at_ms: row.try_get("streak_started_at_ms")?,
                locale: row.try_get("lock_notice_locale")?,
            })
        })
        .collect()
}

pub async fn notice_done(
    db: impl AnyExecutor<'_>,
    key: &str,
    streak_started_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update login_failures set lock_notice_due = 0 where login_key = $1 and streak_started_at_ms = $2",
    )
    .bind(key)
    .bind(streak_started_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes what no longer counts: streaks ended by a login or quiet past the reset,
/// never a lock in force nor a notice still due.
pub async fn forget_quiet(db: impl AnyExecutor<'_>, policy: &GuardPolicy, now_ms: i64) -> Result<u64, Error> {
    let result = sqlx::query(
        "delete from login_failures where lock_notice_due = 0 and locked_until_ms <= $1 \
         and (failures = 0 or last_failure_at_ms <= $2)",
    )
    .bind(now_ms)
    .bind(now_ms.saturating_sub(duration_millis(policy.failure_reset)))
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// The fixed window `now_ms` falls in: its start and end.
pub fn client_window(policy: &GuardPolicy, now_ms: i64) -> (i64, i64) {
    let length = duration_millis(policy.client_window).max(1);
    let start = now_ms - now_ms.rem_euclid(length);
    (start, start + length)
}

/// Counts one failed login (or one in flight) for the client; answers the window's count.
pub async fn claim_client_failure(
    db: impl AnyExecutor<'_>,
    client: &str,
    window_start_ms: i64,
) -> Result<i64, Error> {
    let row = sqlx::query(
        "insert into login_client_failures (client_key, window_start_ms, failures) values ($1, $2, 1) \
         on conflict (client_key, window_start_ms) do update \
         set failures = login_client_failures.failures + 1 returning failures",
    )
    .bind(client)
    .bind(window_start_ms)
    .fetch_one(db)
    .await?;
    Ok(row.try_get("failures")?)
}

/// Takes back a claim: the login succeeded, was refused by the cap, or was shed.
pub async fn give_back_client_failure(
    db: impl AnyExecutor<'_>,
    client: &str,
    window_start_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update login_client_failures set failures = failures - 1 \
         where client_key = $1 and window_start_ms = $2 and failures > 0",
    )
    .bind(client)
    .bind(window_start_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the windows before the current one.
pub async fn forget_past_windows(db: impl AnyExecutor<'_>, current_start_ms: i64) -> Result<u64, Error> {
    let result = sqlx::query("delete from login_client_failures where window_start_ms < $1")
        .bind(current_start_ms)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_per_factor_then_stop_at_the_cap() {
        let policy = GuardPolicy::default();
        let waits: Vec<u64> =
            [1, 4, 5, 9, 10, 15, 75, 10_000].map(|f| policy.wait_after(f).as_secs()).to_vec();
        assert_eq!(waits, [0, 0, 60, 60, 120, 180, 900, 900]);
    }

    #[test]
    fn the_default_policy_is_valid_and_a_zero_factor_is_not() {
        assert!(GuardPolicy::default().validate().is_ok());
        assert!(GuardPolicy { failure_factor: 0, ..GuardPolicy::default() }.validate().is_err());
    }

    #[test]
    fn an_ipv6_client_is_capped_by_its_64_and_a_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(client_key(a), "2001:db8:1:2::/64");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        assert_eq!(client_key("::ffff:10.1.2.3".parse().expect("ip")), "10.1.2.3");
    }

    #[test]
    fn failure_keys_ignore_case_and_hide_the_name() {
        assert_eq!(failure_key(" ZhangWei2019 "), failure_key("zhangwei2019"));
        assert!(!failure_key("zhangwei2019").contains("zhang"));
    }

    #[test]
    fn windows_are_fixed() {
        let policy = GuardPolicy { client_window: Duration::from_secs(60), ..GuardPolicy::default() };
        assert_eq!(client_window(&policy, 125_000), (120_000, 180_000));
    }
}
