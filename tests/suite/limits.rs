//! The shared tower stack through the real suite: a request past its time is
//! DEADLINE_EXCEEDED, and one beyond the concurrency limit is shed with
//! RESOURCE_EXHAUSTED. A login is slow enough for both: it hashes with Argon2.

use std::time::Duration;

use beian_proto::gateway::v1::{LoginRequest, account_service_client::AccountServiceClient};
use beian_tests::TestSuite;
use tonic::Code;
use tonic_types::StatusExt;

use crate::reason;

fn login() -> LoginRequest {
    LoginRequest { login_name: "nobody".into(), password: "whatever".into() }
}

#[tokio::test]
async fn a_request_past_its_time_is_deadline_exceeded() {
    let suite = TestSuite::start_with(|s| s.request_timeout = Duration::from_millis(1)).await;
    let mut gateway = AccountServiceClient::new(suite.gateway().await);
    let status = gateway.login(login()).await.expect_err("times out");
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(reason(&status), "DEADLINE_EXCEEDED");
    suite.stop().await;
}

#[tokio::test]
async fn requests_beyond_the_limit_are_shed() {
    let suite = TestSuite::start_with(|s| s.concurrency_limit = 1).await;
    let gateway = AccountServiceClient::new(suite.gateway().await);
    let calls = (0..8).map(|_| {
        let mut gateway = gateway.clone();
        async move { gateway.login(login()).await.expect_err("no such login") }
    });
    let statuses = futures::future::join_all(calls).await;

    let shed: Vec<_> = statuses.iter().filter(|s| s.code() == Code::ResourceExhausted).collect();
    assert!(!shed.is_empty(), "nothing was shed: {statuses:?}");
    for status in &shed {
        assert_eq!(reason(status), "OVERLOADED");
        assert!(status.get_details_retry_info().is_some_and(|r| r.retry_delay.is_some()));
    }
    assert!(
        statuses.iter().any(|s| s.code() == Code::Unauthenticated && reason(s) == "LOGIN_FAILED"),
        "no request went through: {statuses:?}"
    );
    suite.stop().await;
}
