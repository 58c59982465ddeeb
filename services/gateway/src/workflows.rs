//! What the gateway's handlers call: the user-facing workflows, composed from
//! the other services. Holds the peers and the gateway's own flow store.

use beian_platform::storage::Database;

use crate::{
    account::{self, AccountView, LoggedIn},
    error::Error,
    peers::Peers,
};

#[derive(Debug, Clone)]
pub struct Workflows {
    peers: Peers,
    #[allow(dead_code, reason = "flows are stored from issue #3 on")]
    db: Database,
}

impl Workflows {
    pub fn new(peers: Peers, db: Database) -> Self {
        Self { peers, db }
    }

    pub async fn login(&self, login_name: &str, password: &str, client_ip: &str) -> Result<LoggedIn, Error> {
        self.peers.login(login_name, password, client_ip).await
    }

    pub async fn logout(&self, metadata: &tonic::metadata::MetadataMap) -> Result<(), Error> {
        self.peers.logout(account::bearer_token(metadata)?).await
    }

    pub async fn my_account(&self, metadata: &tonic::metadata::MetadataMap) -> Result<AccountView, Error> {
        account::current_account(&self.peers, metadata).await
    }
}
