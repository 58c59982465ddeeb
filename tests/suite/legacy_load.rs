//! The bulk load of a legacy dump (`beian legacy load`): counts, idempotence,
//! corrections, rejected rows, resume after a stop, and ClassifyDomain on what
//! it loaded.

use std::path::Path;

use beian_platform::{
    storage::Database,
    testing::{Engine, ScratchDatabases},
};
use beian_proto::{
    common::v1::LegacyAction,
    legacy_migration::v1::{
        ClassifyDomainRequest, legacy_migration_service_client::LegacyMigrationServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use legacy_migration::bulk::{
    LoadOptions, LoadReport, RejectedRow, TableCounts,
    generate::{GenerateOptions, Generated, generate},
    load,
};

const TABLES: [&str; 5] = ["logins", "filings", "websites", "orders", "moves"];

/// A fresh legacy-migration database on the engine under test.
async fn scratch() -> (ScratchDatabases, Database) {
    let engine = Engine::from_env().expect("a known engine");
    let scratch =
        ScratchDatabases::create(&engine, "beian_load", &[legacy_migration::NAME]).await.expect("scratch");
    let db = legacy_migration::Application::open_database(&scratch.location(legacy_migration::NAME).unwrap())
        .await
        .expect("migrated");
    (scratch, db)
}

fn options(batch_size: usize) -> LoadOptions {
    LoadOptions { batch_size, progress: false, ..LoadOptions::default() }
}

fn dump(dir: &Path, filings: u64, bad_rows: u64, gzip: bool) -> Generated {
    generate(dir, &GenerateOptions { filings, seed: 7, bad_rows, gzip }).expect("generated")
}

async fn count(db: &Database, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select cast(count(*) as bigint) from {table}")))
        .fetch_one(db.reader())
        .await
        .expect("counted")
}

fn bad_in(generated: &Generated, table: &str) -> u64 {
    generated.bad_rows.iter().filter(|b| b.file.starts_with(&format!("{table}."))).count() as u64
}

/// Every valid line loaded, every bad one rejected for the generator's reason.
fn assert_first_load(report: &LoadReport, generated: &Generated) {
    for table in TABLES {
        let counts = report.table(table).expect("reported");
        let bad = bad_in(generated, table);
        assert_eq!(counts.read, generated.lines_of(table), "{table}");
        assert_eq!(counts.rejected_total(), bad, "{table}: {counts:?}");
        assert_eq!((counts.loaded, counts.updated, counts.unchanged), (counts.read - bad, 0, 0), "{table}");
    }
}

#[tokio::test]
async fn a_dump_loads_once_and_again_changes_nothing() {
    let (scratch, db) = scratch().await;
    let dir = scratch.dir().join("dump");
    let generated = dump(&dir, 300, 6, false);

    let first = load(&db, &dir, &options(64)).await.expect("loaded");
    assert_first_load(&first, &generated);
    let expected: Vec<RejectedRow> = generated
        .bad_rows
        .iter()
        .map(|b| RejectedRow { file: b.file.clone(), line: b.line, reason: b.reason.to_owned() })
        .collect();
    assert_eq!(first.rejected_rows, expected, "each bad row with its file, line and reason");
    let reasons = &first.table("filings").unwrap().rejected;
    assert_eq!((reasons.get("invalid_date"), reasons.get("unknown_login")), (Some(&1), Some(&1)));
    let written: LoadReport =
        serde_json::from_slice(&std::fs::read(dir.join("load-report.json")).expect("report file"))
            .expect("json");
    assert_eq!(written.tables, first.tables, "the file carries the same reconciliation");

    let logins = generated.lines_of("logins") - bad_in(&generated, "logins");
    assert_eq!(count(&db, "legacy_logins").await, logins as i64);
    assert_eq!(count(&db, "legacy_filings").await, 300);
    assert_eq!(count(&db, "legacy_websites").await, (generated.lines_of("websites") - 1) as i64);
    let moved: i64 =
        sqlx::query_scalar("select cast(count(*) as bigint) from legacy_filings where moved_away = 1")
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(moved as u64, generated.lines_of("moves"));
    let with_orders: i64 =
        sqlx::query_scalar("select cast(sum(orders_in_progress) as bigint) from legacy_logins")
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(with_orders as u64, generated.lines_of("orders") - 1, "counts follow the loaded orders");

    let again = load(&db, &dir, &options(64)).await.expect("loaded again");
    for table in TABLES {
        let counts = again.table(table).unwrap();
        let bad = bad_in(&generated, table);
        assert_eq!((counts.loaded, counts.updated, counts.unchanged), (0, 0, counts.read - bad), "{table}");
    }
    assert_eq!(count(&db, "legacy_logins").await, logins as i64);
    assert_eq!(count(&db, "legacy_load_checkpoints").await, 0, "a finished load leaves no checkpoint");
    db.close().await;
}

/// Rewrites line `number` (1-based) of a dump file through `change`.
fn edit_line(path: &Path, number: usize, change: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut row: serde_json::Value = serde_json::from_str(&lines[number - 1]).unwrap();
    change(&mut row);
    lines[number - 1] = row.to_string();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[tokio::test]
async fn a_corrected_export_updates_only_the_rows_that_changed() {
    let (scratch, db) = scratch().await;
    let dir = scratch.dir().join("dump");
    let generated = dump(&dir, 120, 0, false);
    load(&db, &dir, &options(50)).await.expect("loaded");

    edit_line(&dir.join("logins.jsonl"), 2, |row| row["login_email"] = "Corrected@Legacy.Example.com".into());
    edit_line(&dir.join("filings.jsonl"), 3, |row| row["name"] = "更正后的名称".into());
    let mut website = String::new();
    edit_line(&dir.join("websites.jsonl"), 4, |row| {
        website = row["website_number"].as_str().unwrap().to_owned();
        row["domains"] = serde_json::json!(["Corrected-Site.example.cn", "second.example.cn"]);
    });
    let report = load(&db, &dir, &options(50)).await.expect("reloaded");
    for (table, updated) in [("logins", 1), ("filings", 1), ("websites", 1), ("orders", 0), ("moves", 0)] {
        let counts: &TableCounts = report.table(table).unwrap();
        assert_eq!(
            (counts.loaded, counts.updated, counts.unchanged),
            (0, updated, generated.lines_of(table) - updated),
            "{table}"
        );
    }
    let key: String =
        sqlx::query_scalar("select login_email_key from legacy_logins where legacy_login_id = $1")
            .bind("L000000001")
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(key, "corrected@legacy.example.com");
    let mut domains: Vec<String> =
        sqlx::query_scalar("select domain from legacy_domains where website_number = $1")
            .bind(website)
            .fetch_all(db.reader())
            .await
            .unwrap();
    domains.sort();
    assert_eq!(domains, ["corrected-site.example.cn", "second.example.cn"], "the domains are replaced");
    db.close().await;
}

#[tokio::test]
async fn a_stopped_load_resumes_from_its_checkpoint_without_duplicates() {
    let (scratch, db) = scratch().await;
    let dir = scratch.dir().join("dump");
    // gzip: a resumed gzip file is read again up to its checkpoint line
    let generated = dump(&dir, 200, 6, true);

    let stopped = LoadOptions { stop_after_batches: Some(5), ..options(40) };
    let error = load(&db, &dir, &stopped).await.expect_err("stopped");
    assert!(error.to_string().contains("stopped after 5 batches"), "{error:#}");
    assert_eq!(count(&db, "legacy_logins").await, 200 - 2, "five batches of 40 lines, two of them bad");
    let line: i64 = sqlx::query_scalar("select line from legacy_load_checkpoints where file = 'logins'")
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert_eq!(line, 200, "the checkpoint is where the committed batches end");

    let resumed = load(&db, &dir, &options(40)).await.expect("resumed");
    assert_first_load(&resumed, &generated);
    assert_eq!(resumed.lines_read_this_run, generated.lines.iter().map(|(_, n)| n).sum::<u64>() - 200);
    let logins = generated.lines_of("logins") - bad_in(&generated, "logins");
    assert_eq!(count(&db, "legacy_logins").await, logins as i64);
    assert_eq!(count(&db, "legacy_filings").await, 200);
    assert_eq!(count(&db, "legacy_websites").await, (generated.lines_of("websites") - 1) as i64);

    let again = load(&db, &dir, &options(40)).await.expect("loaded again");
    assert_eq!(again.table("logins").unwrap().unchanged, logins, "nothing doubled or changed");
    db.close().await;
}

#[tokio::test]
async fn classify_domain_answers_for_loaded_domains() {
    let suite = TestSuite::start().await;
    let dir = suite.scratch().dir().join("dump");
    dump(&dir, 60, 0, false);
    let db = legacy_migration::Application::open_database(
        &suite.scratch().location(legacy_migration::NAME).expect("legacy-migration's database"),
    )
    .await
    .expect("opened");
    load(&db, &dir, &options(25)).await.expect("loaded");
    db.close().await;

    let rows = |file: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let moved: Vec<String> =
        rows("moves.jsonl").iter().map(|m| m["filing_number"].as_str().unwrap().to_owned()).collect();
    let filings = rows("filings.jsonl");
    let mut legacy =
        LegacyMigrationServiceClient::new(suite.channel(suite.addresses().legacy_migration).await);
    let mut seen = std::collections::HashSet::new();
    for website in rows("websites.jsonl") {
        let filing_number = website["filing_number"].as_str().unwrap();
        let filing = filings.iter().find(|f| f["filing_number"] == filing_number).unwrap();
        let submitted = filing["submitted_on"].as_str().unwrap();
        let expected = if submitted < "2010-06-01" {
            if moved.iter().any(|m| m == filing_number) {
                LegacyAction::MovedAway
            } else {
                LegacyAction::Claim
            }
        } else if submitted <= "2017-01-31" {
            LegacyAction::Import
        } else {
            LegacyAction::None
        };
        let domain = website["domains"][0].as_str().unwrap();
        let reply = legacy
            .classify_domain(with_credential(&suite, ClassifyDomainRequest { domain: domain.into() }))
            .await
            .unwrap_or_else(|e| panic!("{domain}: {e}"))
            .into_inner();
        assert!(reply.found, "{domain}");
        assert_eq!(reply.action, expected as i32, "{domain} submitted {submitted}");
        assert!(
            reply.masked_legacy_email.ends_with("***@legacy.example.com"),
            "{}",
            reply.masked_legacy_email
        );
        seen.insert(expected as i32);
    }
    for action in [LegacyAction::Claim, LegacyAction::Import, LegacyAction::MovedAway] {
        assert!(seen.contains(&(action as i32)), "the dump covers {action:?}");
    }
    suite.stop().await;
}
