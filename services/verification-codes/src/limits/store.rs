//! SQL behind the caps: counters per fixed window, the resend cooldown per
//! destination and purpose, and failed checks.

use sqlx::{AnyConnection, AnyExecutor, AssertSqlSafe, Row};

use beian_common::vocabulary::Purpose;
use beian_platform::storage::script::Statement;

use crate::error::Error;

/// Adds one to each (key, window start) counter in one statement and answers
/// the new counts. Rows go in sorted order, so two such statements on
/// PostgreSQL lock shared counters in the same order and never deadlock.
pub async fn add(db: impl AnyExecutor<'_>, rows: &[(String, i64)]) -> Result<Vec<(String, i64, i64)>, Error> {
    let answered = count(rows).fetch_all(db).await?;
    answered
        .iter()
        .map(|row| Ok((row.try_get("counter_key")?, row.try_get("window_start_ms")?, row.try_get("hits")?)))
        .collect()
}

/// The counters' rows once each, in sorted order: statements that take the same
/// counters lock them in one order, so two never deadlock on PostgreSQL.
fn in_lock_order(rows: &[(String, i64)]) -> Vec<&(String, i64)> {
    let mut rows: Vec<&(String, i64)> = rows.iter().collect();
    rows.sort();
    rows.dedup();
    rows
}

/// `tuple(key, start)` for each of `n` rows, their placeholders numbered from `$first`.
fn tuples(n: usize, first: usize, tuple: impl Fn(usize, usize) -> String) -> String {
    (0..n).map(|i| tuple(first + 2 * i, first + 2 * i + 1)).collect::<Vec<_>>().join(", ")
}

/// The statement of [`add`].
pub fn count(rows: &[(String, i64)]) -> Statement {
    let rows = in_lock_order(rows);
    let mut statement = Statement::new(format!(
        "insert into limit_counters (counter_key, window_start_ms, hits) values {} \
         on conflict (counter_key, window_start_ms) do update set hits = limit_counters.hits + 1 \
         returning counter_key, window_start_ms, hits",
        tuples(rows.len(), 1, |key, start| format!("(${key}, ${start}, 1)"))
    ));
    for (key, start) in rows {
        statement = statement.bind(key.as_str()).bind(*start);
    }
    statement
}

/// Takes back one from each (key, window start) counter. Also in sorted order, as an
/// upsert like [`add`]: an `update … where … or …` would lock the rows in scan order,
/// and on PostgreSQL deadlock against a concurrent `add` of the same counters.
pub async fn subtract(db: impl AnyExecutor<'_>, rows: &[(String, i64)]) -> Result<(), Error> {
    let rows = in_lock_order(rows);
    let sql = format!(
        "insert into limit_counters (counter_key, window_start_ms, hits) values {} \
         on conflict (counter_key, window_start_ms) do update set hits = limit_counters.hits - 1",
        tuples(rows.len(), 1, |key, start| format!("(${key}, ${start}, 0)"))
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (key, start) in rows {
        query = query.bind(key.as_str()).bind(*start);
    }
    query.execute(db).await?;
    Ok(())
}

const SET_COOLDOWN: &str = "insert into send_cooldowns (destination_key, purpose, until_ms, previous_until_ms) \
     values ($1, $2, $3, 0) on conflict (destination_key, purpose) do update \
     set until_ms = excluded.until_ms, previous_until_ms = send_cooldowns.until_ms";

/// Starts the cooldown of this destination and purpose if the last one has run out,
/// keeping the last one's end for [`release_cooldown`], and only then adds one to each
/// counter as [`add`] does: one statement (PostgreSQL's data-modifying `with`), so of
/// two concurrent sends to one destination for one purpose one starts it, in one round
/// trip and one commit. None if the cooldown still runs (nothing counted), else the
/// new counts.
pub async fn start_cooldown_and_add(
    db: impl AnyExecutor<'_>,
    cooldown: Cooldown<'_>,
    rows: &[(String, i64)],
) -> Result<Option<Vec<(String, i64, i64)>>, Error> {
    let rows = in_lock_order(rows);
    let wanted = tuples(rows.len(), 5, |key, start| format!("(${key}::text, ${start}::bigint)"));
    let sql = format!(
        "with cooldown as ({SET_COOLDOWN} where send_cooldowns.until_ms <= $4 returning until_ms), \
         counted as (insert into limit_counters (counter_key, window_start_ms, hits) \
           select counter_key, window_start_ms, 1 from (values {wanted}) as wanted (counter_key, window_start_ms) \
           where exists (select 1 from cooldown) \
           on conflict (counter_key, window_start_ms) do update set hits = limit_counters.hits + 1 \
           returning counter_key, window_start_ms, hits) \
         select counter_key, window_start_ms, hits from counted"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(cooldown.destination_key)
        .bind(cooldown.purpose.as_str())
        .bind(cooldown.until_ms)
        .bind(cooldown.ran_out_by_ms);
    for (key, start) in rows {
        query = query.bind(key.as_str()).bind(*start);
    }
    let counted = query.fetch_all(db).await?;
    if counted.is_empty() {
        return Ok(None);
    }
    counted
        .iter()
        .map(|row| Ok((row.try_get("counter_key")?, row.try_get("window_start_ms")?, row.try_get("hits")?)))
        .collect::<Result<_, Error>>()
        .map(Some)
}

/// A cooldown to start: until `until_ms`, if the last one ran out by `ran_out_by_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Cooldown<'a> {
    pub destination_key: &'a str,
    pub purpose: Purpose,
    pub ran_out_by_ms: i64,
    pub until_ms: i64,
}

/// Starts the cooldown of this destination and purpose unconditionally: for a
/// send that read the cooldown in its transaction on the one writer.
pub fn set_cooldown(destination_key: &str, purpose: Purpose, until_ms: i64) -> Statement {
    Statement::new(SET_COOLDOWN).bind(destination_key).bind(purpose.as_str()).bind(until_ms)
}

/// Gives back a cooldown started (until `until_ms`) by a send that did not go
/// ahead: the one before it applies again.
pub async fn release_cooldown(
    db: impl AnyExecutor<'_>,
    destination_key: &str,
    purpose: Purpose,
    until_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update send_cooldowns set until_ms = previous_until_ms \
         where destination_key = $1 and purpose = $2 and until_ms = $3",
    )
    .bind(destination_key)
    .bind(purpose.as_str())
    .bind(until_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Locks the cooldown row of this destination and purpose for the rest of the transaction.
pub async fn lock_cooldown(
    conn: &mut AnyConnection,
    destination_key: &str,
    purpose: Purpose,
) -> Result<(), Error> {
    sqlx::query("update send_cooldowns set until_ms = until_ms where destination_key = $1 and purpose = $2")
        .bind(destination_key)
        .bind(purpose.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// When the cooldown of this destination and purpose runs out.
pub async fn cooldown_until(
    db: impl AnyExecutor<'_>,
    destination_key: &str,
    purpose: Purpose,
) -> Result<Option<i64>, Error> {
    let row = sqlx::query("select until_ms from send_cooldowns where destination_key = $1 and purpose = $2")
        .bind(destination_key)
        .bind(purpose.as_str())
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("until_ms")).transpose()?)
}

/// A wrong check of a code to this destination for this purpose.
pub fn record_failure(destination_key: &str, purpose: Purpose, now_ms: i64) -> Statement {
    Statement::new(
        "insert into check_failures (failure_id, destination_key, purpose, created_at_ms) values ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4().simple().to_string())
    .bind(destination_key)
    .bind(purpose.as_str())
    .bind(now_ms)
}

/// Times of the newest `max` failed checks of this destination and purpose after `since_ms`, newest first.
pub async fn newest_failures(
    db: impl AnyExecutor<'_>,
    destination_key: &str,
    purpose: Purpose,
    since_ms: i64,
    max: u32,
) -> Result<Vec<i64>, Error> {
    let rows = sqlx::query(
        "select created_at_ms from check_failures where destination_key = $1 and purpose = $2 \
         and created_at_ms > $3 order by created_at_ms desc limit $4",
    )
    .bind(destination_key)
    .bind(purpose.as_str())
    .bind(since_ms)
    .bind(i64::from(max))
    .fetch_all(db)
    .await?;
    rows.iter().map(|row| row.try_get::<i64, _>("created_at_ms").map_err(Error::from)).collect()
}
