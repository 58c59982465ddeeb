//! legacy-migration: the legacy platform's logins and filings, eligibility by date, import and claim, bulk load. An internal service: only the suite calls it.

pub mod bulk;
mod eligibility;
pub mod error;
mod grpc;
mod legacy;
mod login_reset;
mod peers;
pub mod seed;
mod service;

use beian_platform::{
    app::{self, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tonic::service::Routes;

pub const NAME: &str = "legacy-migration";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes listens (legacy password resets redeem its proofs).
    pub peers: PeerSettings,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self::local(args.host(ports::LEGACY_MIGRATION)?, args.database(NAME), args.peers.clone()))
    }

    /// For the suite launcher and tests: where to serve and store, and the peers.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self { host, database, peers }
    }
}

/// legacy-migration as the platform runs it.
#[derive(Debug)]
pub struct Service {
    api: service::LegacyMigration,
    codes: peers::VerificationCodes,
}

/// The service, migrated and bound, ready to serve.
pub type Application = app::Application<Service>;

impl app::Service for Service {
    const NAME: &'static str = NAME;
    const EXPOSURE: Exposure = Exposure::Internal;
    const SERVICE_NAMES: &'static [&'static str] = grpc::SERVICE_NAMES;
    type Settings = Settings;

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    fn prepare(settings: Settings) -> anyhow::Result<Start<Self>> {
        let codes = peers::VerificationCodes::connect(&settings.peers, &settings.host)?;
        Ok(Start::new(settings.host, settings.database, move |db: Database| Self {
            api: service::LegacyMigration::new(db),
            codes,
        }))
    }

    fn routes(self) -> Routes {
        grpc::routes(self.api, self.codes)
    }
}
