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
mod wire;
mod workflows;

use std::{future::Future, net::SocketAddr};

use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub use crate::{proxies::TrustedProxies, settings::GatewayArgs};

pub const NAME: &str = "gateway";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Customer-service review requests one client may make per day, by default.
pub const DEFAULT_REVIEW_REQUESTS_PER_CLIENT_PER_DAY: u32 = 5;

/// Everything the gateway needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    pub peers: PeerSettings,
    /// Proxies whose `x-forwarded-for` names the client (empty: the header is ignored).
    pub trusted_proxies: TrustedProxies,
    pub review_requests_per_client_per_day: u32,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs, extra: &GatewayArgs) -> anyhow::Result<Self> {
        Ok(Self {
            trusted_proxies: extra.trusted_proxies()?,
            review_requests_per_client_per_day: extra.review_requests_per_client_per_day,
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
        }
    }
}

/// The gateway, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {
    app: ServiceApp,
    workflows: workflows::Workflows,
    trusted_proxies: TrustedProxies,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let peers = peers::Peers::connect(&settings.peers, &settings.host.internal_token)?;
        let app =
            ServiceApp::open(NAME, Exposure::Public, settings.host, &settings.database, &MIGRATOR).await?;
        let limits = workflows::WorkflowLimits {
            review_requests_per_client_per_day: settings.review_requests_per_client_per_day,
        };
        let workflows = workflows::Workflows::new(peers, app.database().clone(), limits);
        Ok(Self { app, workflows, trusted_proxies: settings.trusted_proxies })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.app.local_addr()
    }

    pub fn database(&self) -> &Database {
        self.app.database()
    }

    /// Serves (and sweeps expired flows) until `shutdown` resolves, then drains and
    /// closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let sweep = tokio::spawn(sweep::run(self.app.database().clone(), sweep::SWEEP_EVERY));
        let routes = grpc::routes(self.workflows, self.trusted_proxies);
        let served = self.app.serve(routes, grpc::SERVICE_NAMES, shutdown).await;
        sweep.abort();
        served
    }
}
