//! Housekeeping off the request path: expired flows and past days' quota counters
//! are deleted by one periodic task the gateway starts beside its server.

use std::time::Duration;

use beian_platform::storage::{Database, now_millis};
use tokio::sync::watch;

use crate::{flows, quota};

/// How often the sweep runs; flows live 30 minutes, so a minute late is harmless.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Sweeps now, then every `every`, until `stop` turns true.
pub async fn run(db: Database, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let now = now_millis();
        let deleted = async { flows::store::delete_expired(&mut *db.writer().await?, now).await };
        match deleted.await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "expired flows deleted"),
            Err(error) => tracing::warn!(%error, "deleting expired flows failed"),
        }
        if let Err(error) = quota::forget_past_days(&db, now).await {
            tracing::warn!(%error, "deleting past quota counters failed");
        }
    }
}
