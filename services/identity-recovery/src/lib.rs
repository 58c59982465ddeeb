//! identity-recovery: accounts, login sessions, recovery flows, password
//! resets and staff review cases. An internal service: only the suite calls it.

pub mod accounts;
pub mod error;
mod grpc;
use beian_common::locale;
mod peers;
pub mod reviews;
pub mod seed;
mod service;
mod sessions;

use std::{future::Future, net::SocketAddr, path::PathBuf};

use beian_common::calendar::BusinessCalendar;
use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub use locale::Locale;

pub const NAME: &str = "identity-recovery";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (and migrates) this service's database outside a running service:
/// for loading data into it and for tools such as `beian dev`.
pub async fn open_database(location: &DatabaseLocation) -> anyhow::Result<Database> {
    Database::open(location, &MIGRATOR).await
}

/// Flags and variables only identity-recovery takes.
#[derive(Debug, Clone, clap::Args)]
pub struct IdentityArgs {
    /// Business-day calendar for review deadlines (lines `YYYY-MM-DD holiday|workday`, or
    /// `YYYY-MM-DD..YYYY-MM-DD kind`; `#` comments). Default: the PRC schedule shipped
    /// with the suite.
    #[arg(long, env = "BEIAN_HOLIDAYS_FILE")]
    pub holidays_file: Option<PathBuf>,
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes listens (the only peer this service calls) and the timeout.
    pub peers: PeerSettings,
    /// Which days count for review deadlines.
    pub calendar: BusinessCalendar,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs, extra: &IdentityArgs) -> anyhow::Result<Self> {
        let calendar = match &extra.holidays_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read BEIAN_HOLIDAYS_FILE {}: {e}", path.display())
                })?;
                BusinessCalendar::parse(&text)
                    .map_err(|e| anyhow::anyhow!("BEIAN_HOLIDAYS_FILE {}: {e}", path.display()))?
            }
            None => BusinessCalendar::china_default(),
        };
        Ok(Self {
            host: args.host(ports::IDENTITY_RECOVERY)?,
            database: args.database(NAME),
            peers: args.peers.clone(),
            calendar,
        })
    }

    /// For the suite launcher: the shipped PRC calendar.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self { host, database, peers, calendar: BusinessCalendar::china_default() }
    }
}

/// The service, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {
    app: ServiceApp,
    service: service::IdentityRecovery,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let verification_codes =
            peers::VerificationCodes::connect(&settings.peers, &settings.host.internal_token)?;
        let app =
            ServiceApp::open(NAME, Exposure::Internal, settings.host, &settings.database, &MIGRATOR).await?;
        let service =
            service::IdentityRecovery::new(app.database().clone(), verification_codes, settings.calendar);
        Ok(Self { app, service })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.app.local_addr()
    }

    pub fn database(&self) -> &Database {
        self.app.database()
    }

    /// Serves until `shutdown` resolves, then drains and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        self.app.serve(grpc::routes(self.service), grpc::SERVICE_NAMES, shutdown).await
    }
}
