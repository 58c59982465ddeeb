//! The other services, as the gateway reaches them: generated clients over
//! traced, credentialed channels. Their answers become domain types here.

use std::time::Duration;

use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{PeerSettings, Secret},
};
use beian_proto::{
    common::v1 as common,
    filing_registry::v1::filing_registry_service_client::FilingRegistryServiceClient,
    identity_recovery::v1::{
        self as identity, identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
    legacy_migration::v1::legacy_migration_service_client::LegacyMigrationServiceClient,
    verification_codes::v1::verification_codes_service_client::VerificationCodesServiceClient,
};

use crate::{
    account::{AccountView, LoggedIn, Site},
    error::Error,
};

/// Clients of every service the gateway composes.
#[derive(Debug, Clone)]
pub struct Peers {
    identity_recovery: IdentityRecoveryServiceClient<PeerChannel>,
    #[allow(dead_code, reason = "the verification workflows arrive with issue #3")]
    verification_codes: VerificationCodesServiceClient<PeerChannel>,
    #[allow(dead_code, reason = "the filing workflows arrive in later issues")]
    filing_registry: FilingRegistryServiceClient<PeerChannel>,
    #[allow(dead_code, reason = "the legacy workflows arrive in later issues")]
    legacy_migration: LegacyMigrationServiceClient<PeerChannel>,
}

impl Peers {
    pub fn connect(settings: &PeerSettings, token: &Secret) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        Ok(Self {
            identity_recovery: IdentityRecoveryServiceClient::new(peer_channel(
                &settings.identity_recovery,
                timeout,
                token,
            )?),
            verification_codes: VerificationCodesServiceClient::new(peer_channel(
                &settings.verification_codes,
                timeout,
                token,
            )?),
            filing_registry: FilingRegistryServiceClient::new(peer_channel(
                &settings.filing_registry,
                timeout,
                token,
            )?),
            legacy_migration: LegacyMigrationServiceClient::new(peer_channel(
                &settings.legacy_migration,
                timeout,
                token,
            )?),
        })
    }

    pub async fn login(&self, login_name: &str, password: &str, client_ip: &str) -> Result<LoggedIn, Error> {
        let reply = self
            .identity_recovery
            .clone()
            .login(identity::LoginRequest {
                login_name: login_name.to_owned(),
                password: password.to_owned(),
                client_ip: client_ip.to_owned(),
            })
            .await?
            .into_inner();
        Ok(LoggedIn {
            session_token: reply.session_token,
            expires_at_ms: reply
                .expire_time
                .map_or(0, |t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000)),
            account: account_view(reply.account)?,
        })
    }

    pub async fn logout(&self, session_token: &str) -> Result<(), Error> {
        self.identity_recovery
            .clone()
            .logout(identity::LogoutRequest { session_token: session_token.to_owned() })
            .await?;
        Ok(())
    }

    pub async fn resolve_session(&self, session_token: &str) -> Result<AccountView, Error> {
        let reply = self
            .identity_recovery
            .clone()
            .resolve_session(identity::ResolveSessionRequest { session_token: session_token.to_owned() })
            .await
            .map_err(|status| match beian_platform::status::reason_of(&status) {
                Some(beian_platform::status::ErrorReason::SessionRequired) => Error::SessionRequired,
                _ => Error::from(status),
            })?
            .into_inner();
        account_view(reply.account)
    }
}

fn account_view(summary: Option<identity::AccountSummary>) -> Result<AccountView, Error> {
    let summary = summary.ok_or_else(|| Error::Internal("identity-recovery answered no account".into()))?;
    Ok(AccountView {
        masked_login_name: summary.masked_login_name,
        site: match common::Site::try_from(summary.site) {
            Ok(common::Site::Cn) => Site::Cn,
            Ok(common::Site::Intl) => Site::Intl,
            _ => return Err(Error::Internal(format!("unknown site {}", summary.site))),
        },
        masked_mobile: summary.masked_mobile,
        masked_email: summary.masked_email,
        staff: summary.staff,
    })
}
