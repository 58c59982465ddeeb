//! Personal data and secrets stay out of the service's logs: during a send,
//! a wrong and a right check and a redemption, at the most verbose level,
//! neither the code nor the full mobile appears. Its own binary: it installs
//! the process-wide tracing subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

#[path = "../common/mod.rs"]
mod common;

use beian_platform::testing::{CapturedLogs as Captured, holds_number};
use beian_proto::verification_codes::v1 as pb;
use common::{TestDatabase, TestService, WirePurpose};

#[tokio::test]
async fn logs_hold_neither_codes_nor_full_mobiles() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(captured.clone())
        .without_time()
        .with_ansi(false)
        .init();

    const MOBILE: &str = "13812345678";
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let request = common::sms_request(MOBILE, WirePurpose::AccountLookup, "198.51.100.99");
    let sent = service.public().send_code(request.clone()).await.expect("sent").into_inner();
    service.public().send_code(request).await.expect("retried");
    let code = service.code_sent_to(MOBILE).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let check = |digits: &str| pb::CheckCodeRequest {
        request_id: "logs-check-1".into(),
        code_id: sent.code_id.clone(),
        code: digits.to_owned(),
        client_ip: "198.51.100.99".into(),
    };
    service.public().check_code(check(&wrong)).await.expect_err("wrong");
    let proof = service.public().check_code(check(&code)).await.expect("right").into_inner().proof;
    service.public().check_code(check(&code)).await.expect("retried");
    service
        .internal()
        .redeem_proof(pb::RedeemProofRequest {
            proof: proof.clone(),
            purpose: WirePurpose::AccountLookup as i32,
            destination: MOBILE.into(),
            redemption_key: String::new(),
            notices: Vec::new(),
        })
        .await
        .expect("redeemed");
    service.stop().await;
    db.remove().await;

    let logs = captured.text();
    assert!(logs.contains("138****5678"), "the masked mobile is logged, so logs were captured");
    assert!(logs.contains("code queued for delivery") && logs.contains("message delivered"));
    assert!(logs.contains("code request retried") && logs.contains("code check retried"));
    assert!(!logs.contains(MOBILE), "the full mobile leaked");
    assert!(!holds_number(&logs, &code), "the code leaked");
    assert!(!holds_number(&logs, &wrong), "the typed code leaked");
    assert!(!logs.contains(&proof), "the proof leaked");
}
