//! Bulk load of a legacy dump (DUMP.md) with the shared loader (`beian_platform::bulk`):
//! streamed line by line, validated here, written in batched transactions, resumable from
//! a checkpoint committed with each batch, idempotent by comparing each row with what is
//! stored.

mod apply;
pub mod generate;
mod record;

use std::path::Path;

pub use beian_platform::bulk::{LoadOptions, LoadReport, RejectedRow, TableCounts};
use beian_platform::{
    bulk::{self, Load, Outcome, Reason, Target},
    storage::Database,
};
use sqlx::AnyConnection;

use self::record::{Record, Table};

/// Where a load's checkpoints are kept (migration 0002).
const CHECKPOINTS: &str = "legacy_load_checkpoints";

/// Loads the dump in `dir` into legacy-migration's database.
pub async fn load(db: &Database, dir: &Path, options: &LoadOptions) -> anyhow::Result<LoadReport> {
    let mut load = Load::start(dir, options, &[Target { db, checkpoints: CHECKPOINTS }]).await?;
    load.tables(0, &Table::ALL).await?;
    load.finish().await
}

impl bulk::Table for Table {
    type Record = Record;

    fn name(&self) -> &'static str {
        Table::name(*self)
    }

    fn parse(&self, line: &str) -> Result<Record, Reason> {
        Table::parse(*self, line)
    }

    fn key<'r>(&self, record: &'r Record) -> &'r str {
        &record.key
    }

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        sqlite: bool,
        records: &[&Record],
        now_ms: i64,
    ) -> Result<Vec<Outcome>, sqlx::Error> {
        apply::apply(conn, sqlite, *self, records, now_ms).await
    }

    fn unique_reason(&self) -> Reason {
        Table::unique_reason(*self)
    }

    fn reference_reason(&self) -> Reason {
        Table::reference_reason(*self)
    }
}
