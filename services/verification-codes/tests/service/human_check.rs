//! Slider challenges: pass, fail, tolerance, single use, expiry, rate limit.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1::{self as pb, answer_human_check_request::Answer};

use crate::common::{TestDatabase, TestService, field, reason, retry_delay};

const CLIENT: &str = "203.0.113.10";

async fn new_challenge(service: &TestService, client_ip: &str) -> (pb::CreateHumanCheckResponse, i64) {
    let challenge = service
        .public()
        .create_human_check(pb::CreateHumanCheckRequest { client_ip: client_ip.into() })
        .await
        .expect("a challenge")
        .into_inner();
    let answer_x = service
        .scalar_i64("select answer_x from human_checks where challenge_id = $1", &challenge.challenge_id)
        .await;
    (challenge, answer_x)
}

fn slider(challenge_id: &str, x: i64, drag_millis: i32) -> pb::AnswerHumanCheckRequest {
    pb::AnswerHumanCheckRequest {
        client_ip: CLIENT.into(),
        answer: Some(Answer::Slider(pb::SliderAnswer {
            challenge_id: challenge_id.into(),
            x: i32::try_from(x).unwrap(),
            drag_millis,
        })),
    }
}

fn redeem(pass_token: &str) -> pb::RedeemHumanCheckPassRequest {
    pb::RedeemHumanCheckPassRequest { pass_token: pass_token.into() }
}

#[tokio::test]
async fn a_right_answer_yields_a_pass_that_works_once() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let (challenge, answer_x) = new_challenge(&service, CLIENT).await;
    assert_eq!((challenge.width, challenge.height), (320, 160));
    assert!(challenge.background_png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(challenge.piece_png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(challenge.piece_y >= 0 && challenge.piece_y < 160);
    assert!(challenge.expire_time.is_some());

    // 5 px off is within the tolerance.
    let pass = service.public().answer_human_check(slider(&challenge.challenge_id, answer_x + 5, 700)).await;
    let pass = pass.expect("passes").into_inner();
    assert_eq!(pass.pass_token.len(), 64);
    assert!(pass.expire_time.is_some());

    service.internal().redeem_human_check_pass(redeem(&pass.pass_token)).await.expect("redeems once");
    let again =
        service.internal().redeem_human_check_pass(redeem(&pass.pass_token)).await.expect_err("spent");
    assert_eq!(reason(&again), ErrorReason::HumanCheckExpired);
    let replay = service.public().answer_human_check(slider(&challenge.challenge_id, answer_x, 700)).await;
    assert_eq!(reason(&replay.expect_err("single use")), ErrorReason::HumanCheckExpired);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn wrong_or_hasty_answers_fail_and_use_the_challenge_up() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let (challenge, answer_x) = new_challenge(&service, CLIENT).await;
    let off = service.public().answer_human_check(slider(&challenge.challenge_id, answer_x + 6, 700)).await;
    assert_eq!(reason(&off.expect_err("6 px off")), ErrorReason::HumanCheckFailed);
    let right = service.public().answer_human_check(slider(&challenge.challenge_id, answer_x, 700)).await;
    assert_eq!(reason(&right.expect_err("used up by the wrong answer")), ErrorReason::HumanCheckExpired);

    let (challenge, answer_x) = new_challenge(&service, CLIENT).await;
    let hasty = service.public().answer_human_check(slider(&challenge.challenge_id, answer_x, 99)).await;
    assert_eq!(reason(&hasty.expect_err("too fast")), ErrorReason::HumanCheckFailed);

    let unknown = service.public().answer_human_check(slider("no-such-challenge", 100, 700)).await;
    assert_eq!(reason(&unknown.expect_err("unknown")), ErrorReason::HumanCheckExpired);
    let unknown = service.internal().redeem_human_check_pass(redeem("no-such-pass")).await;
    assert_eq!(reason(&unknown.expect_err("unknown")), ErrorReason::HumanCheckExpired);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn challenges_and_passes_expire() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.challenge_ttl = Duration::from_millis(300);
        s.policy.pass_ttl = Duration::from_millis(300);
    })
    .await;
    let (late, late_x) = new_challenge(&service, CLIENT).await;
    let (prompt, prompt_x) = new_challenge(&service, CLIENT).await;
    let pass = service.public().answer_human_check(slider(&prompt.challenge_id, prompt_x, 500)).await;
    let pass = pass.expect("passes in time").into_inner();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = service.public().answer_human_check(slider(&late.challenge_id, late_x, 500)).await;
    assert_eq!(reason(&expired.expect_err("too late")), ErrorReason::HumanCheckExpired);
    let expired = service.internal().redeem_human_check_pass(redeem(&pass.pass_token)).await;
    assert_eq!(reason(&expired.expect_err("pass too old")), ErrorReason::HumanCheckExpired);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn challenges_are_rate_limited_per_client() {
    crate::common::fresh_window(Duration::from_secs(60)).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.policy.challenges_per_client_per_minute = 3).await;
    for _ in 0..3 {
        new_challenge(&service, CLIENT).await;
    }
    let refused = service
        .public()
        .create_human_check(pb::CreateHumanCheckRequest { client_ip: CLIENT.into() })
        .await
        .expect_err("fourth in a minute");
    assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    let delay = retry_delay(&refused);
    let window_end = crate::common::until_window_end(Duration::from_secs(60));
    assert!(
        delay <= window_end + Duration::from_secs(1) && delay + Duration::from_secs(10) > window_end,
        "{delay:?}"
    );
    // Another client is not affected.
    new_challenge(&service, "203.0.113.11").await;
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_vendor_token_is_refused_when_the_slider_is_configured() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let request = pb::AnswerHumanCheckRequest {
        client_ip: CLIENT.into(),
        answer: Some(Answer::VendorToken("token".into())),
    };
    let refused = service.public().answer_human_check(request).await.expect_err("slider mode");
    assert_eq!(reason(&refused), ErrorReason::InvalidArgument);
    assert_eq!(field(&refused), "vendor_token");
    service.stop().await;
    db.remove().await;
}
