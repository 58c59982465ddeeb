//! verification-codes: SMS and email codes, human checks, one-time proofs,
//! rate limits and message delivery through an outbox. An internal service:
//! only the suite calls it.

mod client;
mod codes;
mod delivery;
mod destination;
pub mod dev;
pub mod error;
mod grpc;
mod human_check;
mod janitor;
mod keys;
mod limits;
use beian_common::locale;
mod outbox;
mod proofs;
mod purpose;
mod service;
mod settings;
mod templates;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use beian_platform::{
    app::ServiceApp,
    host::Exposure,
    storage::{Database, DatabaseLocation},
};
use tokio::{sync::watch, task::JoinHandle};

pub use settings::{
    DeliverySettings, EmailAdapter, HumanCheckKind, HumanCheckSettings, MESSAGES_FILE, MIN_SECRET_KEY_LEN,
    Policy, SMS_TEMPLATE_VARIABLE_PREFIX, Settings, SmsAdapter, SmsHttpSettings, SmtpSettings, Switch,
    VendorSettings, VerificationArgs,
};

use crate::{
    delivery::Deliverer,
    human_check::vendor::Vendor,
    keys::Keys,
    outbox::{
        Doorbell,
        dispatcher::{Dispatcher, Pace},
        sealing::Sealer,
    },
    service::{HumanCheckMode, VerificationCodes},
};

pub const NAME: &str = "verification-codes";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (and migrates) this service's database outside a running service:
/// for loading data into it and for tools such as `beian dev`.
pub async fn open_database(location: &DatabaseLocation) -> anyhow::Result<Database> {
    Database::open(location, &MIGRATOR).await
}

/// Background tasks get this long to stop after the server has drained.
const BACKGROUND_STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// The service, migrated and bound, ready to serve.
#[derive(Debug)]
pub struct Application {
    app: ServiceApp,
    service: VerificationCodes,
    dispatcher: Option<Dispatcher>,
}

impl Application {
    /// Checks the settings (the file sink only in a development run), builds
    /// the delivery adapters (a bad SMTP URL fails here), migrates the
    /// database and binds the port.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.validate()?;
        let keys = Keys::new(&settings.secret_key)?;
        let sealer = Sealer::new(&keys);
        let human_check = match &settings.human_check {
            HumanCheckSettings::Slider => HumanCheckMode::Slider,
            HumanCheckSettings::Vendor(vendor) => HumanCheckMode::Vendor(Vendor::new(vendor)?),
        };
        let deliverer = Deliverer::new(&settings.delivery)?;
        let app =
            ServiceApp::open(NAME, Exposure::Internal, settings.host, &settings.database, &MIGRATOR).await?;
        let doorbell = Doorbell::default();
        let db = app.database().clone();
        let delivery = &settings.delivery;
        let dispatcher = delivery.dispatch.then(|| {
            let pace = Pace {
                poll_interval: delivery.poll_interval,
                max_attempts: delivery.max_attempts,
                retry_base: delivery.retry_base,
                lease: delivery.lease,
            };
            Dispatcher::new(db.clone(), deliverer, sealer.clone(), doorbell.clone(), pace)
        });
        if dispatcher.is_none() {
            tracing::warn!("outbox dispatch is off: messages stay queued until a dispatching process runs");
        }
        let service = VerificationCodes::new(db, keys, sealer, settings.policy, human_check, doorbell);
        Ok(Self { app, service, dispatcher })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.app.local_addr()
    }

    pub fn database(&self) -> &Database {
        self.app.database()
    }

    /// Serves, delivers queued messages and sweeps old rows until `shutdown`
    /// resolves; then the server drains while the dispatcher finishes (or
    /// leaves for after a restart) what it is sending, and the database closes.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let stop = Arc::new(stop);
        let db = self.app.database().clone();
        let mut background: Vec<(&str, JoinHandle<()>)> =
            vec![("housekeeping", tokio::spawn(janitor::run(db, stopped.clone())))];
        if let Some(dispatcher) = self.dispatcher {
            background.push(("outbox dispatcher", tokio::spawn(dispatcher.run(stopped))));
        }
        let signal = {
            let stop = stop.clone();
            async move {
                shutdown.await;
                stop.send_replace(true);
            }
        };
        let served = self.app.serve(grpc::routes(self.service), grpc::SERVICE_NAMES, signal).await;
        stop.send_replace(true);
        for (name, mut task) in background {
            if tokio::time::timeout(BACKGROUND_STOP_TIMEOUT, &mut task).await.is_err() {
                tracing::warn!(task = name, "did not stop in time; abandoned");
                task.abort();
            }
        }
        served
    }
}

/// Resolves once a stop is asked for, or when nobody can ask any more.
pub(crate) async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}
