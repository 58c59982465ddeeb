//! The start-up every service shares: open and migrate its database, then
//! bind its port; serve; on shutdown drain and close the database.

use std::{future::Future, net::SocketAddr};

use sqlx::migrate::Migrator;
use tonic::service::Routes;

use crate::{
    config::HostSettings,
    host::{Exposure, Host},
    storage::{Database, DatabaseLocation},
};

/// A service whose database is migrated and whose port is bound.
#[derive(Debug)]
pub struct ServiceApp {
    host: Host,
    database: Database,
}

impl ServiceApp {
    /// Migrations run before the port opens, so health never reports SERVING
    /// for an unmigrated database.
    pub async fn open(
        name: &'static str,
        exposure: Exposure,
        host: HostSettings,
        database: &DatabaseLocation,
        migrator: &Migrator,
    ) -> anyhow::Result<Self> {
        let database = Database::open(database, migrator).await?;
        tracing::info!(service = name, database = %database_label(database.writer()), "database migrated");
        let host = Host::bind(name, host, exposure).await?;
        Ok(Self { host, database })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.host.local_addr()
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Serves until `shutdown` resolves, drains, then closes the database.
    pub async fn serve(
        self,
        routes: Routes,
        services: &[&str],
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let served = self.host.serve(routes, services, shutdown).await;
        self.database.close().await;
        served
    }
}

fn database_label(pool: &sqlx::AnyPool) -> &'static str {
    match pool.connect_options().database_url.scheme() {
        "postgres" | "postgresql" => "postgresql",
        _ => "sqlite",
    }
}
