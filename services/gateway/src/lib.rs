//! The gateway: the suite's only public API. Front ends call it over gRPC or
//! gRPC-Web; it composes the internal services into user-facing workflows and
//! hands out masked data only.

mod account;
mod context;
pub mod error;
mod flows;
mod grpc;
mod lookup;
mod model;
mod peers;
mod reviews;
mod workflows;

use std::{future::Future, net::SocketAddr};

use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub const NAME: &str = "gateway";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the gateway needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    pub peers: PeerSettings,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self {
            host: args.host(ports::GATEWAY)?,
            database: args.database(NAME),
            peers: args.peers.clone(),
        })
    }
}

/// The gateway, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {
    app: ServiceApp,
    workflows: workflows::Workflows,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let peers = peers::Peers::connect(&settings.peers, &settings.host.internal_token)?;
        let app =
            ServiceApp::open(NAME, Exposure::Public, settings.host, &settings.database, &MIGRATOR).await?;
        let workflows = workflows::Workflows::new(peers, app.database().clone());
        Ok(Self { app, workflows })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.app.local_addr()
    }

    pub fn database(&self) -> &Database {
        self.app.database()
    }

    /// Serves until `shutdown` resolves, then drains and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        self.app.serve(grpc::routes(self.workflows), grpc::SERVICE_NAMES, shutdown).await
    }
}
