//! filing-registry: subjects, websites, filing numbers and passwords, orders, holder changes and their history. An internal service: only the suite calls it.

pub mod error;
mod grpc;
pub mod seed;
mod service;
pub mod subjects;

use beian_platform::{
    app::{self, Start},
    config::{HostSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tonic::service::Routes;

pub const NAME: &str = "filing-registry";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
}

impl Settings {
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {
        Ok(Self::local(args.host(ports::FILING_REGISTRY)?, args.database(NAME)))
    }

    /// For the suite launcher and tests: nothing beyond where to serve and store.
    pub fn local(host: HostSettings, database: DatabaseLocation) -> Self {
        Self { host, database }
    }
}

/// filing-registry as the platform runs it.
#[derive(Debug)]
pub struct Service(service::FilingRegistry);

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
        Ok(Start::new(settings.host, settings.database, |db: Database| {
            Self(service::FilingRegistry::new(db))
        }))
    }

    fn routes(self) -> Routes {
        grpc::routes(self.0)
    }
}
