//! Notices that carry a new filing password, kept until verification-codes has them.
//!
//! A new password and its notices are written in one transaction ([`Outbox::enqueue`]),
//! so a crash never leaves a password nobody was told, nor a notice of a password that
//! was never stored. The [`relay`] then hands each notice to verification-codes'
//! `EnqueueNotice` under the notice's id as idempotency key, retrying with back-off
//! until it is accepted: a crash before the hand-off is recorded hands it over again
//! under the same key, and verification-codes sends it once. The parameters (the
//! password) are sealed at rest and cleared once handed off.

pub mod relay;
mod store;

use std::{collections::BTreeMap, sync::Arc};

use beian_common::{locale::Locale, vocabulary::Channel};
use beian_platform::sealing::Sealer;
use beian_proto::verification_codes::v1::NoticeTemplate;
use sqlx::{Any, Transaction};
use tokio::sync::Notify;

use crate::error::Error;

/// Wakes the relay when a notice is written, so it goes out without waiting for the poll.
#[derive(Debug, Clone, Default)]
pub struct Doorbell(Arc<Notify>);

impl Doorbell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    async fn rung(&self) {
        self.0.notified().await;
    }
}

/// A notice to queue. No `Debug`: destination and parameters are personal data.
pub struct NewNotice<'a> {
    /// Stable across retries of what caused it: verification-codes' idempotency key.
    pub notice_id: String,
    pub channel: Channel,
    pub destination: &'a str,
    pub template: NoticeTemplate,
    pub locale: Locale,
    pub params: BTreeMap<String, String>,
}

/// Writes notices in the caller's transaction, sealed.
#[derive(Debug, Clone)]
pub struct Outbox {
    sealer: Sealer,
    doorbell: Doorbell,
}

impl Outbox {
    pub fn new(sealer: Sealer, doorbell: Doorbell) -> Self {
        Self { sealer, doorbell }
    }

    pub async fn enqueue(
        &self,
        tx: &mut Transaction<'_, Any>,
        notice: &NewNotice<'_>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let sealed = self.sealer.seal(&notice.notice_id, &notice.params).map_err(Error::internal)?;
        store::insert(tx, notice, &sealed, now_ms).await
    }

    /// After the transaction that queued notices committed.
    pub fn wake_relay(&self) {
        self.doorbell.ring();
    }
}

/// How a notice template is stored.
fn template_name(template: NoticeTemplate) -> &'static str {
    template.as_str_name()
}
