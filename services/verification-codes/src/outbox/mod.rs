//! The outbox: messages written in the same transaction as the state that
//! caused them (a code, a notice), delivered afterwards by the dispatcher
//! with retries. A crash between commit and delivery loses nothing: the row
//! waits, and is delivered when a dispatcher runs again.

pub mod dispatcher;
pub mod gauges;
mod notice;
pub(crate) use notice::log_queued;
pub mod sealing;
pub mod store;

use std::{collections::BTreeMap, sync::Arc};

use tokio::sync::Notify;

pub use notice::EnqueueNotice;

use crate::{destination::Destination, locale::Locale, templates::Template};

/// Wakes the dispatcher when a message was queued, so delivery need not wait
/// for the next poll. A ring while the dispatcher is busy is kept for it.
#[derive(Debug, Clone, Default)]
pub struct Doorbell(Arc<Notify>);

impl Doorbell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    pub async fn wait(&self) {
        self.0.notified().await;
    }
}

/// A message to queue. `params` hold the template's values (a code, a login
/// name…): stored sealed (see [`sealing`]) and cleared once the message is
/// delivered or given up.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Same key, same message: queuing twice queues once.
    pub idempotency_key: String,
    pub destination: Destination,
    pub template: Template,
    pub locale: Locale,
    pub params: BTreeMap<String, String>,
}
