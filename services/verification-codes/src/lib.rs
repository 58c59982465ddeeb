//! verification-codes: sMS and email codes, human checks, one-time proofs, rate limits and message delivery through an outbox. An internal service: only the suite calls it.

pub mod error;
mod grpc;

use std::{future::Future, net::SocketAddr};

use beian_platform::{
    app::ServiceApp,
    config::{HostSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};

pub const NAME: &str = "verification-codes";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self { host: args.host(ports::VERIFICATION_CODES)?, database: args.database(NAME) })
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
        self.app.serve(grpc::routes(), grpc::SERVICE_NAMES, shutdown).await
    }
}
