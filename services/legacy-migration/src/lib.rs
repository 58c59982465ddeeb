//! legacy-migration: the legacy platform's logins and filings, eligibility by date, import and claim, bulk load. An internal service: only the suite calls it.

mod eligibility;
pub mod error;
mod grpc;
mod legacy;
pub mod seed;
mod service;

use std::{future::Future, net::SocketAddr};

use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub const NAME: &str = "legacy-migration";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self { host: args.host(ports::LEGACY_MIGRATION)?, database: args.database(NAME) })
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
        let routes = grpc::routes(service::LegacyMigration::new(self.app.database().clone()));
        self.app.serve(routes, grpc::SERVICE_NAMES, shutdown).await
    }
}
