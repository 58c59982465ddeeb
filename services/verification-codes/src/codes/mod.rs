//! Verification codes: 6 digits sent to a mobile or email, stored only as a
//! keyed hash bound to their id, purpose and destination.

mod check;
mod one_writer;
mod send;
pub mod store;

use std::{fmt, str::FromStr};

use beian_common::vocabulary::Purpose;
use rand::Rng;

pub use check::CheckCode;
pub(crate) use one_writer::WriteQueue;
pub use send::SendCode;

use crate::keys::{Keys, Use, same};

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// Where a code stands: LIVE until checked correctly (USED), or killed by
/// too many wrong checks or a newer code (DEAD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Live,
    Used,
    Dead,
}

impl CodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "LIVE",
            Self::Used => "USED",
            Self::Dead => "DEAD",
        }
    }
}

impl FromStr for CodeState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "LIVE" => Ok(Self::Live),
            "USED" => Ok(Self::Used),
            "DEAD" => Ok(Self::Dead),
            other => Err(format!("unknown code state {other:?}")),
        }
    }
}

/// Six digits drawn uniformly from the thread's CSPRNG (ChaCha, seeded and
/// reseeded from the OS): `random_range` rejects rather than reduces modulo,
/// so every code is equally likely.
pub struct Digits(String);

impl Digits {
    pub fn generate() -> Self {
        Self(format!("{:06}", rand::rng().random_range(0..1_000_000u32)))
    }

    /// Digits a person typed, already checked to be six ASCII digits.
    pub fn typed(digits: &str) -> Self {
        Self(digits.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digits(***)")
    }
}

/// Whether `digits` are the code stored as `stored`, under the current or
/// (during a rotation) the previous key.
pub fn code_matches(
    keys: &Keys,
    code_id: &str,
    purpose: Purpose,
    destination_key: &str,
    digits: &Digits,
    stored: &str,
) -> bool {
    keys.generations().any(|keys| same(&code_hash(&keys, code_id, purpose, destination_key, digits), stored))
}

/// What is stored for a code: HMAC over its id, purpose, destination key and digits.
pub fn code_hash(
    keys: &Keys,
    code_id: &str,
    purpose: Purpose,
    destination_key: &str,
    digits: &Digits,
) -> String {
    keys.digest(Use::Code, &[code_id, purpose.as_str(), destination_key, digits.expose()])
}

#[cfg(test)]
mod tests {
    use beian_platform::config::Secret;

    use super::*;

    #[test]
    fn digits_are_six_and_vary() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| Digits::generate().expose().to_owned()).collect();
        assert!(codes.iter().all(|c| c.len() == CODE_DIGITS && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(codes.len() > 190, "200 draws from a million collide rarely");
        assert_eq!(format!("{:?}", Digits::typed("123456")), "Digits(***)");
    }

    #[test]
    fn hashes_bind_purpose_and_destination() {
        let keys = Keys::new(&Secret::new("k".repeat(32)), None).expect("key");
        let d = Digits::typed("123456");
        let base = code_hash(&keys, "c1", Purpose::AccountLookup, "13812345678", &d);
        assert_eq!(base, code_hash(&keys, "c1", Purpose::AccountLookup, "13812345678", &d));
        assert_ne!(base, code_hash(&keys, "c1", Purpose::PasswordReset, "13812345678", &d));
        assert_ne!(base, code_hash(&keys, "c1", Purpose::AccountLookup, "13812345679", &d));
        assert_ne!(base, code_hash(&keys, "c2", Purpose::AccountLookup, "13812345678", &d));
        assert_ne!(
            base,
            code_hash(&keys, "c1", Purpose::AccountLookup, "13812345678", &Digits::typed("123457"))
        );
        assert!(!base.contains("123456"));
    }

    #[test]
    fn states_round_trip() {
        for state in [CodeState::Live, CodeState::Used, CodeState::Dead] {
            assert_eq!(state.as_str().parse(), Ok(state));
        }
    }
}
