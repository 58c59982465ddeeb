//! The outbox as an operator watches it, read from the database at each scrape:
//! `beian_outbox_pending`, `beian_outbox_oldest_pending_age_seconds` (what the
//! "outbox age" alert watches: delivery stalled) and `beian_outbox_failed`. Every
//! replica reports the same shared figures: dashboards take their max, not their sum.

use std::sync::Arc;

use beian_platform::{
    metrics::{Metrics, Sampler},
    storage::{Database, now_millis},
};

use super::store;

pub fn sampler(db: Database) -> Sampler {
    Arc::new(move |metrics: Metrics| {
        let db = db.clone();
        Box::pin(async move {
            let backlog = match store::backlog(db.reader()).await {
                Ok(backlog) => backlog,
                Err(error) => {
                    tracing::warn!(%error, "outbox gauges: reading the backlog failed");
                    return;
                }
            };
            let age_ms =
                backlog.oldest_pending_created_at_ms.map_or(0, |created| (now_millis() - created).max(0));
            #[allow(clippy::cast_precision_loss, reason = "counts and ages far below 2^52")]
            {
                metrics.gauge("beian_outbox_pending", &[]).set(backlog.pending as f64);
                metrics.gauge("beian_outbox_oldest_pending_age_seconds", &[]).set(age_ms as f64 / 1000.0);
                metrics.gauge("beian_outbox_failed", &[]).set(backlog.failed as f64);
            }
        })
    })
}
