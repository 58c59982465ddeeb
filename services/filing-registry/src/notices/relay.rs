//! The relay: hands queued notices to verification-codes until each is accepted.

use beian_common::masking::{mask_email, mask_mobile};
use beian_common::vocabulary::Channel;
use beian_platform::{
    backoff,
    sealing::Sealer,
    storage::{Database, now_millis},
};
use beian_proto::verification_codes::v1::NoticeTemplate;
use tokio::sync::watch;

use super::{Doorbell, store};
use crate::{
    RelayPace,
    error::Error,
    peers::{Notice, VerificationCodes},
};

/// Notices handed over per pass.
const BATCH: i64 = 32;

#[derive(Debug)]
pub struct Relay {
    db: Database,
    codes: VerificationCodes,
    sealer: Sealer,
    doorbell: Doorbell,
    pace: RelayPace,
}

impl Relay {
    pub fn new(
        db: Database,
        codes: VerificationCodes,
        sealer: Sealer,
        doorbell: Doorbell,
        pace: RelayPace,
    ) -> Self {
        Self { db, codes, sealer, doorbell, pace }
    }

    /// Until `stop` turns true: a pass whenever a notice is written or the poll interval
    /// ends, and at once after a full batch (a backlog drains at the speed of the hand-offs,
    /// not a batch per poll interval).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            match self.pass().await {
                Ok(handled) if handled == BATCH && !*stop.borrow() => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "notice relay pass failed; trying again"),
            }
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => return,
                () = self.doorbell.rung() => {}
                () = tokio::time::sleep(self.pace.poll_interval) => {}
            }
        }
    }

    /// Hands over every due notice of one batch once; answers how many were due. Another
    /// replica's relay may hand over the same notice at the same time: the idempotency key
    /// makes that one message.
    async fn pass(&self) -> Result<i64, Error> {
        let due = store::due(self.db.reader(), now_millis(), BATCH).await?;
        let count = i64::try_from(due.len()).unwrap_or(BATCH);
        for queued in due {
            let params = match self.sealer.open(&queued.notice_id, &queued.sealed_params) {
                Ok(params) => params,
                Err(why) => {
                    tracing::error!(notice_id = %queued.notice_id, %why, "queued notice cannot be opened; dropped");
                    store::mark_failed(&mut *self.db.writer().await?, &queued.notice_id).await?;
                    continue;
                }
            };
            let Some(template) = NoticeTemplate::from_str_name(&queued.template) else {
                tracing::error!(notice_id = %queued.notice_id, template = %queued.template, "unknown template; dropped");
                store::mark_failed(&mut *self.db.writer().await?, &queued.notice_id).await?;
                continue;
            };
            let masked = match queued.channel {
                Channel::Sms => mask_mobile(&queued.destination),
                Channel::Email => mask_email(&queued.destination),
            };
            let handed = self
                .codes
                .enqueue_notice(Notice {
                    idempotency_key: &queued.notice_id,
                    channel: queued.channel,
                    destination: &queued.destination,
                    template,
                    locale: &queued.locale,
                    params,
                })
                .await;
            match handed {
                Ok(()) => {
                    store::mark_handed_off(&mut *self.db.writer().await?, &queued.notice_id, now_millis())
                        .await?;
                    tracing::info!(notice_id = %queued.notice_id, destination = %masked, "notice handed to verification-codes");
                }
                Err(error) => {
                    let attempts = queued.attempts + 1;
                    let delay =
                        backoff::delay(self.pace.retry_base, u32::try_from(attempts).unwrap_or(u32::MAX));
                    let next = now_millis() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                    store::reschedule(&mut *self.db.writer().await?, &queued.notice_id, attempts, next)
                        .await?;
                    tracing::warn!(
                        notice_id = %queued.notice_id, destination = %masked, attempts, %error,
                        retry_in_ms = delay.as_millis(), "verification-codes did not take the notice"
                    );
                }
            }
        }
        Ok(count)
    }
}
