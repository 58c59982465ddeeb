//! Login through the gateway cannot be guessed at: a lock (ACCOUNT_LOCKED with RetryInfo)
//! that an unknown name gets alike, a notice to the locked account's mobile and email
//! through the real outbox, and the per-client cap counted under the address the
//! gateway resolved.

use std::time::Duration;

use beian_proto::gateway::v1::{LoginRequest, account_service_client::AccountServiceClient};
use beian_tests::TestSuite;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

use crate::{messages, reason};

fn attempt(login_name: &str, password: &str, forwarded_for: Option<&str>) -> Request<LoginRequest> {
    let mut request = Request::new(LoginRequest { login_name: login_name.into(), password: password.into() });
    if let Some(client) = forwarded_for {
        request.metadata_mut().insert("x-forwarded-for", client.parse().expect("ascii"));
    }
    request
}

async fn refused(suite: &TestSuite, request: Request<LoginRequest>) -> Status {
    AccountServiceClient::new(suite.gateway().await).login(request).await.expect_err("refused")
}

fn is_lock_notice(message: &serde_json::Value) -> bool {
    message["template"] == "ACCOUNT_LOCKED"
}

#[tokio::test]
async fn a_lock_passes_through_the_gateway_and_notifies_the_account_once() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.login.guard.failure_factor = 3;
    })
    .await;
    for login_name in ["zhangwei2019", "no-such-user-2026"] {
        for _ in 0..2 {
            let status = refused(&suite, attempt(login_name, "Wrong#2026pass", None)).await;
            assert_eq!(reason(&status), "LOGIN_FAILED");
        }
        let locked = refused(&suite, attempt(login_name, "Wrong#2026pass", None)).await;
        assert_eq!(reason(&locked), "ACCOUNT_LOCKED", "{login_name}");
        assert_eq!(locked.code(), Code::ResourceExhausted);
        let delay = locked.get_details_retry_info().and_then(|info| info.retry_delay).expect("RetryInfo");
        assert!((59..=60).contains(&delay.as_secs()), "{delay:?}");
        assert_eq!(messages(&locked).0, "频繁尝试，已临时锁定，请稍后再试");
        // the right password waits too
        let still = refused(&suite, attempt(login_name, beian::demo::ACCOUNT_PASSWORD, None)).await;
        assert_eq!(reason(&still), "ACCOUNT_LOCKED");
    }
    let notices = suite.wait_for_messages(2, is_lock_notice).await;
    let mut destinations: Vec<&str> = notices.iter().filter_map(|m| m["destination"].as_str()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, ["15212341234", "zhang.wei@example.com"]);
    assert!(notices.iter().all(|m| m["text"].as_str().is_some_and(|t| t.contains("zh***9"))));
    // the unknown name's lock sends nothing, and nothing is sent twice
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(suite.messages().into_iter().filter(is_lock_notice).count(), 2);
    suite.stop().await;
}

#[tokio::test]
async fn the_client_cap_counts_the_address_the_gateway_resolved() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.trusted_proxies = gateway::TrustedProxies::parse("127.0.0.1/32").expect("CIDR");
        s.login.guard.client_failures_per_window = 2;
    })
    .await;
    for login_name in ["zhangwei2019", "hangzhou-tea"] {
        let status = refused(&suite, attempt(login_name, "Wrong#2026pass", Some("203.0.113.1"))).await;
        assert_eq!(reason(&status), "LOGIN_FAILED");
    }
    let capped = refused(&suite, attempt("lisi-new", "Wrong#2026pass", Some("203.0.113.1"))).await;
    assert_eq!(reason(&capped), "CLIENT_LIMIT");
    assert!(capped.get_details_retry_info().is_some());
    // another client behind the same proxy is not concerned
    let other = refused(&suite, attempt("lisi-new", "Wrong#2026pass", Some("198.51.100.2"))).await;
    assert_eq!(reason(&other), "LOGIN_FAILED");
    suite.stop().await;
}
