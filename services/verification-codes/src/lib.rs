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
mod service;
mod settings;
mod templates;

use beian_platform::{
    app::{self, Background, Start},
    host::Exposure,
    metrics::Sampler,
    storage::Database,
};
use tokio::sync::watch;
use tonic::service::Routes;

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
    },
    service::{HumanCheckMode, VerificationCodes},
};

pub const NAME: &str = "verification-codes";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// verification-codes as the platform runs it: the service, and the outbox
/// dispatcher and housekeeping beside it.
#[derive(Debug)]
pub struct Service {
    codes: VerificationCodes,
    db: Database,
    dispatcher: Option<Dispatcher>,
}

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

    /// Checks the settings (the file sink only in a development run) and
    /// builds the delivery adapters (a bad SMTP URL fails here), before the
    /// database is touched.
    fn prepare(settings: Settings) -> anyhow::Result<Start<Self>> {
        settings.validate()?;
        let keys = Keys::new(&settings.secret_key, settings.previous_secret_key.as_ref())?;
        let sealer = outbox::sealing::sealer(&keys);
        let human_check = match &settings.human_check {
            HumanCheckSettings::Slider => HumanCheckMode::Slider,
            HumanCheckSettings::Vendor(vendor) => HumanCheckMode::Vendor(Vendor::new(vendor)?),
        };
        let deliverer = Deliverer::new(&settings.delivery)?;
        let metrics = settings.host.metrics.clone();
        let Settings { host, database, policy, delivery, .. } = settings;
        Ok(Start::new(host, database, move |db: Database| {
            let doorbell = Doorbell::default();
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
                tracing::warn!(
                    "outbox dispatch is off: messages stay queued until a dispatching process runs"
                );
            }
            let codes =
                VerificationCodes::new(db.clone(), keys, sealer, policy, human_check, doorbell, metrics);
            Self { codes, db, dispatcher }
        }))
    }

    /// Delivers queued messages and sweeps old rows while serving; on shutdown
    /// the dispatcher finishes (or leaves for after a restart) what it is sending.
    fn background(&mut self, stop: &watch::Receiver<bool>) -> Vec<Background> {
        let mut tasks: Vec<Background> =
            vec![("housekeeping", tokio::spawn(janitor::run(self.db.clone(), stop.clone())))];
        if let Some(dispatcher) = self.dispatcher.take() {
            tasks.push(("outbox dispatcher", tokio::spawn(dispatcher.run(stop.clone()))));
        }
        tasks
    }

    fn routes(self) -> Routes {
        grpc::routes(self.codes)
    }

    fn sampler(&self) -> Option<Sampler> {
        Some(outbox::gauges::sampler(self.db.clone()))
    }
}

/// Resolves once a stop is asked for, or when nobody can ask any more.
pub(crate) async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}
