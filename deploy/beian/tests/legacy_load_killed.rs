//! `beian legacy load`, the real binary, killed (SIGKILL) once it has committed some
//! batches: run again, it resumes from its checkpoint, and the database ends exactly as one
//! clean load leaves it; a third run changes nothing. SQLite (the file the command writes
//! by default); the resume logic is the same on PostgreSQL and tested there in-process
//! (`tests/suite/legacy_load.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::{
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use beian_platform::storage::{Database, DatabaseLocation};
use legacy_migration::bulk::generate::{GenerateOptions, generate};

const FILINGS: u64 = 20_000;

fn load(dump: &Path, data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_beian"));
    command
        .args(["legacy", "load"])
        .arg(dump)
        .args(["--batch-size", "100"])
        .env_clear()
        .env("BEIAN_DATA_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

async fn count(db: &Database, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(db.reader()).await.unwrap()
}

#[tokio::test]
async fn a_killed_load_resumes_from_its_checkpoint_and_ends_as_one_clean_load() {
    let dir = tempfile::tempdir().unwrap();
    let (dump, data) = (dir.path().join("dump"), dir.path().join("data"));
    let generated =
        generate(&dump, &GenerateOptions { filings: FILINGS, seed: 5, bad_rows: 0, gzip: false }).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    let db = legacy_migration::Application::open_database(&DatabaseLocation::sqlite_file(
        &data,
        legacy_migration::NAME,
    ))
    .await
    .unwrap();

    let mut child = load(&dump, &data).spawn().unwrap();
    let mut committed = 0;
    for _ in 0..600 {
        committed = count(&db, "select cast(count(*) as bigint) from legacy_logins").await;
        if committed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed > 0, "the load committed batches before it was killed");
    let filings_then = count(&db, "select cast(count(*) as bigint) from legacy_filings").await;
    let checkpoints = count(&db, "select cast(count(*) as bigint) from legacy_load_checkpoints").await;
    assert!(
        u64::try_from(filings_then).unwrap() < FILINGS && checkpoints > 0,
        "killed mid-load: {filings_then} filings, {checkpoints} checkpoints"
    );

    assert!(load(&dump, &data).status().unwrap().success(), "the second run resumes and finishes");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dump.join("load-report.json")).unwrap()).unwrap();
    let total: u64 = generated.lines.iter().map(|(_, n)| n).sum();
    let read = report["lines_read_this_run"].as_u64().unwrap();
    assert!(read < total, "resumed, not restarted: read {read} of {total}");
    assert_eq!(
        count(&db, "select cast(count(*) as bigint) from legacy_filings").await,
        i64::try_from(FILINGS).unwrap()
    );
    for table in ["logins", "filings", "websites"] {
        let stored = count(&db, &format!("select cast(count(*) as bigint) from legacy_{table}")).await;
        assert_eq!(u64::try_from(stored).unwrap(), generated.lines_of(table), "{table}: each row once");
    }
    assert_eq!(count(&db, "select cast(count(*) as bigint) from legacy_load_checkpoints").await, 0, "done");

    assert!(load(&dump, &data).status().unwrap().success(), "a third run");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dump.join("load-report.json")).unwrap()).unwrap();
    for table in report["tables"].as_array().unwrap() {
        let counts = &table[1];
        assert_eq!((counts["loaded"].as_u64(), counts["updated"].as_u64()), (Some(0), Some(0)), "{table}");
    }
    db.close().await;
}
