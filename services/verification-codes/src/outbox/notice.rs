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

impl VerificationCodes {
    /// Queues a notice once per idempotency key; a retry answers the same message id.
    pub async fn enqueue_notice(&self, request: EnqueueNotice) -> Result<String, Error> {
        let inner = self.inner();
        let message = NewMessage {
            // Namespaced, so a caller's key can never collide with a code's.
            idempotency_key: format!("notice:{}", request.idempotency_key),
            destination: request.destination,
            template: Template::Notice(request.notice),
            locale: request.locale,
            params: request.params,
        };
        let mut conn = inner.db.writer().await?;
        let message_id = store::enqueue(&mut conn, &inner.sealer, &message, now_millis()).await?;
        inner.doorbell.ring();
        tracing::info!(
            %message_id,
            notice = request.notice.name(),
            destination = %message.destination,
            "notice queued for delivery"
        );
        Ok(message_id)
    }
}
