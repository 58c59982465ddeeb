//! EnqueueNotice: other services queue notices (not codes) for delivery.

use std::collections::BTreeMap;

use beian_platform::storage::now_millis;

use super::{NewMessage, store};
use crate::{
    destination::Destination,
    error::Error,
    locale::Locale,
    service::VerificationCodes,
    templates::{Notice, Template},
};

/// A validated notice. Parameters hold personal data: `Debug` omits them.
#[derive(Clone)]
pub struct EnqueueNotice {
    pub idempotency_key: String,
    pub destination: Destination,
    pub notice: Notice,
    pub locale: Locale,
    pub params: BTreeMap<String, String>,
}

impl std::fmt::Debug for EnqueueNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnqueueNotice")
            .field("idempotency_key", &self.idempotency_key)
            .field("destination", &self.destination)
            .field("notice", &self.notice)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl EnqueueNotice {
    /// The outbox message; the key is namespaced, so a caller's can never collide with a code's.
    pub(crate) fn into_message(self) -> NewMessage {
        NewMessage {
            idempotency_key: format!("notice:{}", self.idempotency_key),
            destination: self.destination,
            template: Template::Notice(self.notice),
            locale: self.locale,
            params: self.params,
        }
    }
}

impl VerificationCodes {
    /// Queues a notice once per idempotency key; a retry answers the same message id.
    pub async fn enqueue_notice(&self, request: EnqueueNotice) -> Result<String, Error> {
        let inner = self.inner();
        let notice = request.notice;
        let message = request.into_message();
        let mut conn = inner.db.writer().await?;
        let message_id = store::enqueue(&mut conn, &inner.sealer, &message, now_millis()).await?;
        drop(conn);
        inner.doorbell.ring();
        log_queued(&message_id, notice, &message);
        Ok(message_id)
    }
}

pub(crate) fn log_queued(message_id: &str, notice: Notice, message: &NewMessage) {
    tracing::info!(
        %message_id,
        notice = notice.name(),
        destination = %message.destination,
        "notice queued for delivery"
    );
}
