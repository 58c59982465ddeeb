//! Login sessions: opaque bearer tokens whose hashes are stored.

pub mod store;

use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long sessions last; `Default` is the documented default of each setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A customer's session, without logging in again.
    pub lifetime: Duration,
    /// A staff session: shorter, since it opens every applicant's documents.
    pub staff_lifetime: Duration,
    /// A staff session unused this long ends.
    pub staff_idle_timeout: Duration,
    /// How often expired sessions (and stale login failures) are deleted.
    pub sweep_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            lifetime: Duration::from_secs(12 * 60 * 60),
            staff_lifetime: Duration::from_secs(4 * 60 * 60),
            staff_idle_timeout: Duration::from_secs(30 * 60),
            sweep_every: Duration::from_secs(60),
        }
    }
}

impl SessionPolicy {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.lifetime.is_zero(), "the session lifetime must be positive");
        anyhow::ensure!(!self.staff_lifetime.is_zero(), "the staff session lifetime must be positive");
        anyhow::ensure!(!self.staff_idle_timeout.is_zero(), "the staff idle timeout must be positive");
        anyhow::ensure!(!self.sweep_every.is_zero(), "the sweep interval must be positive");
        Ok(())
    }

    /// (lifetime, idle timeout or zero) of a new session.
    pub fn for_account(&self, staff: bool) -> (Duration, Duration) {
        if staff { (self.staff_lifetime, self.staff_idle_timeout) } else { (self.lifetime, Duration::ZERO) }
    }
}

/// How stale `last_seen_at_ms` may get before a use records itself: a minute, or half the
/// idle timeout if shorter, so most resolves only read.
pub fn touch_after_ms(idle_timeout_ms: i64) -> i64 {
    (idle_timeout_ms / 2).clamp(1, 60_000)
}

/// A new session's token, shown to its holder once.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A session just opened.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: SessionToken,
    pub expires_at_ms: i64,
}
