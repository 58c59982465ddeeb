//! Every malformed field is INVALID_ARGUMENT with a BadRequest naming it,
//! and nothing is sent without the suite credential.

use std::collections::HashMap;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1::{self as pb, NoticeTemplate, answer_human_check_request::Answer};
use tonic::{Code, Status};

use crate::common::{TestDatabase, TestService, WireChannel, WirePurpose, field, reason};

fn assert_names(result: Result<impl std::fmt::Debug, Status>, expected: &str) {
    let status = result.expect_err(expected);
    assert_eq!(status.code(), Code::InvalidArgument, "{expected}: {status:?}");
    assert_eq!(reason(&status), ErrorReason::InvalidArgument, "{expected}");
    assert_eq!(field(&status), expected);
}

fn send() -> pb::SendCodeRequest {
    pb::SendCodeRequest {
        request_id: "send-1".into(),
        channel: WireChannel::Sms as i32,
        destination: "13500000001".into(),
        purpose: WirePurpose::AccountLookup as i32,
        client_ip: "198.51.100.1".into(),
        locale: "zh-CN".into(),
        decoy: false,
    }
}

fn notice() -> pb::EnqueueNoticeRequest {
    pb::EnqueueNoticeRequest {
        idempotency_key: "k-1".into(),
        channel: WireChannel::Email as i32,
        destination: "user@example.com".into(),
        template: NoticeTemplate::LoginName as i32,
        locale: "en".into(),
        params: HashMap::from([("login_name".into(), "zhangwei2019".into())]),
    }
}

#[tokio::test]
async fn send_code_names_each_bad_field() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let mut public = service.public();
    let cases: Vec<(&str, pb::SendCodeRequest)> = vec![
        ("channel", pb::SendCodeRequest { channel: 0, ..send() }),
        ("channel", pb::SendCodeRequest { channel: 7, ..send() }),
        ("destination", pb::SendCodeRequest { destination: "12345".into(), ..send() }),
        ("destination", pb::SendCodeRequest { destination: "user@example.com".into(), ..send() }),
        (
            "destination",
            pb::SendCodeRequest {
                channel: WireChannel::Email as i32,
                destination: "not-an-email".into(),
                ..send()
            },
        ),
        ("purpose", pb::SendCodeRequest { purpose: 0, ..send() }),
        ("purpose", pb::SendCodeRequest { purpose: 99, ..send() }),
        ("client_ip", pb::SendCodeRequest { client_ip: String::new(), ..send() }),
        ("client_ip", pb::SendCodeRequest { client_ip: "unknown".into(), ..send() }),
        ("locale", pb::SendCodeRequest { locale: "fr".into(), ..send() }),
        ("request_id", pb::SendCodeRequest { request_id: " ".into(), ..send() }),
        ("request_id", pb::SendCodeRequest { request_id: "r".repeat(129), ..send() }),
    ];
    for (expected, request) in cases {
        assert_names(public.send_code(request).await, expected);
    }
    let check = |code_id: &str, code: &str, client_ip: &str| pb::CheckCodeRequest {
        request_id: "check-1".into(),
        code_id: code_id.into(),
        code: code.into(),
        client_ip: client_ip.into(),
    };
    assert_names(public.check_code(check("", "123456", "198.51.100.1")).await, "code_id");
    assert_names(public.check_code(check(&"x".repeat(129), "123456", "198.51.100.1")).await, "code_id");
    assert_names(public.check_code(check("c", "12345", "198.51.100.1")).await, "code");
    assert_names(public.check_code(check("c", "12a456", "198.51.100.1")).await, "code");
    assert_names(public.check_code(check("c", "123456", "")).await, "client_ip");
    let unkeyed = pb::CheckCodeRequest { request_id: String::new(), ..check("c", "123456", "198.51.100.1") };
    assert_names(public.check_code(unkeyed).await, "request_id");
    let long = pb::CheckCodeRequest { request_id: "r".repeat(129), ..check("c", "123456", "198.51.100.1") };
    assert_names(public.check_code(long).await, "request_id");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn human_checks_name_each_bad_field() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let mut public = service.public();
    assert_names(
        public.create_human_check(pb::CreateHumanCheckRequest { client_ip: String::new() }).await,
        "client_ip",
    );
    let answer = |client_ip: &str, answer: Option<Answer>| pb::AnswerHumanCheckRequest {
        client_ip: client_ip.into(),
        answer,
    };
    let slider = |challenge_id: &str, x: i32, drag_millis: i32| {
        Some(Answer::Slider(pb::SliderAnswer { challenge_id: challenge_id.into(), x, drag_millis }))
    };
    let cases = vec![
        ("answer", answer("198.51.100.1", None)),
        ("client_ip", answer("", slider("c", 10, 500))),
        ("slider.challenge_id", answer("198.51.100.1", slider(" ", 10, 500))),
        ("slider.x", answer("198.51.100.1", slider("c", -1, 500))),
        ("slider.x", answer("198.51.100.1", slider("c", 999, 500))),
        ("slider.drag_millis", answer("198.51.100.1", slider("c", 10, -1))),
        ("vendor_token", answer("198.51.100.1", Some(Answer::VendorToken(String::new())))),
    ];
    for (expected, request) in cases {
        assert_names(public.answer_human_check(request).await, expected);
    }
    let mut internal = service.internal();
    let empty = pb::RedeemHumanCheckPassRequest { pass_token: String::new() };
    assert_names(internal.redeem_human_check_pass(empty).await, "pass_token");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn internal_calls_name_each_bad_field() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let mut internal = service.internal();
    let redeem = |proof: &str, purpose: i32, destination: &str, key: String| pb::RedeemProofRequest {
        proof: proof.into(),
        purpose,
        destination: destination.into(),
        redemption_key: key,
        notices: Vec::new(),
    };
    let lookup = WirePurpose::AccountLookup as i32;
    assert_names(internal.redeem_proof(redeem("", lookup, "", String::new())).await, "proof");
    assert_names(internal.redeem_proof(redeem("p", 0, "", String::new())).await, "purpose");
    assert_names(internal.redeem_proof(redeem("p", lookup, "12", String::new())).await, "destination");
    assert_names(internal.redeem_proof(redeem("p", lookup, "", "k".repeat(129))).await, "redemption_key");

    let with_params = |pairs: &[(&str, &str)]| pb::EnqueueNoticeRequest {
        params: pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        ..notice()
    };
    let cases = vec![
        ("idempotency_key", pb::EnqueueNoticeRequest { idempotency_key: " ".into(), ..notice() }),
        ("channel", pb::EnqueueNoticeRequest { channel: 0, ..notice() }),
        ("destination", pb::EnqueueNoticeRequest { destination: "13500000001".into(), ..notice() }),
        ("template", pb::EnqueueNoticeRequest { template: 0, ..notice() }),
        ("locale", pb::EnqueueNoticeRequest { locale: "de".into(), ..notice() }),
        ("params", with_params(&[])),
        ("params", with_params(&[("login_name", "x"), ("extra", "y")])),
        ("params", with_params(&[("login_name", "line\nbreak")])),
        (
            "params",
            pb::EnqueueNoticeRequest {
                template: NoticeTemplate::ReviewDecided as i32,
                ..with_params(&[("case_number", "RC-1"), ("decision", "PERHAPS"), ("note", "n")])
            },
        ),
    ];
    for (expected, request) in cases {
        assert_names(internal.enqueue_notice(request).await, expected);
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn callers_without_the_credential_are_refused() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let refused = service.public_without_credential().send_code(send()).await.expect_err("no credential");
    assert_eq!(refused.code(), Code::Unauthenticated);
    assert_eq!(reason(&refused), ErrorReason::CallerUnauthenticated);
    assert!(service.messages().is_empty());
    service.stop().await;
    db.remove().await;
}
