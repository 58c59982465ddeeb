//! All five services in one process, each with its own database and port,
//! talking to each other over gRPC exactly as when deployed apart.

use std::{
    future::Future,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use beian_platform::{
    config::{HostSettings, PeerSettings, Secret, ports},
    metrics::Metrics,
    storage::DatabaseLocation,
};
use tokio::{
    sync::{Notify, watch},
    task::JoinHandle,
};

use crate::{demo, runtimes::Runtimes};

/// Where each service listens (port 0: any free port).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    pub gateway: SocketAddr,
    pub verification_codes: SocketAddr,
    pub filing_registry: SocketAddr,
    pub identity_recovery: SocketAddr,
    pub legacy_migration: SocketAddr,
}

impl Addresses {
    /// The documented defaults, 127.0.0.1:50051–50055.
    pub fn defaults() -> Self {
        Self {
            gateway: ports::GATEWAY,
            verification_codes: ports::VERIFICATION_CODES,
            filing_registry: ports::FILING_REGISTRY,
            identity_recovery: ports::IDENTITY_RECOVERY,
            legacy_migration: ports::LEGACY_MIGRATION,
        }
    }

    /// The admin ports `beian up` gives each service's `GET /metrics`: 127.0.0.1:9451–9455.
    pub fn admin_defaults() -> Self {
        let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        Self {
            gateway: at(9451),
            verification_codes: at(9452),
            filing_registry: at(9453),
            identity_recovery: at(9454),
            legacy_migration: at(9455),
        }
    }

    /// Free ports on 127.0.0.1, for tests.
    pub fn ephemeral() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            gateway: any,
            verification_codes: any,
            filing_registry: any,
            identity_recovery: any,
            legacy_migration: any,
        }
    }
}

/// One database per service.
#[derive(Debug, Clone)]
pub struct Databases {
    pub gateway: DatabaseLocation,
    pub verification_codes: DatabaseLocation,
    pub filing_registry: DatabaseLocation,
    pub identity_recovery: DatabaseLocation,
    pub legacy_migration: DatabaseLocation,
}

/// The five services by name.
pub const SERVICES: [&str; 5] = [
    gateway::NAME,
    verification_codes::NAME,
    filing_registry::NAME,
    identity_recovery::NAME,
    legacy_migration::NAME,
];

impl Databases {
    /// SQLite files under `data_dir`, one per service.
    pub fn sqlite_under(data_dir: &Path) -> Self {
        Self {
            gateway: DatabaseLocation::sqlite_file(data_dir, gateway::NAME),
            verification_codes: DatabaseLocation::sqlite_file(data_dir, verification_codes::NAME),
            filing_registry: DatabaseLocation::sqlite_file(data_dir, filing_registry::NAME),
            identity_recovery: DatabaseLocation::sqlite_file(data_dir, identity_recovery::NAME),
            legacy_migration: DatabaseLocation::sqlite_file(data_dir, legacy_migration::NAME),
        }
    }

    /// Each service's database as `location` names it (e.g. scratch databases for a test).
    pub fn try_from_fn(
        mut location: impl FnMut(&'static str) -> anyhow::Result<DatabaseLocation>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            gateway: location(gateway::NAME)?,
            verification_codes: location(verification_codes::NAME)?,
            filing_registry: location(filing_registry::NAME)?,
            identity_recovery: location(identity_recovery::NAME)?,
            legacy_migration: location(legacy_migration::NAME)?,
        })
    }
}

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct SuiteSettings {
    pub addresses: Addresses,
    pub databases: Databases,
    /// Where files the suite writes go: the message sink `messages.jsonl`.
    pub data_dir: PathBuf,
    /// Code lifetimes, cooldowns and caps of verification-codes.
    pub code_policy: verification_codes::Policy,
    /// The service-to-service credential; `beian up` makes a fresh one per run.
    pub internal_token: Secret,
    /// verification-codes' and filing-registry's secret key (codes, proofs, sealed
    /// notices); `beian up` keeps one in its data directory.
    pub secret_key: Secret,
    pub request_timeout: Duration,
    pub concurrency_limit: usize,
    pub peer_timeout: Duration,
    /// Load the demo data set before serving.
    pub seed_demo: bool,
    /// Each service's admin port (`GET /metrics`); none: no admin ports.
    pub admin: Option<Addresses>,
    /// Proxies whose `x-forwarded-for` the gateway believes (default: none).
    pub trusted_proxies: gateway::TrustedProxies,
    /// The gateway's daily quota of customer-service requests per client.
    pub review_requests_per_client_per_day: u32,
    /// GetReviewStatus lookups one client address may make per day.
    pub review_status_lookups_per_client_per_day: u32,
    /// Legacy import attempts one client address may make per day.
    pub legacy_imports_per_client_per_day: u32,
    /// identity-recovery's login guard: lock waits, per-client cap, hashing permits.
    pub login: identity_recovery::LoginSettings,
    /// legacy-migration's password checks at once, and how long one waits for its turn.
    pub legacy_hash_permits: usize,
    pub legacy_hash_wait: Duration,
    /// Where the gateway reaches verification-codes when not directly, e.g. a test's
    /// proxy in front of it; `None`: verification-codes' own address.
    pub gateway_verification_codes_url: Option<String>,
    /// The same for identity-recovery.
    pub gateway_identity_recovery_url: Option<String>,
    /// The same for filing-registry.
    pub gateway_filing_registry_url: Option<String>,
    /// Each service's subscriber (`beian up`): each service then runs on a runtime
    /// of its own whose spans carry its name. Empty: all on the caller's runtime.
    pub service_subscribers: Vec<(&'static str, tracing::Dispatch)>,
}

impl SuiteSettings {
    pub fn new(addresses: Addresses, databases: Databases, data_dir: PathBuf) -> Self {
        Self {
            addresses,
            databases,
            data_dir,
            code_policy: verification_codes::Policy::default(),
            internal_token: Secret::generate(),
            secret_key: Secret::generate(),
            request_timeout: Duration::from_secs(10),
            concurrency_limit: 512,
            peer_timeout: Duration::from_secs(5),
            seed_demo: false,
            admin: None,
            trusted_proxies: gateway::TrustedProxies::default(),
            review_requests_per_client_per_day: gateway::DEFAULT_REVIEW_REQUESTS_PER_CLIENT_PER_DAY,
            review_status_lookups_per_client_per_day:
                gateway::DEFAULT_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY,
            legacy_imports_per_client_per_day: gateway::DEFAULT_LEGACY_IMPORTS_PER_CLIENT_PER_DAY,
            login: identity_recovery::LoginSettings::default(),
            legacy_hash_permits: beian_platform::hashing::HashGate::default_permits(),
            legacy_hash_wait: Duration::from_millis(100),
            gateway_verification_codes_url: None,
            gateway_identity_recovery_url: None,
            gateway_filing_registry_url: None,
            service_subscribers: Vec::new(),
        }
    }

    fn host(&self, listen: SocketAddr, admin_listen: Option<SocketAddr>) -> HostSettings {
        HostSettings {
            also_admitted_internal_token: None,
            admin_listen,
            metrics: Metrics::new(),
            listen,
            request_timeout: self.request_timeout,
            concurrency_limit: self.concurrency_limit,
            internal_token: self.internal_token.clone(),
        }
    }
}

/// The suite, serving.
#[derive(Debug)]
pub struct RunningSuite {
    addresses: Addresses,
    admin: Option<Addresses>,
    stop: watch::Sender<bool>,
    /// Woken when any service stops on its own (a failure).
    exited: Arc<Notify>,
    tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    /// Dropped last, once every service has stopped.
    runtimes: Runtimes,
}

impl RunningSuite {
    /// Migrates every database, binds every port, loads the demo data if asked, then serves.
    pub async fn start(settings: SuiteSettings) -> anyhow::Result<Self> {
        let runtimes = Runtimes::new(&settings.service_subscribers)?;
        let verification_codes = runtimes
            .spawn(
                verification_codes::NAME,
                verification_codes::Application::build(verification_codes::Settings {
                    policy: settings.code_policy.clone(),
                    // `beian up` and the tests: messages go to the file sink, where a developer reads them
                    development: true,
                    secret_key: settings.secret_key.clone(),
                    ..verification_codes::Settings::local(
                        settings.host(
                            settings.addresses.verification_codes,
                            settings.admin.map(|a| a.verification_codes),
                        ),
                        settings.databases.verification_codes.clone(),
                        &settings.data_dir,
                    )
                }),
            )
            .await??;
        // filing-registry and identity-recovery call verification-codes and each other (a
        // transfer reads both accounts; a review effect moves a subject): identity-recovery's
        // address is settled before filing-registry is built; the gateway calls everyone
        let identity_address = settled(settings.addresses.identity_recovery)?;
        let mut peers = PeerSettings {
            verification_codes: url(verification_codes.local_addr()),
            filing_registry: String::new(),
            identity_recovery: url(identity_address),
            legacy_migration: String::new(),
            timeout_ms: u64::try_from(settings.peer_timeout.as_millis()).unwrap_or(u64::MAX),
        };
        let filing_registry = runtimes
            .spawn(
                filing_registry::NAME,
                filing_registry::Application::build(filing_registry::Settings {
                    secret_key: settings.secret_key.clone(),
                    ..filing_registry::Settings::local(
                        settings.host(
                            settings.addresses.filing_registry,
                            settings.admin.map(|a| a.filing_registry),
                        ),
                        settings.databases.filing_registry.clone(),
                        peers.clone(),
                    )
                }),
            )
            .await??;
        peers.filing_registry = url(filing_registry.local_addr());
        // legacy-migration's saga adopts subjects in filing-registry; identity-recovery
        // completes approved claims in legacy-migration
        let legacy_migration = runtimes
            .spawn(
                legacy_migration::NAME,
                legacy_migration::Application::build(legacy_migration::Settings {
                    hash_permits: settings.legacy_hash_permits,
                    hash_wait: settings.legacy_hash_wait,
                    ..legacy_migration::Settings::local(
                        settings.host(
                            settings.addresses.legacy_migration,
                            settings.admin.map(|a| a.legacy_migration),
                        ),
                        settings.databases.legacy_migration.clone(),
                        peers.clone(),
                    )
                }),
            )
            .await??;
        peers.legacy_migration = url(legacy_migration.local_addr());
        let identity_recovery = runtimes
            .spawn(
                identity_recovery::NAME,
                identity_recovery::Application::build(identity_recovery::Settings {
                    login: settings.login.clone(),
                    ..identity_recovery::Settings::local(
                        settings.host(identity_address, settings.admin.map(|a| a.identity_recovery)),
                        settings.databases.identity_recovery.clone(),
                        peers.clone(),
                    )
                }),
            )
            .await??;
        peers.identity_recovery = url(identity_recovery.local_addr());
        if let Some(via) = &settings.gateway_verification_codes_url {
            peers.verification_codes.clone_from(via);
        }
        if let Some(via) = &settings.gateway_identity_recovery_url {
            peers.identity_recovery.clone_from(via);
        }
        if let Some(via) = &settings.gateway_filing_registry_url {
            peers.filing_registry.clone_from(via);
        }
        let gateway = runtimes
            .spawn(
                gateway::NAME,
                gateway::Application::build(gateway::Settings {
                    trusted_proxies: settings.trusted_proxies.clone(),
                    review_requests_per_client_per_day: settings.review_requests_per_client_per_day,
                    review_status_lookups_per_client_per_day: settings
                        .review_status_lookups_per_client_per_day,
                    legacy_imports_per_client_per_day: settings.legacy_imports_per_client_per_day,
                    ..gateway::Settings::local(
                        settings.host(settings.addresses.gateway, settings.admin.map(|a| a.gateway)),
                        settings.databases.gateway.clone(),
                        peers,
                    )
                }),
            )
            .await??;

        if settings.seed_demo {
            demo::load(demo::Targets {
                identity_recovery: identity_recovery.database(),
                filing_registry: filing_registry.database(),
                legacy_migration: legacy_migration.database(),
            })
            .await?;
        }

        let addresses = Addresses {
            gateway: gateway.local_addr(),
            verification_codes: verification_codes.local_addr(),
            filing_registry: filing_registry.local_addr(),
            identity_recovery: identity_recovery.local_addr(),
            legacy_migration: legacy_migration.local_addr(),
        };
        let admin = settings.admin.and_then(|_| {
            Some(Addresses {
                gateway: gateway.admin_addr()?,
                verification_codes: verification_codes.admin_addr()?,
                filing_registry: filing_registry.admin_addr()?,
                identity_recovery: identity_recovery.admin_addr()?,
                legacy_migration: legacy_migration.admin_addr()?,
            })
        });
        let (stop, stopped) = watch::channel(false);
        let exited = Arc::new(Notify::new());
        let spawn = |name: &'static str, served: Served| {
            let exited = exited.clone();
            let task = runtimes.spawn(name, async move {
                let result = served.await;
                exited.notify_one();
                result
            });
            (name, task)
        };
        let tasks = vec![
            spawn(verification_codes::NAME, Box::pin(verification_codes.run_until(wait(stopped.clone())))),
            spawn(filing_registry::NAME, Box::pin(filing_registry.run_until(wait(stopped.clone())))),
            spawn(identity_recovery::NAME, Box::pin(identity_recovery.run_until(wait(stopped.clone())))),
            spawn(legacy_migration::NAME, Box::pin(legacy_migration.run_until(wait(stopped.clone())))),
            spawn(gateway::NAME, Box::pin(gateway.run_until(wait(stopped)))),
        ];
        Ok(Self { addresses, admin, stop, exited, tasks, runtimes })
    }

    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    /// Where each service's `GET /metrics` answers, if the settings asked for admin ports.
    pub fn admin_addresses(&self) -> Option<Addresses> {
        self.admin
    }

    /// Serves until `signal` resolves or a service fails, then stops them all.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        tokio::select! {
            () = signal => {}
            () = self.exited.notified() => tracing::error!("a service stopped on its own; stopping the suite"),
        }
        self.stop().await
    }

    /// Stops accepting, drains requests in flight and closes every database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let Self { stop, tasks, runtimes, .. } = self;
        let _ = stop.send(true);
        let mut first_error = None;
        for (name, task) in tasks {
            let result = task.await.map_err(anyhow::Error::from).and_then(|served| served);
            if let Err(error) = result {
                tracing::error!(service = name, error = %format!("{error:#}"), "stopped with an error");
                first_error.get_or_insert(error.context(name));
            }
        }
        drop(runtimes);
        first_error.map_or(Ok(()), Err)
    }
}

type Served = std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// The address itself, or for port 0 a port bound now and held for the service, so a peer
/// can be told it before the service is built.
fn settled(address: SocketAddr) -> anyhow::Result<SocketAddr> {
    if address.port() != 0 {
        return Ok(address);
    }
    Ok(beian_platform::host::reserve(address)?)
}

fn url(address: SocketAddr) -> String {
    format!("http://{address}")
}

async fn wait(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Opens nothing; lists the databases `settings` would use, for the start-up banner.
pub fn describe(databases: &Databases) -> [(&'static str, String); 5] {
    [
        (gateway::NAME, databases.gateway.describe()),
        (verification_codes::NAME, databases.verification_codes.describe()),
        (filing_registry::NAME, databases.filing_registry.describe()),
        (identity_recovery::NAME, databases.identity_recovery.describe()),
        (legacy_migration::NAME, databases.legacy_migration.describe()),
    ]
}
