//! The resume worker: drives PENDING migrations whose driver died or failed (lease run
//! out, back-off passed), one at a time, as identity-recovery's decision-effect worker
//! does. A failure is retried with exponential back-off (capped at 10 minutes).

use tokio::sync::watch;

use super::{Saga, is_final, store};
use beian_platform::{
    backoff,
    storage::{duration_millis, now_millis},
};

#[derive(Debug)]
pub struct ResumeWorker {
    saga: Saga,
}

impl ResumeWorker {
    pub fn new(saga: Saga) -> Self {
        Self { saga }
    }

    /// Resumes due migrations until `stop` turns true. An attempt cut off by the stop keeps
    /// its lease and is tried again once the lease runs out.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("migration resume worker started");
        loop {
            tokio::select! {
                () = self.resume_due() => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            tokio::select! {
                () = tokio::time::sleep(self.saga.pace().poll_interval) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::info!("migration resume worker stopped");
    }

    async fn resume_due(&self) {
        let db = self.saga.database();
        loop {
            let now = now_millis();
            let lease_until = self.saga.lease_until(now);
            let claimed = async { store::claim_due(&mut *db.writer().await?, now, lease_until, 1).await };
            let claimed = match claimed.await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "migrations not claimed");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            for migration in claimed {
                let (id, attempts) = (migration.migration_id.clone(), migration.attempts);
                let Err(error) = self.saga.drive(migration).await else { continue };
                if is_final(&error) {
                    continue;
                }
                let delay = backoff::delay(self.saga.pace().retry_base, attempts);
                tracing::warn!(migration_id = %id, attempts, retry_in_ms = duration_millis(delay), %error, "migration failed; retrying");
                let reason: String = error.to_string().chars().take(200).collect();
                let at = now_millis().saturating_add(duration_millis(delay));
                let recorded = async { store::reschedule(&mut *db.writer().await?, &id, at, &reason).await };
                if let Err(error) = recorded.await {
                    tracing::warn!(migration_id = %id, %error, "migration retry not recorded");
                }
            }
        }
    }
}
