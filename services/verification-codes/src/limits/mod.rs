//! Caps and when a refused caller may try again.
//!
//! Send and challenge caps are counters per fixed window (`counters`): a
//! request adds one to each of its counters in a single upsert that answers
//! the new counts, so the caps stay exact under concurrency without any row
//! being held across a transaction (PostgreSQL locks a counter row for that
//! one statement; SQLite runs it on its one writer). A request refused by any
//! counter takes its additions back, so refused requests never use up a
//! quota: a stranger hammering a victim's mobile from a refused address does
//! not eat the victim's allowance. The retry time is the end of the window.
//!
//! Failed checks are events over a sliding day (`Cap`): the daily failure
//! limit frees up when the failure that filled it is 24 hours old.

pub mod counters;
pub mod store;

use std::time::Duration;

use beian_common::vocabulary::Purpose;
use beian_platform::storage::duration_millis;
use sqlx::AnyExecutor;

use crate::{error::Error, error::Limit, settings::Policy};

pub const MINUTE: Duration = Duration::from_secs(60);
pub const HOUR: Duration = Duration::from_secs(60 * 60);
pub const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// A refusal: which cap, and the instant (unix ms) the caller may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub limit: Limit,
    pub retry_at_ms: i64,
}

impl Refusal {
    pub fn retry_after(&self, now_ms: i64) -> Duration {
        Duration::from_millis(u64::try_from(self.retry_at_ms - now_ms).unwrap_or(0))
    }

    /// Of two refusals, the one that lasts longest: retrying then clears both.
    pub fn longest(self, other: Option<Self>) -> Self {
        match other {
            Some(other) if other.retry_at_ms > self.retry_at_ms => other,
            _ => self,
        }
    }
}

/// At most `max` events within a sliding `window`.
#[derive(Debug, Clone, Copy)]
pub struct Cap {
    pub limit: Limit,
    pub max: u32,
    pub window: Duration,
}

impl Cap {
    /// When one more event is allowed, given the newest events (newest first,
    /// at least the newest `max` of those inside the window): when the
    /// `max`-th newest leaves the window. `None` if one is allowed now.
    pub fn check(&self, newest_first: &[i64], now_ms: i64) -> Option<Refusal> {
        let since = now_ms - duration_millis(self.window);
        let in_window: Vec<i64> = newest_first.iter().copied().filter(|&t| t > since).collect();
        let max = usize::try_from(self.max).unwrap_or(usize::MAX);
        self.refusal_after(in_window.get(max.checked_sub(1)?).copied())
    }

    /// The refusal given the `max`-th newest event inside the window, if
    /// there are that many: until that one leaves the window.
    pub fn refusal_after(&self, max_th_newest: Option<i64>) -> Option<Refusal> {
        if self.max == 0 {
            return None;
        }
        max_th_newest.map(|at| Refusal { limit: self.limit, retry_at_ms: at + duration_millis(self.window) })
    }
}

/// The daily limit of failed checks of codes to one destination for one purpose.
pub fn failures_cap(policy: &Policy) -> Cap {
    Cap { limit: Limit::CheckFailures, max: policy.max_failures_per_day, window: DAY }
}

/// The refusal of the daily limit of failed checks of codes to this
/// destination for this purpose, if it is reached.
pub async fn failures_refusal(
    db: impl AnyExecutor<'_>,
    policy: &Policy,
    destination_key: &str,
    purpose: Purpose,
    now_ms: i64,
) -> Result<Option<Refusal>, Error> {
    let cap = failures_cap(policy);
    let since = now_ms - duration_millis(cap.window);
    let newest = store::newest_failures(db, destination_key, purpose, since, cap.max).await?;
    Ok(cap.check(&newest, now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const MIN: i64 = 60_000;

    #[test]
    fn a_cap_refuses_until_the_event_that_makes_it_full_leaves() {
        let cap = Cap { limit: Limit::CheckFailures, max: 3, window: HOUR };
        assert_eq!(cap.check(&[NOW - MIN, NOW - 2 * MIN], NOW), None);
        let full = [NOW - MIN, NOW - 10 * MIN, NOW - 50 * MIN];
        assert_eq!(
            cap.check(&full, NOW),
            Some(Refusal { limit: Limit::CheckFailures, retry_at_ms: NOW - 50 * MIN + 60 * MIN })
        );
        // More than max events (e.g. recorded concurrently): the max-th newest decides.
        let over = [NOW - MIN, NOW - 2 * MIN, NOW - 3 * MIN, NOW - 59 * MIN];
        assert_eq!(cap.check(&over, NOW).map(|r| r.retry_at_ms), Some(NOW - 3 * MIN + 60 * MIN));
        // Events outside the window do not count.
        assert_eq!(cap.check(&[NOW - MIN, NOW - 2 * MIN, NOW - 61 * MIN], NOW), None);
    }

    #[test]
    fn the_longest_refusal_wins() {
        let short = Refusal { limit: Limit::ResendCooldown, retry_at_ms: NOW + MIN };
        let long = Refusal { limit: Limit::DestinationDaily, retry_at_ms: NOW + 60 * MIN };
        assert_eq!(short.longest(Some(long)), long);
        assert_eq!(long.longest(Some(short)), long);
        assert_eq!(short.longest(None), short);
    }
}
