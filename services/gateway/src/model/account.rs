//! Accounts and sessions as the gateway sees them: masked only.

use beian_common::vocabulary::Site;

/// The logged-in account as a front end may see it: masked only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    /// Internal id: for the gateway's own records (who decided a review), never sent out.
    pub account_id: String,
    pub masked_login_name: String,
    pub site: Site,
    pub masked_mobile: String,
    pub masked_email: String,
    pub staff: bool,
}

/// A session just opened.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub session_token: SessionToken,
    pub expires_at_ms: i64,
    pub account: AccountView,
}

/// The bearer token of a session. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
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

/// A login attempt.
#[derive(Clone)]
pub struct Credentials {
    pub login_name: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("login_name", &beian_common::masking::mask_login_name(&self.login_name))
            .finish_non_exhaustive()
    }
}
