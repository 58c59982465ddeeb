//! Housekeeping off the request path: expired and idle sessions, login-failure
//! streaks that no longer count and past client windows are deleted by one periodic
//! task the service starts beside its server.

use std::time::Duration;

use beian_platform::storage::{Database, now_millis};
use tokio::sync::watch;

use crate::{
    accounts::guard::{self, GuardPolicy},
    error::Error,
    sessions,
};

/// Sweeps now, then every `every`, until `stop` turns true.
pub async fn run(db: Database, policy: GuardPolicy, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        if let Err(error) = sweep(&db, &policy).await {
            tracing::warn!(%error, "sweeping sessions and login failures failed");
        }
    }
}

async fn sweep(db: &Database, policy: &GuardPolicy) -> Result<(), Error> {
    let now = now_millis();
    let sessions = sessions::store::delete_expired(&mut *db.writer().await?, now).await?;
    let streaks = guard::forget_quiet(&mut *db.writer().await?, policy, now).await?;
    let windows =
        guard::forget_past_windows(&mut *db.writer().await?, guard::client_window(policy, now).0).await?;
    if sessions + streaks + windows > 0 {
        tracing::debug!(sessions, streaks, windows, "swept");
    }
    Ok(())
}
