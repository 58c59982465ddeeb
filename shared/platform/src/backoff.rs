//! When failed work is tried again (a delivery, a notice hand-off, a decision's effect):
//! exponential back-off with jitter, so a peer that is down is not hammered, and work
//! that failed together does not all return at the same instant.

use std::time::Duration;

use rand::Rng;

/// No retry waits longer than this.
const MAX_DELAY: Duration = Duration::from_secs(10 * 60);

/// The delay after the `attempt`-th failed attempt (1-based): `base · 2^(attempt−1)`,
/// capped, then drawn uniformly from its upper half ("equal jitter").
pub fn delay(base: Duration, attempt: u32) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let capped = exponential.min(MAX_DELAY);
    let half = capped / 2;
    half + half.mul_f64(rand::rng().random_range(0.0..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_their_jitter_and_cap() {
        let base = Duration::from_secs(1);
        for attempt in 1..=6 {
            let full = base * 2u32.pow(attempt - 1);
            for _ in 0..50 {
                let d = delay(base, attempt);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
        assert!(delay(base, 40) <= MAX_DELAY);
        assert!(delay(base, 40) >= MAX_DELAY / 2);
        assert_eq!(delay(Duration::ZERO, 3), Duration::ZERO);
    }
}
