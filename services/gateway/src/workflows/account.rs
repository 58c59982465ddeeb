//! Logging in and out, and who is logged in: the gateway side of sessions.

use crate::{
    error::Error,
    model::{
        account::{AccountView, Credentials, LoggedIn, SessionToken},
        client::Client,
    },
    peers::IdentityRecovery,
};

#[derive(Debug, Clone)]
pub struct Accounts {
    identity: IdentityRecovery,
}

impl Accounts {
    pub fn new(identity: IdentityRecovery) -> Self {
        Self { identity }
    }

    pub async fn login(&self, credentials: Credentials, client: &Client) -> Result<LoggedIn, Error> {
        self.identity.login(credentials, client).await
    }

    pub async fn logout(&self, session: &SessionToken) -> Result<(), Error> {
        self.identity.logout(session).await
    }

    /// The account behind a session; SESSION_REQUIRED when it is dead.
    pub async fn signed_in(&self, session: &SessionToken) -> Result<AccountView, Error> {
        self.identity.resolve_session(session).await
    }
}
