//! legacy-migration: the legacy platform's logins and filings, eligibility by date, import and claim, bulk load. An internal service: only the suite calls it.

pub mod bulk;
mod eligibility;
pub mod error;
mod grpc;
pub mod legacy;
mod login_reset;
mod peers;
pub mod saga;
pub mod seed;
mod service;

use std::time::Duration;

use beian_platform::{
    app::{self, Background, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    hashing::HashGate,
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tokio::sync::watch;
use tonic::service::Routes;

pub use legacy::guard::GuardPolicy;
pub use saga::SagaPace;

pub const NAME: &str = "legacy-migration";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Flags and variables only legacy-migration takes.
#[derive(Debug, Clone, clap::Args)]
pub struct LegacyArgs {
    /// Wrong legacy passwords in a streak (per login email) that lock it.
    #[arg(long, env = "BEIAN_LEGACY_LOGIN_FAILURES", default_value_t = 5)]
    pub legacy_login_failures: u32,
    /// How long such a lock lasts, and how long a quiet streak is remembered, seconds.
    #[arg(long, env = "BEIAN_LEGACY_LOGIN_LOCK_SECONDS", default_value_t = 900)]
    pub legacy_login_lock_seconds: u64,
    /// How often the worker looks for imports and claims left unfinished.
    #[arg(long, env = "BEIAN_MIGRATION_POLL_MS", default_value_t = 1_000)]
    pub migration_poll_ms: u64,
    /// How long a driver holds an unfinished migration before the worker takes it over.
    #[arg(long, env = "BEIAN_MIGRATION_LEASE_MS", default_value_t = 30_000)]
    pub migration_lease_ms: u64,
    /// The wait after a migration's first failure, doubled after each further one (at most 10 min).
    #[arg(long, env = "BEIAN_MIGRATION_RETRY_MS", default_value_t = 1_000)]
    pub migration_retry_ms: u64,
    /// Legacy password checks (Argon2id, bcrypt) at once; default: one per core.
    #[arg(long, env = "BEIAN_PASSWORD_HASH_PERMITS")]
    pub password_hash_permits: Option<usize>,
    /// How long a legacy login waits for a hashing permit before it is shed (OVERLOADED).
    #[arg(long, env = "BEIAN_PASSWORD_HASH_WAIT_MS", default_value_t = 100)]
    pub password_hash_wait_ms: u64,
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes (legacy password resets redeem its proofs) and
    /// filing-registry (the saga adopts subjects there) listen, and the timeout.
    pub peers: PeerSettings,
    /// Locking legacy logins after wrong passwords.
    pub guard: GuardPolicy,
    /// How unfinished migrations are resumed.
    pub saga: SagaPace,
    /// Legacy password checks at once, and how long one waits for its turn.
    pub hash_permits: usize,
    pub hash_wait: Duration,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs, extra: &LegacyArgs) -> anyhow::Result<Self> {
        Ok(Self {
            guard: GuardPolicy {
                max_failures: extra.legacy_login_failures,
                lock: Duration::from_secs(extra.legacy_login_lock_seconds),
            },
            saga: SagaPace {
                poll_interval: Duration::from_millis(extra.migration_poll_ms.max(1)),
                lease: Duration::from_millis(extra.migration_lease_ms.max(1)),
                retry_base: Duration::from_millis(extra.migration_retry_ms),
            },
            hash_permits: extra.password_hash_permits.unwrap_or_else(HashGate::default_permits),
            hash_wait: Duration::from_millis(extra.password_hash_wait_ms),
            ..Self::local(args.host(ports::LEGACY_MIGRATION)?, args.database(NAME), args.peers.clone())
        })
    }

    /// For the suite launcher and tests: the default lock policy and saga pace.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self {
            host,
            database,
            peers,
            guard: GuardPolicy::default(),
            saga: SagaPace::default(),
            hash_permits: HashGate::default_permits(),
            hash_wait: Duration::from_millis(100),
        }
    }
}

/// legacy-migration as the platform runs it: the API and the worker resuming migrations.
#[derive(Debug)]
pub struct Service {
    api: service::LegacyMigration,
    codes: peers::VerificationCodes,
    resume: Option<saga::worker::ResumeWorker>,
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
        settings.guard.validate()?;
        let codes = peers::VerificationCodes::connect(&settings.peers, &settings.host)?;
        let registry = peers::FilingRegistry::connect(&settings.peers, &settings.host)?;
        // the decoy an unknown email is checked against: one hash, before serving
        let decoy_hash = beian_common::password::hash(&uuid::Uuid::new_v4().to_string())?;
        let (guard, pace) = (settings.guard, settings.saga);
        let gate = HashGate::new(settings.hash_permits, settings.hash_wait);
        Ok(Start::new(settings.host, settings.database, move |db: Database| {
            let saga = saga::Saga::new(db.clone(), registry, pace);
            let api = service::LegacyMigration::new(db, saga.clone(), guard, decoy_hash, gate);
            Self { api, codes, resume: Some(saga::worker::ResumeWorker::new(saga)) }
        }))
    }

    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        self.resume
            .take()
            .map(|worker| ("migration resume", tokio::spawn(worker.run(stop.clone()))))
            .into_iter()
            .collect()
    }

    fn routes(self) -> Routes {
        grpc::routes(self.api, self.codes)
    }
}
