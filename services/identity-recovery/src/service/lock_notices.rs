//! The account is told when it gets locked: a notice to its bound mobile and email,
//! queued off the request path (a locking attempt on a known name answers as fast as
//! one on an unknown name) by a task the service starts. A lock asks for its notice in
//! its row; the task queues it with a key derived from the lock's streak, then clears
//! the request: a crash or an outage in between only queues it again under the same
//! key, which verification-codes never sends twice. Unknown names send nothing.

use std::time::Duration;

use beian_common::masking::mask_login_name;
use beian_platform::storage::{duration_millis, now_millis};
use tokio::sync::watch;

use super::IdentityRecovery;
use crate::{
    accounts::guard::{self, DueNotice},
    error::Error,
    locale::Locale,
    peers::{self, Channel, Notice, NoticeContent},
};

/// Lock notices handled per pass.
const BATCH: usize = 100;

/// When lock notices are queued, besides at once when a lock asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockNoticePace {
    /// How often notices that could not be queued are tried again.
    pub retry: Duration,
    /// How long a lock's login may take to check its password before the lock's notice
    /// is queued anyway (the login died mid-check). Far above a hash's time.
    pub grace: Duration,
}

impl Default for LockNoticePace {
    fn default() -> Self {
        Self { retry: Duration::from_secs(5), grace: Duration::from_secs(60) }
    }
}

/// Queues due notices at start, when a lock asks for one, every `pace.retry`
/// (retrying what failed), and again at once after a full batch: a backlog drains at
/// the speed of the calls, not a batch per interval.
pub async fn run(service: IdentityRecovery, pace: LockNoticePace, mut stop: watch::Receiver<bool>) {
    loop {
        match service.queue_lock_notices(pace.grace).await {
            Ok(handled) if handled == BATCH && !*stop.borrow() => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "queueing lock notices failed; retried later"),
        }
        tokio::select! {
            () = service.lock_notices.notified() => {}
            () = tokio::time::sleep(pace.retry) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

impl IdentityRecovery {
    /// Queues every due lock notice (and those of logins undecided for longer than
    /// `grace`); answers how many locks were handled.
    pub async fn queue_lock_notices(&self, grace: Duration) -> Result<usize, Error> {
        let undecided_before = now_millis().saturating_sub(duration_millis(grace));
        let due = guard::due_notices(self.db.reader(), undecided_before, BATCH as i64).await?;
        let mut handled = 0;
        for notice in &due {
            match self.queue_lock_notice(notice).await {
                Ok(()) => {
                    guard::notice_done(
                        &mut *self.db.writer().await?,
                        &notice.login_key,
                        notice.streak_started_at_ms,
                    )
                    .await?;
                    handled += 1;
                }
                Err(error) => tracing::warn!(%error, "a lock notice could not be queued; retried later"),
            }
        }
        Ok(handled)
    }

    async fn queue_lock_notice(&self, notice: &DueNotice) -> Result<(), Error> {
        let Some(account_id) = &notice.account_id else { return Ok(()) };
        let account = match self.account(account_id).await {
            Ok(account) => account,
            Err(Error::AccountNotFound) => return Ok(()),
            Err(error) => return Err(error),
        };
        let locale = Locale::parse(&notice.locale).unwrap_or_default();
        let masked_login_name = mask_login_name(&account.login_name);
        for (channel, destination) in [(Channel::Sms, &account.mobile), (Channel::Email, &account.email)] {
            if destination.trim().is_empty() {
                continue;
            }
            let key = format!(
                "account-locked:{}:{}:{}",
                account.account_id,
                notice.streak_started_at_ms,
                peers::key_part(channel)
            );
            self.verification_codes
                .enqueue_notice(Notice {
                    idempotency_key: key,
                    channel,
                    destination,
                    locale,
                    content: NoticeContent::AccountLocked { masked_login_name: &masked_login_name },
                })
                .await?;
        }
        tracing::info!(account_id = %account.account_id, "lock notice queued");
        Ok(())
    }
}
