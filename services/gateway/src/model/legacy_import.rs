//! A legacy import (SPEC §4) as the gateway asks for it and answers it.

use beian_common::masking::mask_email;

/// The legacy login's email and password, as typed (trimmed email). No derived `Debug`:
/// the password never prints and the email only masked.
#[derive(Clone)]
pub struct LegacyCredentials {
    pub login_email: String,
    pub password: String,
}

impl std::fmt::Debug for LegacyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyCredentials")
            .field("login_email", &mask_email(&self.login_email))
            .finish_non_exhaustive()
    }
}

/// What entered the caller's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyImported {
    pub filing_number: String,
    pub website_count: i32,
    pub imported_at_ms: i64,
}
