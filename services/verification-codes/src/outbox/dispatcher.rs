//! The dispatcher: a task that delivers due messages, woken by the doorbell
//! or its poll interval. Each message is claimed by a conditional update that
//! leases it, so dispatchers in several processes never send one message at
//! the same time; a dispatcher that dies mid-delivery leaves the lease to run
//! out, and the message is tried again (with the same message id). The
//! parameters are opened only here, for the attempt.

use std::{sync::Arc, time::Duration};

use beian_platform::{
    backoff,
    storage::{Database, duration_millis, now_millis},
};
use tokio::sync::watch;

use super::{Doorbell, sealing::Sealer, store};
use crate::{
    delivery::{Deliverer, Outcome, Outgoing},
    destination::Destination,
    locale::Locale,
    templates::{Template, render},
};

/// Messages claimed at once and delivered concurrently: one round of attempts, so
/// every one of them ends within the lease it was claimed with.
const BATCH: u32 = 8;
/// On shutdown, deliveries in flight get this long to finish; an unfinished
/// one keeps its lease and is delivered after the restart.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How often and how persistently messages are tried.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub poll_interval: Duration,
    pub max_attempts: u32,
    pub retry_base: Duration,
    /// How long a claim holds a message. An attempt may take half of it before
    /// it counts as failed, so a message is re-claimed only when its dispatcher died.
    pub lease: Duration,
}

#[derive(Debug)]
pub struct Dispatcher {
    db: Database,
    deliverer: Arc<Deliverer>,
    sealer: Sealer,
    doorbell: Doorbell,
    pace: Pace,
}

impl Dispatcher {
    pub fn new(db: Database, deliverer: Deliverer, sealer: Sealer, doorbell: Doorbell, pace: Pace) -> Self {
        Self { db, deliverer: Arc::new(deliverer), sealer, doorbell, pace }
    }

    /// Delivers until `stop` turns true (or its sender goes away).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("outbox dispatcher started");
        loop {
            let round = self.deliver_due(stop.clone());
            tokio::pin!(round);
            tokio::select! {
                () = &mut round => {}
                () = crate::stop_requested(&mut stop) => {
                    let _ = tokio::time::timeout(STOP_GRACE, &mut round).await;
                    break;
                }
            }
            tokio::select! {
                () = self.doorbell.wait() => {}
                () = tokio::time::sleep(self.pace.poll_interval) => {}
                () = crate::stop_requested(&mut stop) => break,
            }
        }
        tracing::info!("outbox dispatcher stopped");
    }

    /// Delivers due messages batch by batch until none is due or a stop is asked.
    async fn deliver_due(&self, stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let now = now_millis();
            let lease_until = now + duration_millis(self.pace.lease);
            let claimed =
                async { store::claim_due(&mut *self.db.writer().await?, now, lease_until, BATCH).await };
            let claimed = match claimed.await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "outbox: cannot claim due messages");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            // the whole batch is one round of concurrent attempts, each within half the lease
            let attempts =
                claimed.iter().map(|message| async move { (message, self.attempt(message).await) });
            let outcomes = futures::future::join_all(attempts).await;
            let delivered: Vec<&str> = outcomes
                .iter()
                .filter(|(_, delivered)| *delivered)
                .map(|(message, _)| message.message_id.as_str())
                .collect();
            let recorded =
                async { store::mark_sent(&mut *self.db.writer().await?, &delivered, now_millis()).await };
            if let Err(error) = recorded.await {
                // The leases run out and the messages are tried again: duplicates the provider can drop by id.
                tracing::warn!(%error, count = delivered.len(), "outbox: cannot record deliveries");
            }
        }
    }

    /// Tries a claimed message once; true if it was delivered (recorded by the caller,
    /// with the rest of its batch), else records the retry or the failure.
    async fn attempt(&self, claimed: &store::Claimed) -> bool {
        let message_id = &claimed.message_id;
        let destination = Destination::stored(claimed.channel, claimed.destination.clone());
        let outcome = self.deliver(claimed, &destination).await;
        let attempts = claimed.attempts;
        let recorded = match outcome {
            Outcome::Delivered => {
                tracing::info!(%message_id, %destination, template = %claimed.template, attempts, "message delivered");
                return true;
            }
            Outcome::Retry(cause) if attempts < self.pace.max_attempts => {
                let delay = backoff::delay(self.pace.retry_base, attempts);
                tracing::warn!(%message_id, %destination, attempts, %cause, retry_in = ?delay, "delivery failed; will retry");
                let at = now_millis() + duration_millis(delay);
                async { store::reschedule(&mut *self.db.writer().await?, message_id, at).await }.await
            }
            Outcome::Retry(cause) | Outcome::Failed(cause) => {
                tracing::error!(%message_id, %destination, template = %claimed.template, attempts, %cause, "delivery given up");
                async { store::mark_failed(&mut *self.db.writer().await?, message_id).await }.await
            }
        };
        if let Err(error) = recorded {
            // The lease runs out and the message is tried again: a duplicate the provider can drop by id.
            tracing::warn!(%message_id, %error, "outbox: cannot record a delivery outcome");
        }
        false
    }

    async fn deliver(&self, claimed: &store::Claimed, destination: &Destination) -> Outcome {
        let Some(template) = Template::from_name(&claimed.template) else {
            return Outcome::Failed(format!("unknown template {}", claimed.template));
        };
        let Some(locale) = Locale::parse(&claimed.locale) else {
            return Outcome::Failed(format!("unknown locale {}", claimed.locale));
        };
        let params = match self.sealer.open(&claimed.message_id, &claimed.sealed_params) {
            Ok(params) => params,
            Err(cause) => return Outcome::Failed(cause),
        };
        let rendered = match render(template, locale, &params) {
            Ok(rendered) => rendered,
            Err(error) => return Outcome::Failed(error.to_string()),
        };
        let outgoing = Outgoing {
            message_id: &claimed.message_id,
            destination,
            template: &claimed.template,
            locale,
            params: &params,
            rendered: &rendered,
        };
        tokio::time::timeout(self.pace.lease / 2, self.deliverer.deliver(outgoing))
            .await
            .unwrap_or_else(|_| Outcome::Retry("delivery timed out".into()))
    }
}
