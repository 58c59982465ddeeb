//! Bulk loads of an export (the legacy dump, the current platform's export): one JSON Lines
//! file per table, streamed line by line (gzip too), validated by the caller's [`Table`]s,
//! written in batched transactions that also commit a checkpoint, so a killed load resumes
//! where it stopped; each row is compared with what is stored, so loading again changes
//! nothing and a corrected export updates. A reconciliation report accounts for every line.

mod checkpoint;
pub mod fields;
mod report;
pub mod source;
pub mod sql;
pub mod writer;

use std::{
    collections::{BTreeMap, HashSet},
    future::Future,
    io::IsTerminal,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::Context;
use sqlx::{AnyConnection, Connection, error::ErrorKind};

pub use self::report::{LoadReport, RejectedRow, TableCounts};
use self::{
    checkpoint::Checkpoint,
    source::{Line, Source},
};
use crate::storage::{Database, now_millis};

/// Why a line was rejected: a stable word the export's documentation lists.
pub type Reason = &'static str;

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Loaded,
    Updated,
    Unchanged,
    Rejected(Reason),
}

/// One file of an export: how a line validates, and how a batch of valid records is written.
pub trait Table {
    type Record: Send + Sync;

    /// The file's name without `.jsonl`, also the report's name for the table.
    fn name(&self) -> &'static str;

    /// Validates one line into a record.
    fn parse(&self, line: &str) -> Result<Self::Record, Reason>;

    /// The record's key: a batch with a key twice is written row by row.
    fn key<'r>(&self, record: &'r Self::Record) -> &'r str;

    /// Writes records whose keys are distinct, answering each one's outcome; a database
    /// error (a constraint one row breaks included) makes the loader retry row by row.
    fn apply(
        &self,
        conn: &mut AnyConnection,
        sqlite: bool,
        records: &[&Self::Record],
        now_ms: i64,
    ) -> impl Future<Output = Result<Vec<Outcome>, sqlx::Error>> + Send;

    /// The reason for a row the database refused as a duplicate of another row's unique value.
    fn unique_reason(&self) -> Reason;

    /// The reason for a row the database refused as referring to a missing row.
    fn reference_reason(&self) -> Reason;
}

/// How a load runs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Lines per transaction.
    pub batch_size: usize,
    /// Forget the checkpoints of an unfinished load (of this or another export) and start over.
    pub restart: bool,
    /// A progress line about every second on standard error.
    pub progress: bool,
    /// Where the JSON report goes; by default `load-report.json` in the export's directory.
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

impl LoadOptions {
    /// Where the report of a load of `dir` is written.
    pub fn report_path(&self, dir: &Path) -> PathBuf {
        self.report_path.clone().unwrap_or_else(|| dir.join("load-report.json"))
    }
}

/// Rejected rows printed and kept in the report; the rest are only counted.
const REJECTS_SHOWN: usize = 1000;

/// A database a load writes into, with the table of its own that keeps the checkpoints
/// (each service names its own, created by its migrations with the columns of
/// `legacy_load_checkpoints`).
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub db: &'a Database,
    pub checkpoints: &'static str,
}

/// A load of one export's directory into one or more databases: [`Load::tables`] for each
/// database's files in order, then [`Load::finish`].
pub struct Load<'a> {
    dir: &'a Path,
    dump: String,
    options: &'a LoadOptions,
    /// Each target with its checkpoints as the run found them.
    targets: Vec<(Target<'a>, BTreeMap<String, Checkpoint>)>,
    tables: Vec<(String, TableCounts)>,
    rejected_rows: Vec<RejectedRow>,
    batches: u64,
    lines_read: u64,
    progress_at: Instant,
    started: Instant,
}

impl<'a> Load<'a> {
    /// Reads where an unfinished load of `dir` stands in each target (forgets it with
    /// `restart`); an unfinished load of another directory is refused.
    pub async fn start(
        dir: &'a Path,
        options: &'a LoadOptions,
        targets: &[Target<'a>],
    ) -> anyhow::Result<Self> {
        let dump = std::fs::canonicalize(dir)
            .with_context(|| format!("the export directory {}", dir.display()))?
            .display()
            .to_string();
        let mut found = Vec::with_capacity(targets.len());
        for target in targets {
            let stored = checkpoint::read(target.db, target.checkpoints, &dump, options.restart).await?;
            found.push((*target, stored));
        }
        Ok(Self {
            dir,
            dump,
            options,
            targets: found,
            tables: Vec::new(),
            rejected_rows: Vec::new(),
            batches: 0,
            lines_read: 0,
            progress_at: Instant::now(),
            started: Instant::now(),
        })
    }

    /// Loads each table's file (a missing one has no rows) into the `target`-th target; a
    /// file an earlier run finished is only counted.
    pub async fn tables<T: Table + Sync>(&mut self, target: usize, tables: &[T]) -> anyhow::Result<()> {
        let (Target { db, checkpoints }, stored) =
            self.targets.get(target).cloned().context("no such target")?;
        for table in tables {
            let at = stored.get(table.name()).cloned().unwrap_or_default();
            let counts = match source::find(self.dir, table.name())? {
                Some(path) if !at.done => self.load_file(db, checkpoints, table, &path, at).await?,
                _ => at.counts,
            };
            self.tables.push((table.name().to_owned(), counts));
        }
        Ok(())
    }

    /// Clears the checkpoints of every target (the load is complete) and writes the report.
    pub async fn finish(self) -> anyhow::Result<LoadReport> {
        for (target, _) in &self.targets {
            checkpoint::clear(target.db, target.checkpoints).await?;
        }
        let seconds = self.started.elapsed().as_secs_f64();
        let report = LoadReport {
            dump: self.dump,
            tables: self.tables,
            rejected_rows: self.rejected_rows,
            lines_read_this_run: self.lines_read,
            seconds,
            lines_per_second: self.lines_read as f64 / seconds.max(1e-9),
        };
        let path = self.options.report_path(self.dir);
        std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing the report {}", path.display()))?;
        Ok(report)
    }

    async fn load_file<T: Table + Sync>(
        &mut self,
        db: &Database,
        checkpoints: &'static str,
        table: &T,
        path: &Path,
        at: Checkpoint,
    ) -> anyhow::Result<TableCounts> {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let mut source = Source::open(path, at.line, at.byte_offset)?;
        let mut counts = at.counts;
        let mut batch: Vec<(u64, T::Record)> = Vec::with_capacity(self.options.batch_size);
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
            // one transaction: the batch's rows and the checkpoint after them
            let now = now_millis();
            let mut writer = db.writer().await?;
            let mut tx = writer.begin().await?;
            let records: Vec<&T::Record> = batch.iter().map(|(_, r)| r).collect();
            let outcomes = apply_batch(&mut tx, db.writes_one_at_a_time(), table, &records, now).await?;
            for ((number, _), outcome) in batch.iter().zip(outcomes) {
                match outcome {
                    Outcome::Rejected(reason) => self.reject(&mut counts, &file, *number, reason),
                    outcome => counts.count(outcome),
                }
            }
            let reached = Checkpoint {
                line: source.line(),
                byte_offset: source.byte_offset(),
                done: eof,
                counts: counts.clone(),
            };
            checkpoint::write(&mut tx, checkpoints, table.name(), &self.dump, &reached, now).await?;
            tx.commit().await?;
            drop(writer);
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

    fn show_progress(&mut self, file: &str, line: u64) {
        if !self.options.progress || self.progress_at.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.progress_at = Instant::now();
        let rate = self.lines_read as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        eprintln!("loading {file}: line {line}, {} lines this run, {rate:.0} lines/s", self.lines_read);
    }
}

/// A batch's records, all at once; row by row (each in a savepoint) if that fails on a
/// constraint, so one bad row rejects itself only.
async fn apply_batch<T: Table + Sync>(
    conn: &mut AnyConnection,
    sqlite: bool,
    table: &T,
    records: &[&T::Record],
    now_ms: i64,
) -> anyhow::Result<Vec<Outcome>> {
    if sqlite {
        // 64 MiB of page cache instead of SQLite's 2: a large load's key lookups
        // otherwise read most index pages from the file again
        sqlx::query("pragma cache_size = -65536").execute(&mut *conn).await?;
    }
    let distinct = records.iter().map(|r| table.key(r)).collect::<HashSet<_>>().len() == records.len();
    if distinct && !records.is_empty() {
        let mut savepoint = conn.begin().await?;
        match table.apply(&mut savepoint, sqlite, records, now_ms).await {
            Ok(all) => {
                savepoint.commit().await?;
                return Ok(all);
            }
            Err(error) if constraint(&error).is_some() => savepoint.rollback().await?,
            Err(error) => return Err(error.into()),
        }
    }
    let mut outcomes = Vec::with_capacity(records.len());
    for record in records {
        let mut savepoint = conn.begin().await?;
        match table.apply(&mut savepoint, sqlite, &[*record], now_ms).await {
            Ok(one) => {
                savepoint.commit().await?;
                outcomes.extend(one);
            }
            Err(error) => {
                savepoint.rollback().await?;
                let reason = match constraint(&error) {
                    Some(ErrorKind::UniqueViolation) => table.unique_reason(),
                    Some(ErrorKind::ForeignKeyViolation) => table.reference_reason(),
                    Some(_) => "constraint_violation",
                    None => return Err(error.into()),
                };
                outcomes.push(Outcome::Rejected(reason));
            }
        }
    }
    Ok(outcomes)
}

/// The kind of constraint a row broke, if that is why the database refused it.
fn constraint(error: &sqlx::Error) -> Option<ErrorKind> {
    let kind = error.as_database_error()?.kind();
    matches!(
        kind,
        ErrorKind::UniqueViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::NotNullViolation
            | ErrorKind::CheckViolation
    )
    .then_some(kind)
}
