//! filing-registry: subjects, websites, filing numbers and passwords, orders, holder changes and their history. An internal service: only the suite calls it.

mod domains;
pub mod error;
mod grpc;
mod notices;
pub mod orders;
pub mod passwords;
mod peers;
pub mod seed;
mod service;
pub mod subjects;
pub mod transfers;

use std::time::Duration;

use beian_platform::{
    app::{self, Background, Start},
    config::{HostSettings, PeerSettings, Secret, ServiceArgs, ports},
    host::Exposure,
    sealing::Sealer,
    storage::{Database, DatabaseLocation},
};
use tokio::sync::watch;
use tonic::service::Routes;

pub use passwords::PasswordPolicy;

pub const NAME: &str = "filing-registry";

/// A shorter secret key is refused: it keys the sealing of queued notices.
pub const MIN_SECRET_KEY_LEN: usize = 32;

/// What the secret key is stretched into for this service's outbox.
const SEALING_LABEL: &str = "filing-registry/notice-outbox";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Flags and variables only filing-registry takes.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Seals queued notices (new filing passwords) at rest; at least 32 characters.
    /// Required when the service runs alone.
    #[arg(long, env = "BEIAN_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// During a rotation of the secret key: the key being replaced; notices sealed
    /// under it still open.
    #[arg(long, env = "BEIAN_PREVIOUS_SECRET_KEY", hide_env_values = true)]
    pub previous_secret_key: Option<Secret>,
    /// Wrong filing passwords in a row before the subject's password locks.
    #[arg(long, env = "BEIAN_FILING_PASSWORD_MAX_FAILURES", default_value_t = 5)]
    pub filing_password_max_failures: u32,
    /// How long a locked filing password stays locked, in seconds.
    #[arg(long, env = "BEIAN_FILING_PASSWORD_LOCK_SECS", default_value_t = 30 * 60)]
    pub filing_password_lock_secs: u64,
    /// Filing-password recoveries one filing number may see per China calendar day.
    #[arg(long, env = "BEIAN_FILING_PASSWORD_RECOVERIES_PER_FILING_PER_DAY", default_value_t = 5)]
    pub recoveries_per_filing_per_day: u32,
    /// Filing-password recoveries one client address may ask per China calendar day.
    #[arg(long, env = "BEIAN_FILING_PASSWORD_RECOVERIES_PER_CLIENT_PER_DAY", default_value_t = 20)]
    pub recoveries_per_client_per_day: u32,
}

/// How the notice relay paces itself.
#[derive(Debug, Clone, Copy)]
pub struct RelayPace {
    /// Looks for due notices this often (and at once when one is written).
    pub poll_interval: Duration,
    /// The first retry's delay after verification-codes refused or was down; doubles after.
    pub retry_base: Duration,
}

impl Default for RelayPace {
    fn default() -> Self {
        Self { poll_interval: Duration::from_secs(1), retry_base: Duration::from_secs(1) }
    }
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes and identity-recovery listen, and the timeout.
    pub peers: PeerSettings,
    pub secret_key: Secret,
    /// The key being rotated out: opens notices sealed under it.
    pub previous_secret_key: Option<Secret>,
    pub policy: PasswordPolicy,
    pub relay: RelayPace,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs, extra: &RegistryArgs) -> anyhow::Result<Self> {
        let secret_key = extra.secret_key.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "BEIAN_SECRET_KEY is not set: filing-registry seals queued filing-password notices \
                 with a key of at least {MIN_SECRET_KEY_LEN} characters"
            )
        })?;
        let settings = Self {
            host: args.host(ports::FILING_REGISTRY)?,
            database: args.database(NAME),
            peers: args.peers.clone(),
            secret_key,
            previous_secret_key: extra.previous_secret_key.clone(),
            policy: PasswordPolicy {
                max_failures: extra.filing_password_max_failures,
                lock: Duration::from_secs(extra.filing_password_lock_secs),
                recoveries_per_filing_per_day: extra.recoveries_per_filing_per_day,
                recoveries_per_client_per_day: extra.recoveries_per_client_per_day,
                ..PasswordPolicy::default()
            },
            relay: RelayPace::default(),
        };
        settings.validate()?;
        Ok(settings)
    }

    /// For the suite launcher and tests: default policy and a secret key made for this run.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self {
            host,
            database,
            peers,
            secret_key: Secret::generate(),
            previous_secret_key: None,
            policy: PasswordPolicy::default(),
            relay: RelayPace::default(),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.secret_key.expose().len() < MIN_SECRET_KEY_LEN {
            anyhow::bail!("the secret key must be at least {MIN_SECRET_KEY_LEN} characters");
        }
        if self.policy.max_failures == 0 {
            anyhow::bail!("the filing password needs at least one attempt before it locks");
        }
        Ok(())
    }
}

/// filing-registry as the platform runs it: the service and the notice relay beside it.
#[derive(Debug)]
pub struct Service {
    registry: service::FilingRegistry,
    relay: Option<notices::relay::Relay>,
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
        settings.validate()?;
        let previous = settings
            .previous_secret_key
            .as_ref()
            .map(|key| Sealer::derived(key, SEALING_LABEL))
            .transpose()?;
        let sealer = Sealer::derived(&settings.secret_key, SEALING_LABEL)?.also_opening(previous);
        let codes = peers::VerificationCodes::connect(&settings.peers, &settings.host)?;
        let identity = peers::IdentityRecovery::connect(&settings.peers, &settings.host)?;
        let (policy, pace) = (settings.policy, settings.relay);
        Ok(Start::new(settings.host, settings.database, move |db: Database| {
            let doorbell = notices::Doorbell::default();
            let relay =
                notices::relay::Relay::new(db.clone(), codes.clone(), sealer.clone(), doorbell.clone(), pace);
            let outbox = notices::Outbox::new(sealer, doorbell);
            let registry = service::FilingRegistry::new(db, policy, outbox, codes, identity);
            Self { registry, relay: Some(relay) }
        }))
    }

    /// Hands queued notices to verification-codes, and forgets past days' recovery
    /// counters, while serving.
    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        let mut tasks: Vec<Background> =
            vec![("housekeeping", tokio::spawn(housekeeping(self.registry.db.clone(), stop.clone())))];
        if let Some(relay) = self.relay.take() {
            tasks.push(("notice relay", tokio::spawn(relay.run(stop.clone()))));
        }
        tasks
    }

    fn routes(self) -> Routes {
        grpc::routes(self.registry)
    }
}

/// Hourly, until `stop`: deletes the recovery counters of past days.
async fn housekeeping(db: Database, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => return,
            _ = every.tick() => {}
        }
        match passwords::forget_past_days(&db, beian_platform::storage::now_millis()).await {
            Ok(forgotten) => tracing::debug!(forgotten, "past recovery counters deleted"),
            Err(error) => tracing::warn!(%error, "cannot delete past recovery counters"),
        }
    }
}
