//! Human checks: slider challenges (or an external vendor's tokens) that
//! yield short-lived, single-use pass tokens other steps redeem.

mod ops;
pub mod slider;
pub mod store;
pub mod vendor;

use std::time::Duration;

use crate::{error::Error, settings::Policy};

/// A challenge as the browser needs it.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub challenge_id: String,
    pub background_png: Vec<u8>,
    pub piece_png: Vec<u8>,
    pub piece_y: u32,
    pub width: u32,
    pub height: u32,
    pub expires_at_ms: i64,
}

/// A slider answer as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliderAnswer {
    pub x: u32,
    pub drag: Duration,
}

/// A pass: shown to its holder once, stored only as a keyed hash.
#[derive(Clone)]
pub struct Pass {
    pub token: String,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pass").field("token", &"***").field("expires_at_ms", &self.expires_at_ms).finish()
    }
}

/// Whether a slider answer passes: close enough to the gap, and dragged at a
/// human pace.
pub fn judge(policy: &Policy, answer_x: u32, answer: SliderAnswer) -> Result<(), Error> {
    if answer.drag < policy.min_drag {
        return Err(Error::HumanCheckFailed);
    }
    if answer.x.abs_diff(answer_x) > policy.slider_tolerance_px {
        return Err(Error::HumanCheckFailed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(x: u32, drag_ms: u64) -> SliderAnswer {
        SliderAnswer { x, drag: Duration::from_millis(drag_ms) }
    }

    #[test]
    fn answers_within_tolerance_pass() {
        let policy = Policy::default();
        for x in [95, 100, 105] {
            assert!(judge(&policy, 100, answer(x, 800)).is_ok(), "{x}");
        }
        for x in [94, 106, 0, 320] {
            assert!(matches!(judge(&policy, 100, answer(x, 800)), Err(Error::HumanCheckFailed)), "{x}");
        }
    }

    #[test]
    fn implausibly_fast_drags_fail() {
        let policy = Policy::default();
        assert!(matches!(judge(&policy, 100, answer(100, 99)), Err(Error::HumanCheckFailed)));
        assert!(judge(&policy, 100, answer(100, 100)).is_ok());
    }
}
