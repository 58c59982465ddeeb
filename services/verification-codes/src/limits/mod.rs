//! Caps counted over sliding windows of recorded events, and when a refused
//! caller may try again. Pure: the store reads the events, this decides.
//!
//! Race safety: before counting, a transaction upserts the gate row of every
//! key it counts by (`store::take_gates`, keys sorted so two transactions
//! never wait on each other in a cycle). On PostgreSQL the row lock makes a
//! second counter of the same key wait until the first commits, and its
//! counts (each statement sees what committed before it) then include the
//! first's event; on SQLite the first write takes the database's write lock.
//! So two concurrent sends to one destination, from one client or to one
//! prefix are serialised and the caps are exact.

pub mod store;

use std::time::Duration;

use crate::{destination::Channel, error::Limit, settings::Policy, settings::millis};

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const MINUTE: Duration = Duration::from_secs(60);

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
}

/// At most `max` events within `window`.
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
        let since = now_ms - millis(self.window);
        let in_window: Vec<i64> = newest_first.iter().copied().filter(|&t| t > since).collect();
        let max = usize::try_from(self.max).unwrap_or(usize::MAX);
        let leaving = in_window.get(max.checked_sub(1)?)?;
        Some(Refusal { limit: self.limit, retry_at_ms: leaving + millis(self.window) })
    }
}

/// What the store saw before a code is sent.
#[derive(Debug, Clone, Default)]
pub struct SendHistory {
    /// When the newest code for this destination and purpose was made.
    pub last_code_at_ms: Option<i64>,
    /// Sends to this destination in the last day, newest first.
    pub destination: Vec<i64>,
    /// Sends asked for by this client in the last day, newest first.
    pub client: Vec<i64>,
    /// Sends to this prefix in the last hour, newest first.
    pub prefix: Vec<i64>,
}

/// Longest look-back of the send caps, and the most events any of them needs.
pub fn send_window() -> Duration {
    DAY
}

pub fn prefix_window() -> Duration {
    HOUR
}

pub fn challenge_cap(policy: &Policy) -> Cap {
    Cap { limit: Limit::Challenges, max: policy.challenges_per_client_per_minute, window: MINUTE }
}

/// The refusal of a send, if any cap applies. When several do, the one that
/// lasts longest: retrying at its time clears them all.
pub fn check_send(policy: &Policy, channel: Channel, history: &SendHistory, now_ms: i64) -> Option<Refusal> {
    let cooldown = history
        .last_code_at_ms
        .map(|at| at + millis(policy.resend_cooldown))
        .filter(|&retry_at_ms| retry_at_ms > now_ms)
        .map(|retry_at_ms| Refusal { limit: Limit::ResendCooldown, retry_at_ms });
    let cap = |limit, max, window| Cap { limit, max, window };
    let prefix_max = match channel {
        Channel::Sms => policy.mobile_prefix_per_hour,
        Channel::Email => policy.email_domain_per_hour,
    };
    let caps = [
        (cap(Limit::DestinationHourly, policy.destination_per_hour, HOUR), &history.destination),
        (cap(Limit::DestinationDaily, policy.destination_per_day, DAY), &history.destination),
        (cap(Limit::ClientHourly, policy.client_per_hour, HOUR), &history.client),
        (cap(Limit::ClientDaily, policy.client_per_day, DAY), &history.client),
        (cap(Limit::DestinationPrefix, prefix_max, HOUR), &history.prefix),
    ];
    let mut refusal = cooldown;
    for refused in caps.iter().filter_map(|(cap, events)| cap.check(events, now_ms)) {
        if refusal.is_none_or(|r| refused.retry_at_ms > r.retry_at_ms) {
            refusal = Some(refused);
        }
    }
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const MIN: i64 = 60_000;

    #[test]
    fn a_cap_refuses_until_the_event_that_makes_it_full_leaves() {
        let cap = Cap { limit: Limit::DestinationHourly, max: 3, window: HOUR };
        assert_eq!(cap.check(&[NOW - MIN, NOW - 2 * MIN], NOW), None);
        let full = [NOW - MIN, NOW - 10 * MIN, NOW - 50 * MIN];
        assert_eq!(
            cap.check(&full, NOW),
            Some(Refusal { limit: Limit::DestinationHourly, retry_at_ms: NOW - 50 * MIN + 60 * MIN })
        );
        // More than max events (e.g. counted under a higher cap): the max-th newest decides.
        let over = [NOW - MIN, NOW - 2 * MIN, NOW - 3 * MIN, NOW - 59 * MIN];
        assert_eq!(cap.check(&over, NOW).map(|r| r.retry_at_ms), Some(NOW - 3 * MIN + 60 * MIN));
        // Events outside the window do not count.
        assert_eq!(cap.check(&[NOW - MIN, NOW - 2 * MIN, NOW - 61 * MIN], NOW), None);
    }

    #[test]
    fn the_cooldown_counts_from_the_last_code() {
        let policy = Policy::default();
        let history = SendHistory { last_code_at_ms: Some(NOW - 20_000), ..SendHistory::default() };
        let refusal = check_send(&policy, Channel::Sms, &history, NOW).expect("refused");
        assert_eq!(refusal.limit, Limit::ResendCooldown);
        assert_eq!(refusal.retry_after(NOW), Duration::from_secs(40));
        let history = SendHistory { last_code_at_ms: Some(NOW - 60_000), ..SendHistory::default() };
        assert_eq!(check_send(&policy, Channel::Sms, &history, NOW), None);
    }

    #[test]
    fn the_longest_refusal_wins() {
        let policy = Policy { destination_per_hour: 2, destination_per_day: 3, ..Policy::default() };
        let history = SendHistory {
            last_code_at_ms: Some(NOW - 10_000),
            destination: vec![NOW - 10_000, NOW - 30 * MIN, NOW - 20 * 60 * MIN],
            ..SendHistory::default()
        };
        let refusal = check_send(&policy, Channel::Sms, &history, NOW).expect("refused");
        assert_eq!(refusal.limit, Limit::DestinationDaily);
        assert_eq!(refusal.retry_at_ms, NOW - 20 * 60 * MIN + 24 * 60 * MIN);
    }

    #[test]
    fn prefix_caps_depend_on_the_channel() {
        let policy = Policy { mobile_prefix_per_hour: 2, email_domain_per_hour: 3, ..Policy::default() };
        let history = SendHistory { prefix: vec![NOW - MIN, NOW - 2 * MIN], ..SendHistory::default() };
        assert_eq!(
            check_send(&policy, Channel::Sms, &history, NOW).map(|r| r.limit),
            Some(Limit::DestinationPrefix)
        );
        assert_eq!(check_send(&policy, Channel::Email, &history, NOW), None);
    }

    #[test]
    fn client_caps_apply_across_destinations() {
        let policy = Policy { client_per_hour: 2, ..Policy::default() };
        let history = SendHistory { client: vec![NOW - MIN, NOW - 2 * MIN], ..SendHistory::default() };
        assert_eq!(
            check_send(&policy, Channel::Sms, &history, NOW).map(|r| r.limit),
            Some(Limit::ClientHourly)
        );
    }
}
