//! Housekeeping: deletes rows past any use, so the tables stay the size of
//! the last day's traffic. Runs at start and every 10 minutes; each delete
//! is one statement, safe beside any other transaction.

use std::time::Duration;

use beian_platform::storage::{Database, duration_millis, now_millis};
use tokio::sync::watch;

use crate::error::Error;

const INTERVAL: Duration = Duration::from_secs(10 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// (what, SQL, how long after the row's time it goes). Counters and failed
/// checks are kept until their day has passed; proofs (and their codes) a
/// day, for idempotent redemption and check retries; delivered messages a
/// week, for support, without their parameters.
const SWEEPS: [(&str, &str, Duration); 8] = [
    ("challenges", "delete from human_checks where expires_at_ms < $1", HOUR),
    ("passes", "delete from human_passes where expires_at_ms < $1", HOUR),
    (
        "limit counters",
        "delete from limit_counters where window_start_ms < $1",
        Duration::from_secs(25 * 60 * 60),
    ),
    ("cooldowns", "delete from send_cooldowns where until_ms < $1", HOUR),
    (
        "failed checks",
        "delete from check_failures where created_at_ms < $1",
        Duration::from_secs(25 * 60 * 60),
    ),
    ("proofs", "delete from proofs where expires_at_ms < $1", DAY),
    (
        "codes",
        "delete from codes where expires_at_ms < $1 \
         and not exists (select 1 from proofs where proofs.code_id = codes.code_id)",
        DAY,
    ),
    (
        "messages",
        "delete from outbox where state in ('SENT', 'FAILED') and created_at_ms < $1",
        Duration::from_secs(7 * 24 * 60 * 60),
    ),
];

/// Sweeps until `stop` turns true.
pub async fn run(db: Database, mut stop: watch::Receiver<bool>) {
    loop {
        match sweep(&db, now_millis()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old rows deleted"),
            Err(error) => tracing::warn!(%error, "housekeeping failed; will try again"),
        }
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            () = crate::stop_requested(&mut stop) => return,
        }
    }
}

/// Deletes what is past its keeping time at `now_ms`; answers how many rows went.
pub async fn sweep(db: &Database, now_ms: i64) -> Result<u64, Error> {
    let mut deleted = 0;
    for (_, sql, keep) in SWEEPS {
        deleted += sqlx::query(sql)
            .bind(now_ms - duration_millis(keep))
            .execute(&mut *db.writer().await?)
            .await?
            .rows_affected();
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use beian_platform::storage::DatabaseLocation;

    use super::*;

    #[tokio::test]
    async fn old_rows_go_and_recent_ones_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(&DatabaseLocation::sqlite_file(dir.path(), "janitor"), &crate::MIGRATOR)
            .await
            .expect("opens");
        let now = now_millis();
        let old = now - duration_millis(Duration::from_secs(8 * 24 * 60 * 60));
        for (id, at) in [("old", old), ("new", now)] {
            sqlx::query(
                "insert into check_failures (failure_id, destination_key, purpose, created_at_ms) \
                 values ($1, 'd', 'ACCOUNT_LOOKUP', $2)",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *db.writer().await.expect("the writer"))
            .await
            .expect("inserts");
            sqlx::query(
                "insert into codes (code_id, purpose, channel, destination, destination_key, code_hash, state, \
                 client_ip, created_at_ms, expires_at_ms) values ($1, 'ACCOUNT_LOOKUP', 'SMS', 'd', 'd', 'h', \
                 'LIVE', 'c', $2, $2)",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *db.writer().await.expect("the writer"))
            .await
            .expect("inserts");
            sqlx::query(
                "insert into outbox (message_id, idempotency_key, channel, destination, template, locale, params, \
                 state, next_attempt_at_ms, created_at_ms) values ($1, $1, 'SMS', 'd', 't', 'en', '{}', 'SENT', $2, $2)",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *db.writer().await.expect("the writer"))
            .await
            .expect("inserts");
        }
        assert_eq!(sweep(&db, now).await.expect("sweeps"), 3);
        assert_eq!(sweep(&db, now).await.expect("sweeps"), 0);
        for table in ["check_failures", "codes", "outbox"] {
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select cast(count(*) as bigint) from {table}"
            )))
            .fetch_one(db.reader())
            .await
            .expect("counts");
            assert_eq!(count, 1, "{table}");
        }
        db.close().await;
    }
}
