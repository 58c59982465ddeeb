//! Bulk load of a legacy dump (DUMP.md): streamed line by line, validated,
//! written in batched transactions, resumable from a checkpoint committed with
//! each batch, idempotent by comparing each row with what is stored.

mod apply;
pub mod generate;
mod record;
mod source;

use std::{
    collections::{BTreeMap, HashSet},
    io::IsTerminal,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::Context;
use beian_platform::storage::{Database, now_millis};
use serde::{Deserialize, Serialize};
use sqlx::{Connection, Row};

use self::{
    apply::Outcome,
    record::{Reason, Record, Table},
    source::{Line, Source},
};

/// How a load runs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Lines per transaction.
    pub batch_size: usize,
    /// Forget the checkpoints of an unfinished load (of this or another dump) and start over.
    pub restart: bool,
    /// A progress line about every second on standard error.
    pub progress: bool,
    /// Where the JSON report goes; by default `load-report.json` in the dump directory.
    pub report_path: Option<PathBuf>,
    /// Stop (with an error) once this many batches are committed, as a kill would: for tests.
    pub stop_after_batches: Option<u64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            batch_size: 1000,
            restart: false,
            progress: std::io::stderr().is_terminal(),
            report_path: None,
            stop_after_batches: None,
        }
    }
}

/// One table's reconciliation: every line read is loaded, updated, unchanged or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    pub read: u64,
    pub loaded: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: BTreeMap<String, u64>,
}

impl TableCounts {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Loaded => self.loaded += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Rejected(reason) => *self.rejected.entry(reason.to_owned()).or_default() += 1,
        }
    }
}

/// A line that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// The reconciliation report of a whole load (including the part before a resume).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    pub dump: String,
    /// Per table, in load order.
    pub tables: Vec<(String, TableCounts)>,
    /// The first rejected rows of this run (all of them are counted in `tables`).
    pub rejected_rows: Vec<RejectedRow>,
    /// Lines read by this run (a resumed run reads only the rest), and its duration.
    pub lines_read_this_run: u64,
    pub seconds: f64,
    pub lines_per_second: f64,
}

impl LoadReport {
    pub fn table(&self, name: &str) -> Option<&TableCounts> {
        self.tables.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The report as a terminal table.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<10} {:>10} {:>10} {:>10} {:>10} {:>10}  rejected by reason\n",
            "table", "read", "loaded", "updated", "unchanged", "rejected"
        );
        for (name, c) in &self.tables {
            let reasons: Vec<String> = c.rejected.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            out.push_str(&format!(
                "{name:<10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n",
                c.read,
                c.loaded,
                c.updated,
                c.unchanged,
                c.rejected_total(),
                reasons.join(", ")
            ));
        }
        out.push_str(&format!(
            "{} lines in {:.1} s: {:.0} lines/s\n",
            self.lines_read_this_run, self.seconds, self.lines_per_second
        ));
        out
    }
}

/// Rejected rows printed and kept in the report; the rest are only counted.
const REJECTS_SHOWN: usize = 1000;

/// Where a file's load stands, as checkpointed.
#[derive(Debug, Clone, Default)]
struct Checkpoint {
    line: u64,
    byte_offset: u64,
    done: bool,
    counts: TableCounts,
}

/// Loads the dump in `dir` into legacy-migration's database.
pub async fn load(db: &Database, dir: &Path, options: &LoadOptions) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    let dump = std::fs::canonicalize(dir)
        .with_context(|| format!("the dump directory {}", dir.display()))?
        .display()
        .to_string();
    let checkpoints = read_checkpoints(db, &dump, options.restart).await?;
    let mut run = Run {
        db,
        options,
        rejected_rows: Vec::new(),
        batches: 0,
        lines_read: 0,
        progress_at: Instant::now(),
        started,
    };
    let mut tables = Vec::new();
    for table in Table::ALL {
        let checkpoint = checkpoints.get(table.name()).cloned().unwrap_or_default();
        let counts = match source::find(dir, table.name())? {
            Some(path) if !checkpoint.done => run.load_file(table, &path, &dump, checkpoint).await?,
            _ => checkpoint.counts,
        };
        tables.push((table.name().to_owned(), counts));
    }
    sqlx::query("delete from legacy_load_checkpoints").execute(db.writer()).await?;
    let seconds = started.elapsed().as_secs_f64();
    let report = LoadReport {
        dump,
        tables,
        rejected_rows: run.rejected_rows,
        lines_read_this_run: run.lines_read,
        seconds,
        lines_per_second: run.lines_read as f64 / seconds.max(1e-9),
    };
    let path = options.report_path.clone().unwrap_or_else(|| dir.join("load-report.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("writing the report {}", path.display()))?;
    Ok(report)
}

async fn read_checkpoints(
    db: &Database,
    dump: &str,
    restart: bool,
) -> anyhow::Result<BTreeMap<String, Checkpoint>> {
    if restart {
        sqlx::query("delete from legacy_load_checkpoints").execute(db.writer()).await?;
        return Ok(BTreeMap::new());
    }
    let rows =
        sqlx::query("select file, dump, line, byte_offset, done, counters from legacy_load_checkpoints")
            .fetch_all(db.reader())
            .await?;
    let mut checkpoints = BTreeMap::new();
    for row in rows {
        let other: String = row.try_get("dump")?;
        anyhow::ensure!(
            other == dump,
            "an unfinished load of {other} is in the database: finish it by loading that dump again, \
             or start over with --restart"
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

struct Run<'a> {
    db: &'a Database,
    options: &'a LoadOptions,
    rejected_rows: Vec<RejectedRow>,
    batches: u64,
    lines_read: u64,
    progress_at: Instant,
    started: Instant,
}

impl Run<'_> {
    async fn load_file(
        &mut self,
        table: Table,
        path: &Path,
        dump: &str,
        checkpoint: Checkpoint,
    ) -> anyhow::Result<TableCounts> {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let mut source = Source::open(path, checkpoint.line, checkpoint.byte_offset)?;
        let mut counts = checkpoint.counts;
        let mut batch: Vec<(u64, Record)> = Vec::with_capacity(self.options.batch_size);
        loop {
            let mut lines = 0;
            let mut eof = false;
            batch.clear();
            while lines < self.options.batch_size {
                let Some((number, line)) = source.next_line()? else {
                    eof = true;
                    break;
                };
                lines += 1;
                counts.read += 1;
                let parsed = match line {
                    Line::Text(text) => table.parse(text),
                    Line::TooLong => Err("line_too_long"),
                    Line::NotUtf8 => Err("malformed_json"),
                };
                match parsed {
                    Ok(record) => batch.push((number, record)),
                    Err(reason) => self.reject(&mut counts, &file, number, reason),
                }
            }
            self.lines_read += lines as u64;
            let outcomes = self.write_batch(table, &batch, dump, &source, eof, &counts).await?;
            for ((number, _), outcome) in batch.iter().zip(outcomes) {
                match outcome {
                    Outcome::Rejected(reason) => self.reject(&mut counts, &file, *number, reason),
                    outcome => counts.count(outcome),
                }
            }
            self.batches += 1;
            self.show_progress(&file, source.line());
            if eof {
                return Ok(counts);
            }
            if self.options.stop_after_batches.is_some_and(|stop| self.batches >= stop) {
                anyhow::bail!("stopped after {} batches, as asked", self.batches);
            }
        }
    }

    fn reject(&mut self, counts: &mut TableCounts, file: &str, line: u64, reason: Reason) {
        counts.count(Outcome::Rejected(reason));
        if self.rejected_rows.len() < REJECTS_SHOWN {
            eprintln!("rejected {file}:{line}: {reason}");
            self.rejected_rows.push(RejectedRow { file: file.to_owned(), line, reason: reason.to_owned() });
        }
    }

    /// One transaction: the batch (all rows at once; row by row if that fails)
    /// and the checkpoint with the counters as they stand after it.
    async fn write_batch(
        &self,
        table: Table,
        batch: &[(u64, Record)],
        dump: &str,
        source: &Source,
        eof: bool,
        counts: &TableCounts,
    ) -> anyhow::Result<Vec<Outcome>> {
        let now = now_millis();
        let mut tx = self.db.begin().await?;
        if self.db.writes_one_at_a_time() {
            // 64 MiB of page cache instead of SQLite's 2: a large load's key lookups
            // otherwise read most index pages from the file again
            sqlx::query("pragma cache_size = -65536").execute(&mut *tx).await?;
        }
        let records: Vec<&Record> = batch.iter().map(|(_, r)| r).collect();
        let distinct = records.iter().map(|r| r.key.as_str()).collect::<HashSet<_>>().len() == records.len();
        let mut outcomes = None;
        if distinct && !records.is_empty() {
            let mut savepoint = (*tx).begin().await?;
            match apply::apply(&mut savepoint, self.db.writes_one_at_a_time(), table, &records, now).await {
                Ok(all) => {
                    savepoint.commit().await?;
                    outcomes = Some(all);
                }
                Err(error) if is_constraint(&error) => savepoint.rollback().await?,
                Err(error) => return Err(error.into()),
            }
        }
        let outcomes = match outcomes {
            Some(outcomes) => outcomes,
            None => {
                let mut outcomes = Vec::with_capacity(records.len());
                for record in &records {
                    let mut savepoint = (*tx).begin().await?;
                    match apply::apply(&mut savepoint, self.db.writes_one_at_a_time(), table, &[*record], now)
                        .await
                    {
                        Ok(one) => {
                            savepoint.commit().await?;
                            outcomes.extend(one);
                        }
                        Err(error) => {
                            savepoint.rollback().await?;
                            outcomes.push(Outcome::Rejected(constraint_reason(table, &error).ok_or(error)?));
                        }
                    }
                }
                outcomes
            }
        };
        let mut after = counts.clone();
        for outcome in &outcomes {
            after.count(*outcome);
        }
        sqlx::query(
            "insert into legacy_load_checkpoints (file, dump, line, byte_offset, done, counters, updated_at_ms) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (file) do update set dump = excluded.dump, \
             line = excluded.line, byte_offset = excluded.byte_offset, done = excluded.done, \
             counters = excluded.counters, updated_at_ms = excluded.updated_at_ms",
        )
        .bind(table.name().to_owned())
        .bind(dump.to_owned())
        .bind(i64::try_from(source.line())?)
        .bind(i64::try_from(source.byte_offset())?)
        .bind(i64::from(eof))
        .bind(serde_json::to_string(&after)?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    fn show_progress(&mut self, file: &str, line: u64) {
        if !self.options.progress || self.progress_at.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.progress_at = Instant::now();
        let rate = self.lines_read as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        eprintln!("loading {file}: line {line}, {} lines this run, {rate:.0} lines/s", self.lines_read);
    }
}

fn is_constraint(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| {
        matches!(
            e.kind(),
            sqlx::error::ErrorKind::UniqueViolation
                | sqlx::error::ErrorKind::ForeignKeyViolation
                | sqlx::error::ErrorKind::NotNullViolation
                | sqlx::error::ErrorKind::CheckViolation
        )
    })
}

/// Why the database refused one row, if it was a constraint of the row's own making.
fn constraint_reason(table: Table, error: &sqlx::Error) -> Option<&'static str> {
    match error.as_database_error()?.kind() {
        sqlx::error::ErrorKind::UniqueViolation => Some(table.unique_reason()),
        sqlx::error::ErrorKind::ForeignKeyViolation => Some(table.reference_reason()),
        sqlx::error::ErrorKind::NotNullViolation | sqlx::error::ErrorKind::CheckViolation => {
            Some("constraint_violation")
        }
        _ => None,
    }
}
