//! `beian seed demo`, the real binary, against databases named by URL as a deployment's
//! services take them: the demo set lands, and a second run changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::process::Command;

use beian_platform::storage::DatabaseLocation;

async fn count(location: &DatabaseLocation, open: bool, sql: &str) -> i64 {
    let db = if open {
        identity_recovery::Application::open_database(location).await.unwrap()
    } else {
        filing_registry::Application::open_database(location).await.unwrap()
    };
    let n = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(db.reader()).await.unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn the_demo_set_seeds_a_deployment_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = |service: &str| format!("sqlite://{}/{service}.db?mode=rwc", dir.path().display());
    let seed = || {
        let output = Command::new(env!("CARGO_BIN_EXE_beian"))
            .args(["seed", "demo"])
            .env_clear()
            .env("BEIAN_IDENTITY_RECOVERY_DATABASE_URL", url("identity"))
            .env("BEIAN_FILING_REGISTRY_DATABASE_URL", url("registry"))
            .env("BEIAN_LEGACY_MIGRATION_DATABASE_URL", url("legacy"))
            .env("BEIAN_DATA_DIR", dir.path().join("unused"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = seed();
    let accounts = "select cast(count(*) as bigint) from accounts";
    let subjects = "select cast(count(*) as bigint) from subjects";
    let identity = DatabaseLocation::url(beian_platform::config::Secret::new(url("identity")));
    let registry = DatabaseLocation::url(beian_platform::config::Secret::new(url("registry")));
    let seeded = (count(&identity, true, accounts).await, count(&registry, false, subjects).await);
    assert!(seeded.0 >= 7 && seeded.1 >= 4, "{seeded:?} after: {first}");
    assert!(!dir.path().join("unused").exists(), "every database came from its URL");

    let second = seed();
    assert_eq!(
        (count(&identity, true, accounts).await, count(&registry, false, subjects).await),
        seeded,
        "{second}"
    );
}
