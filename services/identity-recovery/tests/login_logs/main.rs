//! Logins log neither login names nor passwords, known or not, locked or not. Its own
//! test binary: it installs a log subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

#[path = "../api/support.rs"]
#[allow(dead_code, unused_imports, reason = "shared with the api tests; this binary uses part of it")]
mod support;

use std::time::Duration;

use beian_platform::{config::Secret, testing::CapturedLogs};
use beian_proto::identity_recovery::v1::LoginRequest;
use identity_recovery::{accounts::Site, seed::SeedAccount};
use support::{NOWHERE, TestApp};

const PASSWORD: &str = "Demo#2026pass";
const WRONG: &str = "Wrong#2026pass";
const UNKNOWN: &str = "nobody-here-2026";

fn attempt(login_name: &str, password: &str) -> LoginRequest {
    LoginRequest {
        login_name: login_name.into(),
        password: password.into(),
        client_ip: "203.0.113.7".into(),
        locale: String::new(),
    }
}

// current_thread: the service logs on this thread, to this test's subscriber
#[tokio::test(flavor = "current_thread")]
async fn logins_log_no_login_name_and_no_password() {
    let captured = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,h2=info,hyper=info,hyper_util=info,tower=info,sqlx=info",
        ))
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::start_configured(NOWHERE, Secret::generate(), |s| {
        s.login.guard.failure_factor = 2;
        s.login.guard.wait_increment = Duration::from_secs(1);
    })
    .await;
    identity_recovery::seed::insert_accounts(
        app.database(),
        &[SeedAccount {
            account_id: "acc-zhang",
            login_name: "zhangwei2019",
            site: Site::Cn,
            mobile: "13912345678",
            email: "zhangwei@example.com",
            password: PASSWORD,
            staff: false,
        }],
    )
    .await
    .expect("seed account");
    let mut client = app.client().await;
    for (name, password) in
        [("zhangwei2019", WRONG), ("zhangwei2019", WRONG), ("zhangwei2019", PASSWORD), (UNKNOWN, WRONG)]
    {
        let _ = client.login(app.request(attempt(name, password))).await;
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    client.login(app.request(attempt("zhangwei2019", PASSWORD))).await.expect("logged in");
    app.stop().await;
    let logs = captured.text();
    assert!(logs.contains("login refused and locked"), "the logins were logged");
    for secret in ["zhangwei2019", UNKNOWN, PASSWORD, WRONG] {
        let line = logs.lines().find(|line| line.contains(secret));
        assert!(line.is_none(), "{secret} in the logs: {line:?}");
    }
}
