//! legacy-migration: what the legacy platform held.

mod matching;

use beian_platform::client::PeerChannel;
use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_service_client::LegacyMigrationServiceClient,
};

use super::answered;
use crate::{error::Error, model::LegacyStatus};

#[derive(Debug, Clone)]
pub struct LegacyMigration {
    client: LegacyMigrationServiceClient<PeerChannel>,
}

impl LegacyMigration {
    pub fn new(channel: PeerChannel) -> Self {
        Self { client: LegacyMigrationServiceClient::new(channel) }
    }

    /// The legacy filing of a normalised domain, if the legacy platform held it.
    pub async fn classify(&self, domain: &str) -> Result<Option<LegacyStatus>, Error> {
        let reply = self
            .client
            .clone()
            .classify_domain(pb::ClassifyDomainRequest { domain: domain.to_owned() })
            .await?
            .into_inner();
        if !reply.found {
            return Ok(None);
        }
        let action = answered("legacy action", reply.action)?;
        let date = reply.submitted_on.unwrap_or_default();
        Ok(Some(LegacyStatus { action, submitted_on: (date.year, date.month, date.day) }))
    }
}
