//! What the gateway's handlers call: the user-facing workflows, composed from
//! the other services. Holds the peers and the gateway's own flow store.

use beian_platform::storage::Database;
use tonic::metadata::MetadataMap;

use crate::{
    account::{self, AccountView, LoggedIn},
    context::Client,
    error::Error,
    lookup,
    model::{CodeSent, HumanAnswer, HumanChallenge, HumanPass, LookupDone},
    peers::Peers,
};

#[derive(Debug, Clone)]
pub struct Workflows {
    pub(crate) peers: Peers,
    db: Database,
}

impl Workflows {
    pub fn new(peers: Peers, db: Database) -> Self {
        Self { peers, db }
    }

    pub async fn login(&self, login_name: &str, password: &str, client_ip: &str) -> Result<LoggedIn, Error> {
        self.peers.login(login_name, password, client_ip).await
    }

    pub async fn logout(&self, metadata: &MetadataMap) -> Result<(), Error> {
        self.peers.logout(account::bearer_token(metadata)?).await
    }

    pub async fn my_account(&self, metadata: &MetadataMap) -> Result<AccountView, Error> {
        account::current_account(&self.peers, metadata).await
    }

    pub async fn create_human_check(&self, client: &Client) -> Result<HumanChallenge, Error> {
        self.peers.create_human_check(client).await
    }

    pub async fn answer_human_check(&self, client: &Client, answer: HumanAnswer) -> Result<HumanPass, Error> {
        self.peers.answer_human_check(client, answer).await
    }

    pub async fn start_account_lookup(
        &self,
        domain: &str,
        human_check_token: &str,
    ) -> Result<lookup::Started, Error> {
        lookup::start(&self.peers, &self.db, domain, human_check_token).await
    }

    pub async fn send_account_lookup_code(&self, flow_id: &str, client: &Client) -> Result<CodeSent, Error> {
        lookup::send_code(&self.peers, &self.db, flow_id, client).await
    }

    pub async fn verify_account_lookup_code(
        &self,
        flow_id: &str,
        code: &str,
        client: &Client,
    ) -> Result<LookupDone, Error> {
        lookup::verify_code(&self.peers, &self.db, flow_id, code, client).await
    }

    /// The domain a live lookup flow is about.
    pub async fn account_lookup_domain(&self, flow_id: &str) -> Result<String, Error> {
        lookup::domain_of(&self.db, flow_id).await
    }
}
