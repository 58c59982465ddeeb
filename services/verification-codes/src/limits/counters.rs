//! Fixed-window counters: what the send and challenge caps count. A request
//! adds one to each of its counters in one statement and reads the new
//! counts; over a cap, it takes its additions back (see [`super`]).

use std::time::Duration;

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::{Database, duration_millis};

use super::{DAY, HOUR, MINUTE, Refusal, store};
use crate::{error::Error, error::Limit, settings::Policy};

/// Windows start at whole units of Beijing time (UTC+8), so a day window is
/// a calendar day in China and "tomorrow" in a refusal means tomorrow there.
const WINDOW_ALIGNMENT_MS: i64 = 8 * 60 * 60 * 1000;

/// One cap: a key, its fixed window and how many it allows per window.
#[derive(Debug, Clone)]
pub struct Counter {
    pub key: String,
    pub limit: Limit,
    pub max: u32,
    pub window: Duration,
}

impl Counter {
    fn new(limit: Limit, max: u32, window: Duration, key: String) -> Self {
        Self { key, limit, max, window }
    }

    /// Where the window holding `now_ms` starts.
    pub fn window_start(&self, now_ms: i64) -> i64 {
        let length = duration_millis(self.window).max(1);
        (now_ms + WINDOW_ALIGNMENT_MS).div_euclid(length) * length - WINDOW_ALIGNMENT_MS
    }
}

/// What one code send is counted by. Destination caps count per purpose, so
/// codes asked for one purpose never use up another purpose's allowance.
#[derive(Debug, Clone, Copy)]
pub struct SendKeys<'a> {
    pub channel: Channel,
    pub purpose: Purpose,
    pub destination: &'a str,
    pub prefix: &'a str,
    pub client: &'a str,
}

pub fn for_send(policy: &Policy, keys: SendKeys<'_>) -> Vec<Counter> {
    let destination = format!("{}:{}", keys.purpose.as_str(), keys.destination);
    let prefix_max = match keys.channel {
        Channel::Sms => policy.mobile_prefix_per_hour,
        Channel::Email => policy.email_domain_per_hour,
    };
    vec![
        Counter::new(
            Limit::DestinationHourly,
            policy.destination_per_hour,
            HOUR,
            format!("destination-hour:{destination}"),
        ),
        Counter::new(
            Limit::DestinationDaily,
            policy.destination_per_day,
            DAY,
            format!("destination-day:{destination}"),
        ),
        Counter::new(
            Limit::ClientHourly,
            policy.client_per_hour,
            HOUR,
            format!("client-hour:{}", keys.client),
        ),
        Counter::new(Limit::ClientDaily, policy.client_per_day, DAY, format!("client-day:{}", keys.client)),
        Counter::new(Limit::DestinationPrefix, prefix_max, HOUR, format!("prefix-hour:{}", keys.prefix)),
    ]
}

pub fn for_challenge(policy: &Policy, client: &str) -> Vec<Counter> {
    vec![Counter::new(
        Limit::Challenges,
        policy.challenges_per_client_per_minute,
        MINUTE,
        format!("challenge-minute:{client}"),
    )]
}

/// What a request added; given back if the request does not go ahead.
#[derive(Debug)]
#[must_use = "counts are kept unless given back"]
pub struct Taken {
    rows: Vec<(String, i64)>,
}

impl Taken {
    /// Takes the additions back. A failure is logged, not answered: the count
    /// stays one too high until its window ends, which refuses, never admits.
    pub async fn give_back(self, db: &Database) {
        let subtracted = async { store::subtract(&mut *db.writer().await?, &self.rows).await };
        if let Err(error) = subtracted.await {
            tracing::warn!(%error, "cannot give back the counts of a refused request");
        }
    }
}

/// Adds one to every counter. Within every cap: what was taken. Over any:
/// everything is given back, and the refusal that lasts longest answers.
pub async fn take(db: &Database, counters: &[Counter], now_ms: i64) -> Result<Result<Taken, Refusal>, Error> {
    let rows = windows(counters, now_ms);
    let counts = store::add(&mut *db.writer().await?, &rows).await?;
    settle(db, counters, rows, &counts).await
}

/// Each counter's (key, window start) at `now_ms`, in the counters' order.
pub fn windows(counters: &[Counter], now_ms: i64) -> Vec<(String, i64)> {
    counters.iter().map(|c| (c.key.clone(), c.window_start(now_ms))).collect()
}

/// Judges the new `counts` of the counters' `rows`, added by the caller: as [`take`].
pub async fn settle(
    db: &Database,
    counters: &[Counter],
    rows: Vec<(String, i64)>,
    counts: &[(String, i64, i64)],
) -> Result<Result<Taken, Refusal>, Error> {
    let mut refusal: Option<Refusal> = None;
    for (counter, (key, start)) in counters.iter().zip(&rows) {
        let hits = counts
            .iter()
            .find(|(k, s, _)| k == key && s == start)
            .map(|(_, _, hits)| *hits)
            .ok_or_else(|| Error::internal("a counter was not answered"))?;
        if hits > i64::from(counter.max) {
            let refused =
                Refusal { limit: counter.limit, retry_at_ms: start + duration_millis(counter.window) };
            refusal = Some(refused.longest(refusal));
        }
    }
    let taken = Taken { rows };
    match refusal {
        None => Ok(Ok(taken)),
        Some(refusal) => {
            taken.give_back(db).await;
            Ok(Err(refusal))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;

    fn counter(window: Duration) -> Counter {
        Counter::new(Limit::DestinationHourly, 1, window, "k".into())
    }

    #[test]
    fn windows_are_aligned_to_beijing_time() {
        // 2026-01-01T00:00:00+08:00 is 2025-12-31T16:00:00Z.
        let beijing_midnight = 1_767_196_800_000;
        let day = counter(DAY);
        assert_eq!(day.window_start(beijing_midnight), beijing_midnight);
        assert_eq!(day.window_start(beijing_midnight + 23 * HOUR_MS), beijing_midnight);
        assert_eq!(day.window_start(beijing_midnight - 1), beijing_midnight - 24 * HOUR_MS);
        let hour = counter(HOUR);
        assert_eq!(hour.window_start(beijing_midnight + HOUR_MS + 5), beijing_midnight + HOUR_MS);
    }

    #[test]
    fn destination_caps_count_per_purpose_and_client_caps_across_them() {
        let policy = Policy::default();
        let keys = |purpose| SendKeys {
            channel: Channel::Sms,
            purpose,
            destination: "13812345678",
            prefix: "1381234",
            client: "198.51.100.1",
        };
        let lookup = for_send(&policy, keys(Purpose::AccountLookup));
        let reset = for_send(&policy, keys(Purpose::PasswordReset));
        let key_of = |counters: &[Counter], limit| {
            counters.iter().find(|c| c.limit == limit).map(|c| c.key.clone()).expect("counted")
        };
        for limit in [Limit::DestinationHourly, Limit::DestinationDaily] {
            assert_ne!(key_of(&lookup, limit), key_of(&reset, limit));
        }
        for limit in [Limit::ClientHourly, Limit::ClientDaily, Limit::DestinationPrefix] {
            assert_eq!(key_of(&lookup, limit), key_of(&reset, limit));
        }
    }
}
