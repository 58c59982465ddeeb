//! Where each file of a load stands, kept in a table of the target database (each service
//! names its own, created by its migrations with these columns) and written in the same
//! transaction as the batch it follows.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::TableCounts;
use crate::storage::Database;

/// Where a file's load stands, as checkpointed.
#[derive(Debug, Clone, Default)]
pub(super) struct Checkpoint {
    pub line: u64,
    pub byte_offset: u64,
    pub done: bool,
    pub counts: TableCounts,
}

/// The checkpoints of an unfinished load of `dump`, by file; none after `restart`, which
/// forgets them. An unfinished load of another export is refused.
pub(super) async fn read(
    db: &Database,
    table: &'static str,
    dump: &str,
    restart: bool,
) -> anyhow::Result<BTreeMap<String, Checkpoint>> {
    if restart {
        clear(db, table).await?;
        return Ok(BTreeMap::new());
    }
    let sql = format!("select file, dump, line, byte_offset, done, counters from {table}");
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(db.reader()).await?;
    let mut checkpoints = BTreeMap::new();
    for row in rows {
        let other: String = row.try_get("dump")?;
        anyhow::ensure!(
            other == dump,
            "an unfinished load of {other} is in the database: finish it by loading that directory \
             again, or start over with --restart"
        );
        let counters: String = row.try_get("counters")?;
        checkpoints.insert(
            row.try_get("file")?,
            Checkpoint {
                line: u64::try_from(row.try_get::<i64, _>("line")?)?,
                byte_offset: u64::try_from(row.try_get::<i64, _>("byte_offset")?)?,
                done: row.try_get::<i64, _>("done")? != 0,
                counts: serde_json::from_str(&counters)?,
            },
        );
    }
    Ok(checkpoints)
}

/// Records how far a file got, inside the batch's transaction.
pub(super) async fn write(
    conn: &mut AnyConnection,
    table: &'static str,
    file: &str,
    dump: &str,
    checkpoint: &Checkpoint,
    now_ms: i64,
) -> anyhow::Result<()> {
    let sql = format!(
        "insert into {table} (file, dump, line, byte_offset, done, counters, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (file) do update set dump = excluded.dump, \
         line = excluded.line, byte_offset = excluded.byte_offset, done = excluded.done, \
         counters = excluded.counters, updated_at_ms = excluded.updated_at_ms"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(file.to_owned())
        .bind(dump.to_owned())
        .bind(i64::try_from(checkpoint.line)?)
        .bind(i64::try_from(checkpoint.byte_offset)?)
        .bind(i64::from(checkpoint.done))
        .bind(serde_json::to_string(&checkpoint.counts)?)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets every checkpoint: the load completed (or starts over).
pub(super) async fn clear(db: &Database, table: &'static str) -> anyhow::Result<()> {
    sqlx::query(AssertSqlSafe(format!("delete from {table}"))).execute(&mut *db.writer().await?).await?;
    Ok(())
}
