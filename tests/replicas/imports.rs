//! Legacy imports through the gateways: legacy login `i` holds one filing of 2012 (the
//! import band), imported into the empty account `load-target-<i>` by its holder. The
//! saga (PENDING migration → AdoptLegacySubject keyed by the migration id → DONE) is
//! driven by the request; a PENDING row whose driver died is taken over by the resume
//! worker once its lease runs out.

use std::time::Duration;

use beian_load::seed;
use beian_platform::storage::Database;
use beian_proto::gateway::v1::{
    ImportLegacyFilingRequest, ImportLegacyFilingResponse,
    legacy_filing_service_client::LegacyFilingServiceClient,
};
use legacy_migration::{
    saga::{Migration, State, store as migrations},
    seed::{SeedFiling, SeedLogin},
};
use sqlx::Row;
use tonic::{Status, transport::Channel};

use crate::bearer;

const PASSWORD: &str = "Legacy#2012pass";

/// Where the legacy filings are (province, city, district).
pub const SHANGHAI: [&str; 3] = ["310000", "310100", "310104"];

fn email(i: usize) -> String {
    format!("replica-{i}@legacy.example.com")
}

fn filing_number(i: usize) -> String {
    format!("沪ICP备1200{i:04}号")
}

pub fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A legacy login of `PASSWORD` holding one filing of an individual in Shanghai, submitted
/// on `submitted_on`, with one website of `domain`.
pub fn legacy_login(
    login: &str,
    filing_number: String,
    certificate_number: String,
    submitted_on: &'static str,
    domain: String,
) -> SeedLogin {
    let number = leak(filing_number);
    SeedLogin {
        legacy_login_id: leak(format!("replica-login-{login}")),
        login_email: leak(format!("replica-{login}@legacy.example.com")),
        password: PASSWORD,
        activated: true,
        orders_in_progress: 0,
        filings: vec![SeedFiling {
            filing_number: number,
            name: "孙小店",
            nature: "INDIVIDUAL",
            region: SHANGHAI,
            certificate_type: "RESIDENT_ID_CARD",
            certificate_number: leak(certificate_number),
            principal_name: "孙小店",
            principal_mobile: "13300005555",
            principal_email: "legacy.owner@example.com",
            submitted_on,
            moved_away: false,
            websites: vec![(leak(format!("{number}-1")), "孙小店", vec![leak(domain)])],
            migrated: None,
        }],
    }
}

/// Legacy logins `0..count`, each with one filing of 2012 (the import band).
pub async fn seed_logins(db: &Database, count: usize) {
    let logins: Vec<SeedLogin> = (0..count)
        .map(|i| {
            legacy_login(
                &i.to_string(),
                filing_number(i),
                format!("31010419770707{i:04}"),
                "2012-05-20",
                format!("replica-legacy-{i}.com.cn"),
            )
        })
        .collect();
    assert_eq!(legacy_migration::seed::insert_logins(db, &logins).await.unwrap(), count);
}

pub async fn import(
    gateway: Channel,
    session: String,
    i: usize,
) -> Result<ImportLegacyFilingResponse, Status> {
    LegacyFilingServiceClient::new(gateway)
        .import_legacy_filing(bearer(
            ImportLegacyFilingRequest { legacy_login_email: email(i), legacy_password: PASSWORD.into() },
            &session,
        ))
        .await
        .map(tonic::Response::into_inner)
}

/// Migrations whose saga has not finished.
pub async fn pending(legacy_db: &Database) -> i64 {
    sqlx::query("select count(*) as n from migrations where state = 'PENDING'")
        .fetch_one(legacy_db.reader())
        .await
        .unwrap()
        .get("n")
}

/// Waits (up to 30 s) until no migration is PENDING.
pub async fn wait_until_none_pending(legacy_db: &Database) {
    for _ in 0..600 {
        if pending(legacy_db).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} migrations stayed PENDING", pending(legacy_db).await);
}

/// Import `i` landed once: its migration DONE for the importing account, one subject of
/// that filing number held by the account, one holder change (from nobody, keyed by the
/// migration), and `answer` (a retry's) naming that import.
pub async fn assert_imported_once(
    legacy_db: &Database,
    registry_db: &Database,
    i: usize,
    answer: &ImportLegacyFilingResponse,
) {
    let done =
        migrations::by_filing(legacy_db.reader(), &filing_number(i)).await.unwrap().expect("a migration");
    assert_eq!((done.state, done.account_id.as_str()), (State::Done, seed::target_account_id(i).as_str()));
    assert_landed_once(registry_db, &done, "import").await;
    assert_eq!(answer.filing_number, filing_number(i));
    assert_eq!(
        answer.import_time.as_ref().map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000),
        Some(done.created_at_ms),
        "import {i}: the answer is the recorded import"
    );
}

/// A DONE migration landed once in filing-registry: one subject of its filing number, held
/// by its account, with one holder change (from nobody, keyed by the migration, for
/// `reason`).
pub async fn assert_landed_once(registry_db: &Database, done: &Migration, reason: &str) {
    assert_eq!(done.state, State::Done, "{done:?}");
    let subjects: Vec<(String, Option<String>)> =
        sqlx::query("select subject_id, holder_account_id from subjects where filing_number = $1")
            .bind(&done.filing_number)
            .fetch_all(registry_db.reader())
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get("subject_id"), row.get("holder_account_id")))
            .collect();
    let subject_id = done.subject_id.clone().expect("a subject");
    assert_eq!(subjects, [(subject_id.clone(), Some(done.account_id.clone()))], "{done:?}");
    let changes: Vec<(Option<String>, Option<String>, String)> = sqlx::query(
        "select from_account_id, idempotency_key, reason from holder_changes where subject_id = $1",
    )
    .bind(&subject_id)
    .fetch_all(registry_db.reader())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("from_account_id"), row.get("idempotency_key"), row.get("reason")))
    .collect();
    let key = format!("adopt:{}", done.migration_id);
    assert_eq!(changes, [(None, Some(key), reason.to_owned())], "{done:?}: one holder change");
}
