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

use std::{path::PathBuf, time::Duration};

use beian_common::calendar::BusinessCalendar;
use beian_platform::{
    app::{self, Background, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tokio::sync::watch;
use tonic::service::Routes;

pub use locale::Locale;
pub use service::EffectPace;

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
    /// How often the worker looks for decided review cases whose effect is still owed.
    #[arg(long, env = "BEIAN_REVIEW_EFFECT_POLL_MS", default_value_t = 1_000)]
    pub review_effect_poll_ms: u64,
    /// How long the worker holds a case while applying its effect; another replica (or
    /// this one restarted) takes it over only after that.
    #[arg(long, env = "BEIAN_REVIEW_EFFECT_LEASE_MS", default_value_t = 30_000)]
    pub review_effect_lease_ms: u64,
    /// The wait after an effect's first failure, doubled after each further one (at most 10 min).
    #[arg(long, env = "BEIAN_REVIEW_EFFECT_RETRY_MS", default_value_t = 1_000)]
    pub review_effect_retry_ms: u64,
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes and filing-registry listen, and the timeout.
    pub peers: PeerSettings,
    /// Which days count for review deadlines.
    pub calendar: BusinessCalendar,
    /// How decided reviews' effects are tried.
    pub effects: EffectPace,
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
            effects: EffectPace {
                poll_interval: Duration::from_millis(extra.review_effect_poll_ms.max(1)),
                lease: Duration::from_millis(extra.review_effect_lease_ms.max(1)),
                retry_base: Duration::from_millis(extra.review_effect_retry_ms),
            },
        })
    }

    /// For the suite launcher: the shipped PRC calendar, the default effect pace.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self {
            host,
            database,
            peers,
            calendar: BusinessCalendar::china_default(),
            effects: EffectPace::default(),
        }
    }
}

/// identity-recovery as the platform runs it: the API and the worker applying decisions.
#[derive(Debug)]
pub struct Service {
    api: service::IdentityRecovery,
    effects: Option<service::EffectWorker>,
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
        let verification_codes =
            peers::VerificationCodes::connect(&settings.peers, &settings.host.internal_token)?;
        let filing_registry = peers::FilingRegistry::connect(&settings.peers, &settings.host.internal_token)?;
        let calendar = settings.calendar;
        let pace = settings.effects;
        Ok(Start::new(settings.host, settings.database, move |db: Database| {
            let api = service::IdentityRecovery::new(db.clone(), verification_codes.clone(), calendar);
            let effects = service::EffectWorker::new(
                db,
                verification_codes,
                filing_registry,
                pace,
                api.effects_doorbell(),
            );
            Self { api, effects: Some(effects) }
        }))
    }

    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        self.effects
            .take()
            .map(|worker| ("review effects", tokio::spawn(worker.run(stop.clone()))))
            .into_iter()
            .collect()
    }

    fn routes(self) -> Routes {
        grpc::routes(self.api)
    }
}
