//! Scratch databases go with the test that made them, even when it panics.

use beian_tests::{Engine, TestSuite};
use sqlx::{AnyConnection, Connection};

#[tokio::test]
async fn a_panicking_test_leaves_no_database_behind() {
    let Engine::Postgres { admin_url } = Engine::from_env().unwrap() else {
        eprintln!("skipped: scratch databases are files on SQLite; BEIAN_TEST_DATABASE=postgres runs it");
        return;
    };
    let (names_tx, names_rx) = std::sync::mpsc::channel();
    // a test of its own: a thread with its own runtime, which panics while the suite serves
    let panicked = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let suite = TestSuite::start().await;
            names_tx.send(suite.scratch().postgres_names().to_vec()).unwrap();
            panic!("a failing assertion while the suite holds its databases");
        })
    })
    .join();
    assert!(panicked.is_err(), "the test thread panicked");
    let names = names_rx.recv().unwrap();
    assert_eq!(names.len(), 5, "one database per service: {names:?}");

    sqlx::any::install_default_drivers();
    let mut admin = AnyConnection::connect(&admin_url).await.unwrap();
    for name in &names {
        let left: i64 =
            sqlx::query_scalar("select cast(count(*) as bigint) from pg_database where datname = $1")
                .bind(name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        assert_eq!(left, 0, "{name} outlived the panicking test");
    }
}
