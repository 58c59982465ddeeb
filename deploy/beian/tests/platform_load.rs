//! `beian platform load`, the real binary, on the engine BEIAN_TEST_DATABASE names (databases
//! given by URL on PostgreSQL, SQLite files under BEIAN_DATA_DIR otherwise): a load with
//! rejected lines reported by file, line and reason (and no password in the clear printed),
//! a second run that changes nothing, a corrected export that updates only what changed,
//! and a load SIGKILLed mid-way that resumes from its checkpoints and ends with the rows
//! and counts of one clean load.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use beian::platform::generate::{GenerateOptions, generate};
use beian_platform::{
    bulk::writer::Generated,
    storage::Database,
    testing::{Engine, ScratchDatabases},
};

const SERVICES: [&str; 2] = [identity_recovery::NAME, filing_registry::NAME];
const TABLES: [&str; 3] = ["accounts", "subjects", "websites"];

/// A deployment's two databases, fresh, on the engine under test.
struct Deployment {
    scratch: ScratchDatabases,
    /// identity-recovery's and filing-registry's URLs on PostgreSQL; files under the data
    /// directory on SQLite.
    urls: Option<[String; 2]>,
}

impl Deployment {
    async fn new() -> Self {
        let engine = Engine::from_env().unwrap();
        let scratch = ScratchDatabases::create(&engine, "beian_platform_load", &SERVICES).await.unwrap();
        let urls = match &engine {
            Engine::Sqlite => None,
            Engine::Postgres { admin_url } => {
                let base = &admin_url[..admin_url.rfind('/').unwrap()];
                let names = scratch.postgres_names();
                Some([format!("{base}/{}", names[0]), format!("{base}/{}", names[1])])
            }
        };
        Self { scratch, urls }
    }

    /// Both databases, migrated (before the binary runs, so it never races the test's migration).
    async fn open(&self) -> (Database, Database) {
        let identity =
            identity_recovery::Application::open_database(&self.scratch.location(SERVICES[0]).unwrap()).await;
        let registry =
            filing_registry::Application::open_database(&self.scratch.location(SERVICES[1]).unwrap()).await;
        (identity.unwrap(), registry.unwrap())
    }

    fn load(&self, export: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_beian"));
        command
            .args(["platform", "load"])
            .arg(export)
            .args(["--batch-size", "50"])
            .env_clear()
            .env("BEIAN_DATA_DIR", self.scratch.dir());
        if let Some([identity, registry]) = &self.urls {
            command
                .env("BEIAN_IDENTITY_RECOVERY_DATABASE_URL", identity)
                .env("BEIAN_FILING_REGISTRY_DATABASE_URL", registry);
        }
        command
    }

    fn run(&self, export: &Path) -> (Output, serde_json::Value) {
        let output = self.load(export).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let report = std::fs::read_to_string(export.join("load-report.json")).unwrap();
        (output, serde_json::from_str(&report).unwrap())
    }

    fn export(&self, subjects: u64, bad_rows: u64) -> (PathBuf, Generated) {
        let dir = self.scratch.dir().join("export");
        let generated =
            generate(&dir, &GenerateOptions { subjects, seed: 11, bad_rows, gzip: false }).unwrap();
        (dir, generated)
    }
}

async fn count(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select cast(count(*) as bigint) from {table}")))
        .fetch_one(db.reader())
        .await
        .unwrap()
}

async fn rows(db: &Database, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(db.reader()).await.unwrap()
}

/// Every row the load writes, as text, without the times it was written at or the ids of
/// holder changes.
async fn snapshot(identity: &Database, registry: &Database) -> Vec<Vec<String>> {
    vec![
        rows(
            identity,
            "select account_id || '|' || login_name || '|' || login_name_key || '|' || site || '|' || mobile \
             || '|' || email || '|' || password_hash || '|' || cast(staff as text) from accounts order by account_id",
        )
        .await,
        rows(
            registry,
            "select subject_id || '|' || filing_number || '|' || name || '|' || nature || '|' || province_code \
             || '|' || city_code || '|' || district_code || '|' || certificate_type || '|' || certificate_number \
             || '|' || certificate_key || '|' || principal_name || '|' || principal_mobile || '|' \
             || principal_email || '|' || coalesce(principal_id_number, '-') || '|' || filing_password_hash \
             || '|' || holder_account_id || '|' || cast(version as text) from subjects order by filing_number",
        )
        .await,
        rows(
            registry,
            "select website_id || '|' || subject_id || '|' || website_number || '|' || name || '|' || state \
             || '|' || principal_name || '|' || principal_mobile || '|' || principal_email from websites \
             order by website_number",
        )
        .await,
        rows(
            registry,
            "select website_id || '|' || domain || '|' || cast(active as text) from website_domains \
             order by website_id, domain",
        )
        .await,
        rows(
            registry,
            "select subject_id || '|' || coalesce(from_account_id, '-') || '|' || to_account_id || '|' || actor \
             || '|' || reason from holder_changes order by subject_id, changed_at_ms",
        )
        .await,
    ]
}

fn counts<'a>(report: &'a serde_json::Value, table: &str) -> &'a serde_json::Value {
    let tables = report["tables"].as_array().unwrap();
    &tables.iter().find(|t| t[0] == table).unwrap()[1]
}

fn loaded_updated_unchanged(report: &serde_json::Value, table: &str) -> (u64, u64, u64) {
    let c = counts(report, table);
    (c["loaded"].as_u64().unwrap(), c["updated"].as_u64().unwrap(), c["unchanged"].as_u64().unwrap())
}

fn bad_in(generated: &Generated, table: &str) -> u64 {
    generated.bad_rows.iter().filter(|b| b.file.starts_with(&format!("{table}."))).count() as u64
}

/// Line `number` (1-based) of an export file.
fn line(path: &Path, number: usize) -> serde_json::Value {
    serde_json::from_str(std::fs::read_to_string(path).unwrap().lines().nth(number - 1).unwrap()).unwrap()
}

/// Rewrites line `number` (1-based) of an export file through `change`.
fn edit_line(path: &Path, number: usize, change: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut row: serde_json::Value = serde_json::from_str(&lines[number - 1]).unwrap();
    change(&mut row);
    lines[number - 1] = row.to_string();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[tokio::test]
async fn an_export_loads_once_reports_its_rejected_lines_and_again_changes_nothing() {
    let deployment = Deployment::new().await;
    let (identity, registry) = deployment.open().await;
    let (export, generated) = deployment.export(200, 7);

    let (output, report) = deployment.run(&export);
    for table in TABLES {
        let bad = bad_in(&generated, table);
        assert_eq!(counts(&report, table)["read"].as_u64(), Some(generated.lines_of(table)), "{table}");
        let good = generated.lines_of(table) - bad;
        assert_eq!(loaded_updated_unchanged(&report, table), (good, 0, 0), "{table}");
    }
    let mut reported: Vec<(String, u64, String)> = report["rejected_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().into(),
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    reported.sort();
    let mut expected: Vec<(String, u64, String)> =
        generated.bad_rows.iter().map(|b| (b.file.clone(), b.line, b.reason.to_owned())).collect();
    expected.sort();
    assert_eq!(reported, expected, "each bad line with its file, line number and reason");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (file, line, reason) in &expected {
        assert!(stderr.contains(&format!("rejected {file}:{line}: {reason}")), "{stderr}");
    }
    let printed = format!("{stderr}{}", String::from_utf8_lossy(&output.stdout));
    assert!(!printed.contains("Platform#"), "a password in the clear is never printed");

    let accounts = generated.lines_of("accounts") - bad_in(&generated, "accounts");
    assert_eq!(count(&identity, "accounts").await, accounts as i64);
    assert_eq!(count(&registry, "subjects").await, 200);
    assert_eq!(count(&registry, "holder_changes").await, 200, "each subject entered the registry once");
    assert_eq!(count(&registry, "websites").await, (generated.lines_of("websites") - 2) as i64);
    for db in [&identity, &registry] {
        assert_eq!(count(db, "platform_load_checkpoints").await, 0, "a finished load leaves no checkpoint");
    }
    let before = snapshot(&identity, &registry).await;

    let (_, again) = deployment.run(&export);
    for table in TABLES {
        let good = generated.lines_of(table) - bad_in(&generated, table);
        assert_eq!(loaded_updated_unchanged(&again, table), (0, 0, good), "{table}");
    }
    assert_eq!(snapshot(&identity, &registry).await, before, "a second run changes nothing");

    // a corrected export: one account's email, another's password hash, one subject's holder
    // (to an account that holds none), one website's domains
    edit_line(&export.join("accounts.jsonl"), 1, |row| {
        row["email"] = "Corrected@Platform.Example.com".into()
    });
    let other_hash = line(&export.join("accounts.jsonl"), 3)["password_hash"].clone();
    edit_line(&export.join("accounts.jsonl"), 2, |row| row["password_hash"] = other_hash);
    for (token, account) in [("t1", "P000000000"), ("t2", "P000000001")] {
        sqlx::query(
            "insert into sessions (token_hash, account_id, created_at_ms, expires_at_ms) values ($1, $2, 0, $3)",
        )
        .bind(token)
        .bind(account)
        .bind(i64::MAX)
        .execute(&mut *identity.writer().await.unwrap())
        .await
        .unwrap();
    }
    let spare = "P000000200"; // the first account that holds no subject
    let mut moved = String::new();
    edit_line(&export.join("subjects.jsonl"), 2, |row| {
        moved = row["filing_number"].as_str().unwrap().to_owned();
        row["holder_account_id"] = spare.into();
    });
    edit_line(&export.join("websites.jsonl"), 3, |row| {
        row["domains"] = serde_json::json!(["Corrected.platform.example.cn"]);
    });
    let (_, corrected) = deployment.run(&export);
    for (table, updated) in [("accounts", 2), ("subjects", 1), ("websites", 1)] {
        let good = generated.lines_of(table) - bad_in(&generated, table);
        assert_eq!(loaded_updated_unchanged(&corrected, table), (0, updated, good - updated), "{table}");
    }
    let sessions = rows(&identity, "select account_id from sessions").await;
    assert_eq!(sessions, ["P000000000"], "a new password hash ends the account's sessions, as a reset does");
    let email: String = sqlx::query_scalar("select email from accounts where account_id = 'P000000000'")
        .fetch_one(identity.reader())
        .await
        .unwrap();
    assert_eq!(email, "Corrected@platform.example.com", "stored normalised, as the service does");
    let holder: (String, i64) = sqlx::query_as(
        "select holder_account_id, cast((select count(*) from holder_changes h where h.subject_id = s.subject_id \
         and h.from_account_id is not null) as bigint) from subjects s where filing_number = $1",
    )
    .bind(&moved)
    .fetch_one(registry.reader())
    .await
    .unwrap();
    assert_eq!(holder, (spare.to_owned(), 1), "the new holder, with the change in the history");
    let live: i64 = sqlx::query_scalar(
        "select cast(count(*) as bigint) from website_domains where domain = 'corrected.platform.example.cn'",
    )
    .fetch_one(registry.reader())
    .await
    .unwrap();
    assert_eq!(live, 1, "the website's domains are replaced");
    identity.close().await;
    registry.close().await;
}

#[tokio::test]
async fn a_killed_load_resumes_from_its_checkpoints_and_ends_as_one_clean_load() {
    const SUBJECTS: u64 = 4000;
    let deployment = Deployment::new().await;
    let (identity, registry) = deployment.open().await;
    let (export, generated) = deployment.export(SUBJECTS, 7);

    let mut child = deployment.load(&export).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // killed once filing-registry's part has begun: identity-recovery's is done, and some
    // batches of subjects are committed
    let mut subjects = 0;
    for _ in 0..1500 {
        subjects = count(&registry, "subjects").await;
        if subjects > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let checkpoints = count(&registry, "platform_load_checkpoints").await;
    assert!(
        subjects > 0
            && u64::try_from(count(&registry, "subjects").await).unwrap() < SUBJECTS
            && checkpoints > 0,
        "killed mid-load: {subjects} subjects, {checkpoints} checkpoints"
    );

    let (_, resumed) = deployment.run(&export);
    let total: u64 = generated.lines.iter().map(|(_, n)| n).sum();
    let read = resumed["lines_read_this_run"].as_u64().unwrap();
    assert!(read < total - generated.lines_of("accounts"), "resumed, not restarted: read {read} of {total}");
    for db in [&identity, &registry] {
        assert_eq!(count(db, "platform_load_checkpoints").await, 0, "done");
    }

    let clean = Deployment::new().await;
    let (clean_identity, clean_registry) = clean.open().await;
    let (clean_export, _) = clean.export(SUBJECTS, 7);
    let (_, once) = clean.run(&clean_export);
    assert_eq!(resumed["tables"], once["tables"], "the same counts as one clean load");
    assert_eq!(
        snapshot(&identity, &registry).await,
        snapshot(&clean_identity, &clean_registry).await,
        "the same rows as one clean load"
    );

    let (_, third) = deployment.run(&export);
    for table in TABLES {
        assert_eq!(loaded_updated_unchanged(&third, table).0 + loaded_updated_unchanged(&third, table).1, 0);
    }
    for db in [identity, registry, clean_identity, clean_registry] {
        db.close().await;
    }
}
