//! Staff review work as an operator watches it, read from the database at each
//! scrape: `beian_review_cases_pending{kind}` and `beian_review_cases_overdue{kind}`
//! (past their business-day deadline: the SLA alert), and
//! `beian_review_effects_pending` with `beian_review_effects_oldest_age_seconds`
//! (decisions whose effect has not applied yet), and `beian_review_calendar_last_year`:
//! the last year the holiday schedule covers (0 for none). Every replica reports the
//! same shared figures: dashboards take their max, not their sum.

use std::{collections::HashMap, sync::Arc};

use beian_platform::{
    metrics::{Metrics, Sampler},
    storage::{Database, now_millis},
};
use sqlx::{AnyExecutor, Row};

use super::ReviewKind;
use crate::error::Error;

pub fn sampler(db: Database, calendar_last_year: Option<i32>) -> Sampler {
    Arc::new(move |metrics: Metrics| {
        let db = db.clone();
        Box::pin(async move {
            metrics
                .gauge("beian_review_calendar_last_year", &[])
                .set(f64::from(calendar_last_year.unwrap_or(0)));
            if let Err(error) = sample(&db, &metrics).await {
                tracing::warn!(%error, "review gauges: reading the queue failed");
            }
        })
    })
}

#[allow(clippy::cast_precision_loss, reason = "counts and ages far below 2^52")]
async fn sample(db: &Database, metrics: &Metrics) -> Result<(), Error> {
    let now = now_millis();
    let queue = pending_by_kind(db.reader(), now).await?;
    for kind in ReviewKind::ALL {
        let (pending, overdue) = queue.get(kind.as_str()).copied().unwrap_or((0, 0));
        metrics.gauge("beian_review_cases_pending", &[("kind", kind.as_str())]).set(pending as f64);
        metrics.gauge("beian_review_cases_overdue", &[("kind", kind.as_str())]).set(overdue as f64);
    }
    let (effects, oldest) = effects_pending(db.reader()).await?;
    metrics.gauge("beian_review_effects_pending", &[]).set(effects as f64);
    let age_ms = oldest.map_or(0, |created| (now - created).max(0));
    metrics.gauge("beian_review_effects_oldest_age_seconds", &[]).set(age_ms as f64 / 1000.0);
    Ok(())
}

/// Per kind: cases waiting for staff, and how many of those are past their deadline.
async fn pending_by_kind(
    db: impl AnyExecutor<'_>,
    now_ms: i64,
) -> Result<HashMap<String, (i64, i64)>, Error> {
    let rows = sqlx::query(
        "select kind, count(*) as pending, \
           coalesce(sum(case when deadline_at_ms < $1 then 1 else 0 end), 0) as overdue \
         from review_cases where state = 'PENDING' group by kind",
    )
    .bind(now_ms)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("kind")?, (row.try_get("pending")?, row.try_get("overdue")?))))
        .collect()
}

async fn effects_pending(db: impl AnyExecutor<'_>) -> Result<(i64, Option<i64>), Error> {
    let row = sqlx::query(
        "select count(*) as pending, min(created_at_ms) as oldest from review_effects where done_at_ms is null",
    )
    .fetch_one(db)
    .await?;
    Ok((row.try_get("pending")?, row.try_get("oldest")?))
}
