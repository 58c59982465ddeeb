//! Login sessions: opaque bearer tokens whose hashes are stored.

pub mod store;

use std::time::Duration;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a session lasts without logging in again.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

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
