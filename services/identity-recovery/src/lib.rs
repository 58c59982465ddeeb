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

use std::path::PathBuf;

use beian_common::calendar::BusinessCalendar;
use beian_platform::{
    app::{self, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tonic::service::Routes;

pub use locale::Locale;

pub const NAME: &str = "identity-recovery";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

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

/// identity-recovery as the platform runs it.
#[derive(Debug)]
pub struct Service(service::IdentityRecovery);

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
        let verification_codes =
            peers::VerificationCodes::connect(&settings.peers, &settings.host.internal_token)?;
        let calendar = settings.calendar;
        Ok(Start::new(settings.host, settings.database, move |db: Database| {
            Self(service::IdentityRecovery::new(db, verification_codes, calendar))
        }))
    }

    fn routes(self) -> Routes {
        grpc::routes(self.0)
    }
}
