//! legacy-migration: what the legacy platform held.

mod login_reset;
mod matching;

use beian_platform::{client::PeerChannel, wire::millis};
use beian_proto::legacy_migration::v1::{
    self as pb, legacy_migration_service_client::LegacyMigrationServiceClient,
};

use super::answered;
use crate::{
    error::Error,
    model::{
        LegacyStatus,
        account::NewPassword,
        client::Client,
        legacy_import::{LegacyCredentials, LegacyImported},
    },
};

/// What setting a legacy password needs. No `Debug`: email, proof and password are secrets.
pub struct LegacyPasswordReset<'a> {
    pub login_email: &'a str,
    pub proof: &'a str,
    pub new_password: &'a NewPassword,
    /// Names the reset (the flow id): a retry changes nothing twice.
    pub request_id: &'a str,
}

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

    /// Whether a legacy login has `email` (any case).
    pub async fn legacy_login_exists(&self, email: &str) -> Result<bool, Error> {
        let reply = self
            .client
            .clone()
            .find_legacy_login(pb::FindLegacyLoginRequest { login_email: email.to_owned() })
            .await?
            .into_inner();
        Ok(reply.found)
    }

    /// Sets a new password on the legacy login of `login_email`, given the proof of a
    /// LEGACY_PASSWORD_RESET code to it; the policy refusals pass through.
    pub async fn reset_legacy_password(&self, reset: LegacyPasswordReset<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .reset_legacy_password(pb::ResetLegacyPasswordRequest {
                login_email: reset.login_email.to_owned(),
                proof: reset.proof.to_owned(),
                new_password: reset.new_password.expose().to_owned(),
                request_id: reset.request_id.to_owned(),
            })
            .await?;
        Ok(())
    }

    /// Imports the legacy login's filing into the account; a retry by the same account
    /// answers the same import. Each 002 §6.3 outcome is a refusal passed on unchanged.
    pub async fn import(
        &self,
        credentials: LegacyCredentials,
        account_id: &str,
        client: &Client,
    ) -> Result<LegacyImported, Error> {
        let reply = self
            .client
            .clone()
            .import_legacy_filing(pb::ImportLegacyFilingRequest {
                legacy_login_email: credentials.login_email,
                legacy_password: credentials.password,
                account_id: account_id.to_owned(),
                client_ip: client.ip.to_string(),
            })
            .await?
            .into_inner();
        Ok(LegacyImported {
            filing_number: reply.filing_number,
            website_count: reply.website_count,
            imported_at_ms: reply.import_time.as_ref().map(millis).unwrap_or_default(),
        })
    }
}
