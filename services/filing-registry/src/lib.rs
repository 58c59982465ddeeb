//! filing-registry: subjects, websites, filing numbers and passwords, orders, holder changes and their history. An internal service: only the suite calls it.

pub mod error;
mod grpc;
pub mod seed;
mod service;
pub mod subjects;

use std::{future::Future, net::SocketAddr};

use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub const NAME: &str = "filing-registry";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (and migrates) this service's database outside a running service:
/// for loading data into it and for tools such as `beian dev`.
pub async fn open_database(location: &DatabaseLocation) -> anyhow::Result<Database> {
    Database::open(location, &MIGRATOR).await
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self { host: args.host(ports::FILING_REGISTRY)?, database: args.database(NAME) })
    }
}

/// The service, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {
    app: ServiceApp,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let app =
            ServiceApp::open(NAME, Exposure::Internal, settings.host, &settings.database, &MIGRATOR).await?;
        Ok(Self { app })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.app.local_addr()
    }

    pub fn database(&self) -> &Database {
        self.app.database()
    }

    /// Serves until `shutdown` resolves, then drains and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let routes = grpc::routes(service::FilingRegistry::new(self.app.database().clone()));
        self.app.serve(routes, grpc::SERVICE_NAMES, shutdown).await
    }
}
