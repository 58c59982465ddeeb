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
pub mod sessions;

use std::{path::PathBuf, time::Duration};

use accounts::{guard::GuardPolicy, password::Hashing};
use beian_common::calendar::BusinessCalendar;
use beian_platform::{
    app::{self, Background, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    metrics::Sampler,
    storage::{Database, DatabaseLocation},
};
use tokio::sync::watch;
use tonic::service::Routes;

pub use locale::Locale;
pub use service::{EffectPace, lock_notices::LockNoticePace};
pub use sessions::SessionPolicy;

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
    /// Failed logins of one login name (known or not) before the first wait (Keycloak's
    /// failure factor).
    #[arg(long, env = "BEIAN_LOGIN_FAILURE_FACTOR", default_value_t = 5)]
    pub login_failure_factor: u32,
    /// Wait added per failure factor of failures, seconds.
    #[arg(long, env = "BEIAN_LOGIN_WAIT_INCREMENT_SECONDS", default_value_t = 60)]
    pub login_wait_increment_seconds: u64,
    /// Longest wait, seconds.
    #[arg(long, env = "BEIAN_LOGIN_MAX_WAIT_SECONDS", default_value_t = 900)]
    pub login_max_wait_seconds: u64,
    /// A failure streak quiet this long starts again, seconds (Keycloak's max delta time).
    #[arg(long, env = "BEIAN_LOGIN_FAILURE_RESET_SECONDS", default_value_t = 43_200)]
    pub login_failure_reset_seconds: u64,
    /// Failed logins one client address (IPv6: its /64) may have per window, all names together.
    #[arg(long, env = "BEIAN_LOGIN_CLIENT_FAILURES", default_value_t = 100)]
    pub login_client_failures: u32,
    /// The per-client window, seconds.
    #[arg(long, env = "BEIAN_LOGIN_CLIENT_WINDOW_SECONDS", default_value_t = 900)]
    pub login_client_window_seconds: u64,
    /// Argon2 hashes at once [default: one per available core].
    #[arg(long, env = "BEIAN_PASSWORD_HASH_PERMITS")]
    pub password_hash_permits: Option<usize>,
    /// How long a login may wait for a hashing permit before it is shed (OVERLOADED), ms.
    #[arg(long, env = "BEIAN_PASSWORD_HASH_WAIT_MS", default_value_t = 100)]
    pub password_hash_wait_ms: u64,
    /// A customer session's lifetime, minutes.
    #[arg(long, env = "BEIAN_SESSION_LIFETIME_MINUTES", default_value_t = 720)]
    pub session_lifetime_minutes: u64,
    /// A staff session's lifetime, minutes.
    #[arg(long, env = "BEIAN_STAFF_SESSION_LIFETIME_MINUTES", default_value_t = 240)]
    pub staff_session_lifetime_minutes: u64,
    /// A staff session unused this long ends, minutes.
    #[arg(long, env = "BEIAN_STAFF_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub staff_session_idle_minutes: u64,
}

impl IdentityArgs {
    fn login(&self) -> LoginSettings {
        LoginSettings {
            guard: GuardPolicy {
                failure_factor: self.login_failure_factor,
                wait_increment: Duration::from_secs(self.login_wait_increment_seconds),
                max_wait: Duration::from_secs(self.login_max_wait_seconds),
                failure_reset: Duration::from_secs(self.login_failure_reset_seconds),
                client_failures_per_window: self.login_client_failures,
                client_window: Duration::from_secs(self.login_client_window_seconds),
            },
            hash_permits: self.password_hash_permits.unwrap_or_else(Hashing::default_permits),
            hash_wait: Duration::from_millis(self.password_hash_wait_ms),
            lock_notices: LoginSettings::default().lock_notices,
        }
    }

    fn sessions(&self) -> SessionPolicy {
        let minutes = |m: u64| Duration::from_secs(m.saturating_mul(60));
        SessionPolicy {
            lifetime: minutes(self.session_lifetime_minutes),
            staff_lifetime: minutes(self.staff_session_lifetime_minutes),
            staff_idle_timeout: minutes(self.staff_session_idle_minutes),
            ..SessionPolicy::default()
        }
    }
}

/// How logins are guarded; `Default` is the documented default of every setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSettings {
    /// Brute-force detection per login name and the per-client cap.
    pub guard: GuardPolicy,
    /// Argon2 hashes at once (one per core: each takes a core and 19 MiB).
    pub hash_permits: usize,
    /// How long a login waits for a permit before it is shed; zero: never waits.
    pub hash_wait: Duration,
    /// When lock notices are queued again (a failed try) or at all (an undecided login).
    pub lock_notices: LockNoticePace,
}

impl Default for LoginSettings {
    fn default() -> Self {
        Self {
            guard: GuardPolicy::default(),
            hash_permits: Hashing::default_permits(),
            hash_wait: Duration::from_millis(100),
            lock_notices: LockNoticePace::default(),
        }
    }
}

impl LoginSettings {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.guard.validate()?;
        anyhow::ensure!(self.hash_permits >= 1, "BEIAN_PASSWORD_HASH_PERMITS must be at least 1");
        anyhow::ensure!(
            !self.lock_notices.retry.is_zero(),
            "the lock notice retry interval must be positive"
        );
        Ok(())
    }
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    /// Where verification-codes, filing-registry and legacy-migration listen, and the timeout.
    pub peers: PeerSettings,
    /// Which days count for review deadlines.
    pub calendar: BusinessCalendar,
    /// How decided reviews' effects are tried.
    pub effects: EffectPace,
    pub login: LoginSettings,
    pub sessions: SessionPolicy,
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
            login: extra.login(),
            sessions: extra.sessions(),
        })
    }

    /// For the suite launcher: the shipped PRC calendar, the default effect pace and login rules.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self {
            host,
            database,
            peers,
            calendar: BusinessCalendar::china_default(),
            effects: EffectPace::default(),
            login: LoginSettings::default(),
            sessions: SessionPolicy::default(),
        }
    }
}

/// Past the schedule's last year every deadline counts weekends only, silently: said at
/// start (the alert `BeianHolidayScheduleEnding` says it from December on).
fn warn_if_schedule_ended(last_year: Option<i32>) {
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    if last_year.is_none_or(|last| last < this_year) {
        tracing::warn!(
            ?last_year,
            this_year,
            "the holiday schedule does not cover this year: review deadlines count weekends only \
             until BEIAN_HOLIDAYS_FILE lists its holidays and make-up days"
        );
    }
}

/// identity-recovery as the platform runs it: the API and the worker applying decisions.
#[derive(Debug)]
pub struct Service {
    api: service::IdentityRecovery,
    /// Read at each scrape for the review queue's gauges.
    db: Database,
    effects: Option<service::EffectWorker>,
    lock_notices: LockNoticePace,
    /// The last year the holiday schedule lists, for its gauge.
    calendar_last_year: Option<i32>,
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
        settings.login.validate()?;
        settings.sessions.validate()?;
        let verification_codes = peers::VerificationCodes::connect(&settings.peers, &settings.host)?;
        let filing_registry = peers::FilingRegistry::connect(&settings.peers, &settings.host)?;
        let legacy_migration = peers::LegacyMigration::connect(&settings.peers, &settings.host)?;
        let calendar = settings.calendar;
        let calendar_last_year = calendar.last_listed_year();
        warn_if_schedule_ended(calendar_last_year);
        let pace = settings.effects;
        let lock_notices = settings.login.lock_notices;
        // the decoy an unknown name is checked against: one hash, before serving
        let decoy_hash = beian_common::password::hash(sessions::SessionToken::generate().expose())?;
        let rules = service::LoginRules {
            guard: settings.login.guard,
            sessions: settings.sessions,
            hashing: Hashing::new(settings.login.hash_permits, settings.login.hash_wait),
            decoy_hash,
        };
        Ok(Start::new(settings.host, settings.database, move |db: Database| {
            let api = service::IdentityRecovery::new(db.clone(), verification_codes.clone(), calendar, rules);
            let effects = service::EffectWorker::new(
                db.clone(),
                verification_codes,
                filing_registry,
                legacy_migration,
                pace,
                api.effects_doorbell(),
            );
            Self { api, db, effects: Some(effects), lock_notices, calendar_last_year }
        }))
    }

    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        let api = &self.api;
        let mut tasks = vec![
            (
                "sweep",
                tokio::spawn(service::sweep::run(
                    api.database().clone(),
                    api.guard_policy().clone(),
                    api.session_policy().sweep_every,
                    stop.clone(),
                )),
            ),
            (
                "lock-notices",
                tokio::spawn(service::lock_notices::run(api.clone(), self.lock_notices, stop.clone())),
            ),
        ];
        if let Some(worker) = self.effects.take() {
            tasks.push(("review effects", tokio::spawn(worker.run(stop.clone()))));
        }
        tasks
    }

    fn sampler(&self) -> Option<Sampler> {
        Some(reviews::gauges::sampler(self.db.clone(), self.calendar_last_year))
    }

    fn routes(self) -> Routes {
        grpc::routes(self.api)
    }
}
