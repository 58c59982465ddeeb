//! The captcha vendor adapter against a fake vendor on 127.0.0.1.

use std::time::Duration;

use beian_platform::{config::Secret, status::ErrorReason};
use beian_proto::verification_codes::v1::{self as pb, answer_human_check_request::Answer};
use tonic::Code;
use verification_codes::{HumanCheckSettings, VendorSettings};

use crate::common::{TestDatabase, TestService, field, http, reason};

fn vendor_at(url: String) -> HumanCheckSettings {
    HumanCheckSettings::Vendor(VendorSettings {
        url,
        secret: Secret::new("vendor-secret"),
        timeout: Duration::from_secs(2),
    })
}

fn token(value: &str) -> pb::AnswerHumanCheckRequest {
    pb::AnswerHumanCheckRequest {
        client_ip: "203.0.113.20".into(),
        answer: Some(Answer::VendorToken(value.into())),
    }
}

#[tokio::test]
async fn vendor_verdicts_decide_and_the_secret_stays_server_side() {
    let (addr, requests) = http::serve(|n| match n {
        0 => (200, r#"{"success": true, "hostname": "example.com"}"#),
        1 => (200, r#"{"success": false, "error-codes": ["invalid-input-response"]}"#),
        2 => (500, r#"{"error": "down"}"#),
        _ => (200, "not json"),
    })
    .await;
    let db = TestDatabase::fresh().await;
    let service =
        TestService::start_with(&db, |s| s.human_check = vendor_at(format!("http://{addr}/siteverify")))
            .await;

    let pass = service.public().answer_human_check(token("good-token")).await.expect("vouched").into_inner();
    service
        .internal()
        .redeem_human_check_pass(pb::RedeemHumanCheckPassRequest { pass_token: pass.pass_token })
        .await
        .expect("the pass works");
    let first = requests.lock().unwrap()[0].clone();
    assert_eq!(first.path, "/siteverify");
    assert_eq!(first.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(first.form("secret").as_deref(), Some("vendor-secret"));
    assert_eq!(first.form("response").as_deref(), Some("good-token"));
    assert_eq!(first.form("remoteip").as_deref(), Some("203.0.113.20"));

    let refused = service.public().answer_human_check(token("bad-token")).await.expect_err("refused");
    assert_eq!(reason(&refused), ErrorReason::HumanCheckFailed);
    for answer in ["vendor answers 500", "vendor answers nonsense"] {
        let down = service.public().answer_human_check(token("any")).await.expect_err(answer);
        assert_eq!(reason(&down), ErrorReason::DependencyUnavailable, "{answer}");
        assert_eq!(down.code(), Code::Unavailable);
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_dependency_failure() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let db = TestDatabase::fresh().await;
    let service =
        TestService::start_with(&db, |s| s.human_check = vendor_at(format!("http://{closed}/"))).await;
    let down = service.public().answer_human_check(token("any")).await.expect_err("nobody listens");
    assert_eq!(reason(&down), ErrorReason::DependencyUnavailable);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_slider_is_not_offered_when_a_vendor_is_configured() {
    let db = TestDatabase::fresh().await;
    let service =
        TestService::start_with(&db, |s| s.human_check = vendor_at("http://127.0.0.1:9/".into())).await;
    let create = service
        .public()
        .create_human_check(pb::CreateHumanCheckRequest { client_ip: "203.0.113.20".into() })
        .await
        .expect_err("no slider");
    assert_eq!(reason(&create), ErrorReason::NotImplemented);
    let slider = pb::AnswerHumanCheckRequest {
        client_ip: "203.0.113.20".into(),
        answer: Some(Answer::Slider(pb::SliderAnswer { challenge_id: "c".into(), x: 10, drag_millis: 500 })),
    };
    let refused = service.public().answer_human_check(slider).await.expect_err("vendor mode");
    assert_eq!(reason(&refused), ErrorReason::InvalidArgument);
    assert_eq!(field(&refused), "slider");
    service.stop().await;
    db.remove().await;
}
