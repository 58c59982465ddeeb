//! The gateway: the suite's only public API. Front ends call it over gRPC or
//! gRPC-Web; it composes the internal services into user-facing workflows and
//! hands out masked data only.
//!
//! Layers: `grpc/` (the wire: validation, who is calling, sizes) → `workflows/`
//! (one module per workflow, domain values only) → `peers/` (one client per
//! service) and the gateway's own tables (`flows/`, `quota/`).

pub mod error;
mod flows;
mod grpc;
mod model;
mod peers;
mod proxies;
mod quota;
mod settings;
mod sweep;
mod workflows;

use beian_platform::{
    app::{self, Background, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tokio::sync::watch;
use tonic::service::Routes;

pub use crate::{proxies::TrustedProxies, settings::GatewayArgs};

pub const NAME: &str = "gateway";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Customer-service review requests one client may make per day, by default.
pub const DEFAULT_REVIEW_REQUESTS_PER_CLIENT_PER_DAY: u32 = 5;
/// Review status lookups one client may make per day, by default.
pub const DEFAULT_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY: u32 = 30;
/// Legacy import attempts one client may make per day, by default.
pub const DEFAULT_LEGACY_IMPORTS_PER_CLIENT_PER_DAY: u32 = 30;

/// Everything the gateway needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    pub peers: PeerSettings,
    /// Proxies whose `x-forwarded-for` names the client (empty: the header is ignored).
    pub trusted_proxies: TrustedProxies,
    pub review_requests_per_client_per_day: u32,
    pub review_status_lookups_per_client_per_day: u32,
    pub legacy_imports_per_client_per_day: u32,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs, extra: &GatewayArgs) -> anyhow::Result<Self> {
        Ok(Self {
            trusted_proxies: extra.trusted_proxies()?,
            review_requests_per_client_per_day: extra.review_requests_per_client_per_day,
            review_status_lookups_per_client_per_day: extra.review_status_lookups_per_client_per_day,
            legacy_imports_per_client_per_day: extra.legacy_imports_per_client_per_day,
            ..Self::local(args.host(ports::GATEWAY)?, args.database(NAME), args.peers.clone())
        })
    }

    /// The defaults of everything beyond where to listen, store and call.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self {
            host,
            database,
            peers,
            trusted_proxies: TrustedProxies::default(),
            review_requests_per_client_per_day: DEFAULT_REVIEW_REQUESTS_PER_CLIENT_PER_DAY,
            review_status_lookups_per_client_per_day: DEFAULT_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY,
            legacy_imports_per_client_per_day: DEFAULT_LEGACY_IMPORTS_PER_CLIENT_PER_DAY,
        }
    }
}

/// The gateway as the platform runs it: its workflows (holding the clients of
/// every other service) and who may name the client in `x-forwarded-for`.
#[derive(Debug)]
pub struct Service {
    workflows: workflows::Workflows,
    db: Database,
    trusted_proxies: TrustedProxies,
}

/// The gateway, migrated and bound, ready to serve.
pub type Application = app::Application<Service>;

impl app::Service for Service {
    const NAME: &'static str = NAME;
    const EXPOSURE: Exposure = Exposure::Public;
    const SERVICE_NAMES: &'static [&'static str] = grpc::SERVICE_NAMES;
    type Settings = Settings;

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    fn prepare(settings: Settings) -> anyhow::Result<Start<Self>> {
        let peers = peers::Peers::connect(&settings.peers, &settings.host)?;
        let limits = workflows::WorkflowLimits {
            review_requests_per_client_per_day: settings.review_requests_per_client_per_day,
            review_status_lookups_per_client_per_day: settings.review_status_lookups_per_client_per_day,
            legacy_imports_per_client_per_day: settings.legacy_imports_per_client_per_day,
        };
        // decoys must agree across restarts and replicas: keyed by a secret they share
        let decoys = workflows::password_reset::DecoyKey::derive(settings.host.internal_token.expose())?;
        let trusted_proxies = settings.trusted_proxies;
        Ok(Start::new(settings.host, settings.database, move |db: Database| Self {
            workflows: workflows::Workflows::new(peers, db.clone(), limits, decoys),
            db,
            trusted_proxies,
        }))
    }

    /// Expired flows and past days' quota counters are swept off the request path.
    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        vec![("sweep", tokio::spawn(sweep::run(self.db.clone(), sweep::SWEEP_EVERY, stop.clone())))]
    }

    fn routes(self) -> Routes {
        grpc::routes(self.workflows, self.trusted_proxies)
    }
}
