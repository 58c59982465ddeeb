//! SQL behind the caps: gate rows and the newest recorded events.

use sqlx::{AnyConnection, Row};

use crate::error::Error;

/// Upserts the gate row of every key, in sorted order, as the transaction's
/// first writes: see the module doc of [`super`] for why this makes counts exact.
pub async fn take_gates(conn: &mut AnyConnection, keys: &[String], now_ms: i64) -> Result<(), Error> {
    let mut keys: Vec<&String> = keys.iter().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        sqlx::query(
            "insert into limit_gates (gate_key, touched_at_ms) values ($1, $2) \
             on conflict (gate_key) do update set touched_at_ms = excluded.touched_at_ms",
        )
        .bind(key)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Which send events to count.
#[derive(Debug, Clone, Copy)]
pub enum SendKey<'a> {
    Destination(&'a str),
    Client(&'a str),
    Prefix(&'a str),
}

/// Creation times of the newest `max` send events under `key` after `since_ms`, newest first.
pub async fn newest_sends(
    conn: &mut AnyConnection,
    key: SendKey<'_>,
    since_ms: i64,
    max: u32,
) -> Result<Vec<i64>, Error> {
    let (sql, value) = match key {
        SendKey::Destination(value) => (
            "select created_at_ms from send_events where destination_key = $1 and created_at_ms > $2 \
             order by created_at_ms desc limit $3",
            value,
        ),
        SendKey::Client(value) => (
            "select created_at_ms from send_events where client_ip = $1 and created_at_ms > $2 \
             order by created_at_ms desc limit $3",
            value,
        ),
        SendKey::Prefix(value) => (
            "select created_at_ms from send_events where destination_prefix = $1 and created_at_ms > $2 \
             order by created_at_ms desc limit $3",
            value,
        ),
    };
    let rows = sqlx::query(sql).bind(value).bind(since_ms).bind(i64::from(max)).fetch_all(&mut *conn).await?;
    rows.iter().map(|row| row.try_get::<i64, _>("created_at_ms").map_err(Error::from)).collect()
}

/// Creation times of the newest `max` challenges made for `client_ip` after `since_ms`, newest first.
pub async fn newest_challenges(
    conn: &mut AnyConnection,
    client_ip: &str,
    since_ms: i64,
    max: u32,
) -> Result<Vec<i64>, Error> {
    let rows = sqlx::query(
        "select created_at_ms from human_checks where client_ip = $1 and created_at_ms > $2 \
         order by created_at_ms desc limit $3",
    )
    .bind(client_ip)
    .bind(since_ms)
    .bind(i64::from(max))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| row.try_get::<i64, _>("created_at_ms").map_err(Error::from)).collect()
}
