//! The application every service is: a [`Service`] says what is its own (name,
//! exposure, migrations, how it starts, its routes and background tasks);
//! [`Application`] does the rest the same way for all of them — open and
//! migrate the database, bind the port, serve, and on shutdown drain, stop the
//! background tasks and close the database.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use sqlx::migrate::Migrator;
use tokio::{sync::watch, task::JoinHandle};
use tonic::service::Routes;

use crate::{
    config::HostSettings,
    host::{Exposure, Host},
    metrics::{Metrics, Sampler},
    storage::{Database, DatabaseLocation},
};

/// Background tasks get this long to stop after the server has drained.
const BACKGROUND_STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// A task beside the server, named for the logs.
pub type Background = (&'static str, JoinHandle<()>);

/// What is a service's own. A new service is its settings, its migrator, its
/// routes and (if any) its background tasks.
pub trait Service: Sized + Send + 'static {
    const NAME: &'static str;
    const EXPOSURE: Exposure;
    /// The gRPC services it serves, as health and reflection report them.
    const SERVICE_NAMES: &'static [&'static str];
    type Settings;

    fn migrator() -> &'static Migrator;

    /// Checks the settings and builds what needs no database (adapters, peer
    /// clients), so bad settings fail before the database is touched.
    fn prepare(settings: Self::Settings) -> anyhow::Result<Start<Self>>;

    /// Tasks to run beside the server; each stops when `stop` turns true.
    fn background(&mut self, _stop: &watch::Receiver<bool>) -> Vec<Background> {
        Vec::new()
    }

    fn routes(self) -> Routes;

    /// Sets the service's own gauges from its database before each scrape (outbox
    /// depth, cases pending…); called before `routes`.
    fn sampler(&self) -> Option<Sampler> {
        None
    }
}

/// Where a prepared service serves, which database it opens, and how it is made
/// once that database is migrated.
pub struct Start<S> {
    host: HostSettings,
    database: DatabaseLocation,
    make: Box<dyn FnOnce(Database) -> S + Send>,
}

impl<S> Start<S> {
    pub fn new(
        host: HostSettings,
        database: DatabaseLocation,
        make: impl FnOnce(Database) -> S + Send + 'static,
    ) -> Self {
        Self { host, database, make: Box::new(make) }
    }
}

/// A service whose database is migrated and whose port is bound.
#[derive(Debug)]
pub struct Application<S> {
    host: Host,
    database: Database,
    service: S,
}

impl<S: Service> Application<S> {
    /// Migrations run before the port opens, so health never reports SERVING
    /// for an unmigrated database.
    pub async fn build(settings: S::Settings) -> anyhow::Result<Self> {
        let Start { host, database, make } = S::prepare(settings)?;
        let database = Self::open_database(&database).await?.observed_by(&host.metrics);
        tracing::info!(service = S::NAME, database = database.engine(), "database migrated");
        let host = Host::bind(S::NAME, host, S::EXPOSURE).await?;
        let service = make(database.clone());
        Ok(Self { host, database, service })
    }

    /// Opens (and migrates) the service's database outside a running service:
    /// for loading data into it and for tools such as `beian dev`.
    pub async fn open_database(location: &DatabaseLocation) -> anyhow::Result<Database> {
        Database::open(location, S::migrator()).await
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.host.local_addr()
    }

    /// Where `GET /metrics` answers, if the settings asked for an admin port.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.host.admin_addr()
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Serves, with the background tasks, until `shutdown` resolves; then the
    /// server drains while the tasks are told to stop (each gets a few seconds
    /// before it is abandoned), and the database closes.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self { host, database, mut service } = self;
        let (stop, stopped) = watch::channel(false);
        let stop = Arc::new(stop);
        let background = service.background(&stopped);
        let sampler = with_pool_gauges(database.clone(), service.sampler());
        let signal = {
            let stop = stop.clone();
            async move {
                shutdown.await;
                stop.send_replace(true);
            }
        };
        let served = host.serve(service.routes(), S::SERVICE_NAMES, sampler, signal).await;
        stop.send_replace(true);
        for (name, mut task) in background {
            if tokio::time::timeout(BACKGROUND_STOP_TIMEOUT, &mut task).await.is_err() {
                tracing::warn!(service = S::NAME, task = name, "did not stop in time; abandoned");
                task.abort();
            }
        }
        database.close().await;
        served
    }
}

/// The service's sampler, after the database pools' connection gauges.
fn with_pool_gauges(database: Database, own: Option<Sampler>) -> Sampler {
    Arc::new(move |metrics: Metrics| {
        let (database, own) = (database.clone(), own.clone());
        Box::pin(async move {
            database.sample_pools(&metrics);
            if let Some(own) = own {
                own(metrics).await;
            }
        })
    })
}
