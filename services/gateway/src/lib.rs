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

use beian_platform::{
    app::{self, Start},
    config::{HostSettings, PeerSettings, ServiceArgs, ports},
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tonic::service::Routes;

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
        Ok(Self::local(args.host(ports::GATEWAY)?, args.database(NAME), args.peers.clone()))
    }

    /// For the suite launcher and tests.
    pub fn local(host: HostSettings, database: DatabaseLocation, peers: PeerSettings) -> Self {
        Self { host, database, peers }
    }
}

/// The gateway as the platform runs it: its workflows, holding the clients of
/// every other service.
#[derive(Debug)]
pub struct Service(workflows::Workflows);

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
        let peers = peers::Peers::connect(&settings.peers, &settings.host.internal_token)?;
        Ok(Start::new(settings.host, settings.database, |db: Database| {
            Self(workflows::Workflows::new(peers, db))
        }))
    }

    fn routes(self) -> Routes {
        grpc::routes(self.0)
    }
}
