//! Logging in and out, and who is logged in: the gateway side of sessions.

use crate::{error::Error, peers::Peers};

/// Which site of the agent an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Cn,
    Intl,
}

/// The logged-in account as a front end may see it: masked only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    pub masked_login_name: String,
    pub site: Site,
    pub masked_mobile: String,
    pub masked_email: String,
    pub staff: bool,
}

/// A session just opened.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub session_token: String,
    pub expires_at_ms: i64,
    pub account: AccountView,
}

/// The bearer token of a request's `authorization` metadata.
pub fn bearer_token(metadata: &tonic::metadata::MetadataMap) -> Result<&str, Error> {
    metadata
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(Error::SessionRequired)
}

/// The account behind the request's session.
pub async fn current_account(
    peers: &Peers,
    metadata: &tonic::metadata::MetadataMap,
) -> Result<AccountView, Error> {
    peers.resolve_session(bearer_token(metadata)?).await
}
