import sys,os
svc, crate, proto_base, Pub, Int, port, desc, typename = sys.argv[1:9]
d=f'/work/main/services/{svc}'
os.makedirs(d+'/migrations',exist_ok=True)
open(d+'/Cargo.toml','w').write(f'''[package]
name = "{svc}"
description = "{desc}"
version.workspace = true
edition.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
beian-common.workspace = true
beian-platform.workspace = true
beian-proto.workspace = true
anyhow.workspace = true
sqlx.workspace = true
thiserror.workspace = true
tokio.workspace = true
tonic.workspace = true
tracing.workspace = true

[lints]
workspace = true
''')
open(d+'/src/main.rs','w').write(f'''use {crate}::{{Application, NAME, Settings}};

fn main() -> std::process::ExitCode {{
    beian_platform::cli::run_service(NAME, |args| async move {{
        let application = Application::build(Settings::from_args(&args)?).await?;
        application.run_until(beian_platform::shutdown::signal()).await
    }})
}}
''')
open(d+'/src/grpc/mod.rs','w').write(f'''//! The wire boundary: generated types stop here. Each handler validates,
//! converts into domain types, calls the domain and converts back.

mod internal;
mod public;

use beian_proto::{proto_base}::v1::{{
    {Int.lower() if False else ''}{__import__('re').sub(r'(?<!^)(?=[A-Z])','_',Int).lower()}_server::{Int}Server,
    {__import__('re').sub(r'(?<!^)(?=[A-Z])','_',Pub).lower()}_server::{Pub}Server,
}};
use tonic::{{server::NamedService, service::Routes}};

use crate::service::Service;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <{Pub}Server<public::PublicApi> as NamedService>::NAME,
    <{Int}Server<internal::InternalApi> as NamedService>::NAME,
];

pub fn routes(service: Service) -> Routes {{
    Routes::new({Pub}Server::new(public::PublicApi::new(service.clone())))
        .add_service({Int}Server::new(internal::InternalApi::new(service)))
}}
''')
open(d+'/src/lib.rs','w').write(f'''//! {svc}: {desc[0].lower()+desc[1:]} An internal service: only the suite calls it.

pub mod error;
mod grpc;
pub mod seed;
mod service;

use std::{{future::Future, net::SocketAddr}};

use beian_platform::{{
    app::ServiceApp,
    config::{{HostSettings, ServiceArgs, ports}},
    host::Exposure,
    storage::{{Database, DatabaseLocation}},
}};

pub const NAME: &str = "{svc}";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {{
    pub host: HostSettings,
    pub database: DatabaseLocation,
}}

impl Settings {{
    pub fn from_args(args: &ServiceArgs) -> anyhow::Result<Self> {{
        Ok(Self {{ host: args.host(ports::{port})?, database: args.database(NAME) }})
    }}
}}

/// The service, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {{
    app: ServiceApp,
}}

impl Application {{
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {{
        let app =
            ServiceApp::open(NAME, Exposure::Internal, settings.host, &settings.database, &MIGRATOR).await?;
        Ok(Self {{ app }})
    }}

    pub fn local_addr(&self) -> SocketAddr {{
        self.app.local_addr()
    }}

    pub fn database(&self) -> &Database {{
        self.app.database()
    }}

    /// Serves until `shutdown` resolves, then drains and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {{
        let routes = grpc::routes(service::Service::new(self.app.database().clone()));
        self.app.serve(routes, grpc::SERVICE_NAMES, shutdown).await
    }}
}}
''')
