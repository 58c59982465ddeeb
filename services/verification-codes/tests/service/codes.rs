//! Codes: send, read from the file sink, check, and every way a check fails.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1 as pb;

use crate::common::{
    TestDatabase, TestService, WireChannel, WirePurpose, field, metadata, reason, sms_request,
};

const CLIENT: &str = "198.51.100.7";

fn check(code_id: &str, code: &str) -> pb::CheckCodeRequest {
    pb::CheckCodeRequest {
        request_id: crate::common::request_id(),
        code_id: code_id.into(),
        code: code.into(),
        client_ip: CLIENT.into(),
    }
}

/// Some other six digits.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn a_sent_code_checks_once_into_a_proof_that_redeems_once() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let sent = service.send_sms("+86 138-0000-0001", CLIENT).await.expect("sent");
    assert_eq!(sent.masked_destination, "138****0001");
    let (expire, resend) = (sent.expire_time.unwrap().seconds, sent.resend_time.unwrap().seconds);
    assert!((expire - resend - 240).abs() <= 1, "expires 5 min, resend after 1 min");

    let message = service.message_to("13800000001").await;
    assert_eq!(message["channel"], "SMS");
    assert_eq!(message["template"], "CODE_ACCOUNT_LOOKUP");
    assert_eq!(message["locale"], "zh-CN");
    let code = message["params"]["code"].as_str().unwrap().to_owned();
    assert_eq!(
        message["text"],
        format!("【备案】您正在找回备案信息所在账号，验证码{code}，5分钟内有效。如非本人操作，请忽略。")
    );

    let checked =
        service.public().check_code(check(&sent.code_id, &code)).await.expect("correct").into_inner();
    assert_eq!(checked.proof.len(), 64);
    assert!(checked.proof_expire_time.is_some());
    let again = service.public().check_code(check(&sent.code_id, &code)).await.expect_err("used");
    assert_eq!(reason(&again), ErrorReason::CodeAlreadyUsed);

    let redeem = pb::RedeemProofRequest {
        proof: checked.proof.clone(),
        purpose: WirePurpose::AccountLookup as i32,
        destination: String::new(),
        redemption_key: String::new(),
        notices: Vec::new(),
    };
    let redeemed = service.internal().redeem_proof(redeem.clone()).await.expect("redeems").into_inner();
    assert_eq!(redeemed.channel, WireChannel::Sms as i32);
    assert_eq!(redeemed.destination, "13800000001");
    assert_eq!(redeemed.purpose, WirePurpose::AccountLookup as i32);
    let twice = service.internal().redeem_proof(redeem).await.expect_err("once only");
    assert_eq!(reason(&twice), ErrorReason::ProofAlreadyRedeemed);

    // Delivered messages keep no parameters, not even sealed; the code is stored only as a hash.
    let stored = service.scalar_text("select code_hash from codes where code_id = $1", &sent.code_id).await;
    assert!(!stored.contains(&code));
    wait_until_sent(&service, &sent.code_id).await;
    let params = service
        .scalar_text(
            "select params from outbox where idempotency_key = $1",
            &format!("code:{}", sent.code_id),
        )
        .await;
    assert_eq!(params, "");
    service.stop().await;
    db.remove().await;
}

async fn wait_until_sent(service: &TestService, code_id: &str) {
    let key = format!("code:{code_id}");
    for _ in 0..250 {
        if service.scalar_text("select state from outbox where idempotency_key = $1", &key).await == "SENT" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the code message was never marked SENT");
}

#[tokio::test]
async fn five_wrong_checks_kill_the_code() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let sent = service.send_sms("13800000002", CLIENT).await.expect("sent");
    let code = service.code_sent_to("13800000002").await;
    for attempts_left in (0..5).rev() {
        let refused =
            service.public().check_code(check(&sent.code_id, &wrong(&code))).await.expect_err("wrong");
        assert_eq!(reason(&refused), ErrorReason::CodeIncorrect);
        assert_eq!(metadata(&refused, "attempts_left"), Some(attempts_left.to_string()));
    }
    let dead = service.public().check_code(check(&sent.code_id, &code)).await.expect_err("dead");
    assert_eq!(reason(&dead), ErrorReason::CodeAttemptsExhausted);
    assert_eq!(
        service.scalar_text("select state from codes where code_id = $1", &sent.code_id).await,
        "DEAD"
    );
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn expired_unknown_and_replaced_codes_answer_expired() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.code_ttl = Duration::from_millis(400);
        s.policy.resend_cooldown = Duration::ZERO;
    })
    .await;
    let sent = service.send_sms("13800000003", CLIENT).await.expect("sent");
    let code = service.code_sent_to("13800000003").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let expired = service.public().check_code(check(&sent.code_id, &code)).await.expect_err("expired");
    assert_eq!(reason(&expired), ErrorReason::CodeExpired);
    let unknown = service.public().check_code(check("no-such-code", "123456")).await.expect_err("unknown");
    assert_eq!(reason(&unknown), ErrorReason::CodeExpired);

    let first = service.send_sms("13800000004", CLIENT).await.expect("sent");
    let first_code = service.code_sent_to("13800000004").await;
    let second = service.send_sms("13800000004", CLIENT).await.expect("sent again");
    let second_code = crate::common::wait_for(|| {
        let all: Vec<_> =
            service.messages().into_iter().filter(|m| m["destination"] == "13800000004").collect();
        (all.len() == 2).then(|| all[1]["params"]["code"].as_str().unwrap().to_owned())
    })
    .await;
    let replaced =
        service.public().check_code(check(&first.code_id, &first_code)).await.expect_err("replaced");
    assert_eq!(reason(&replaced), ErrorReason::CodeExpired);
    service.public().check_code(check(&second.code_id, &second_code)).await.expect("the newest code works");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn concurrent_correct_checks_yield_one_proof() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let sent = service.send_sms("13800000005", CLIENT).await.expect("sent");
    let code = service.code_sent_to("13800000005").await;
    let checks = (0..6).map(|_| {
        let mut client = service.public();
        let request = check(&sent.code_id, &code);
        async move { client.check_code(request).await }
    });
    let results = futures::future::join_all(checks).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(reason(refused), ErrorReason::CodeAlreadyUsed);
    }
    let proofs = service
        .scalar_i64("select cast(count(*) as bigint) from proofs where code_id = $1", &sent.code_id)
        .await;
    assert_eq!(proofs, 1);

    // concurrent retries of one check (one request id) all answer its one proof
    let sent = service.send_sms("13800000015", CLIENT).await.expect("sent");
    let code = service.code_sent_to("13800000015").await;
    let request = check(&sent.code_id, &code);
    let checks = (0..6).map(|_| {
        let mut client = service.public();
        let request = request.clone();
        async move { client.check_code(request).await.map(|r| r.into_inner()) }
    });
    let results = futures::future::join_all(checks).await;
    let first = results[0].clone().expect("checked");
    assert!(results.iter().all(|r| r.as_ref().ok() == Some(&first)), "{results:?}");
    let proofs = service
        .scalar_i64("select cast(count(*) as bigint) from proofs where code_id = $1", &sent.code_id)
        .await;
    assert_eq!(proofs, 1);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn concurrent_sends_to_one_destination_pass_the_cooldown_once() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let sends = (0..6).map(|i| {
        let mut client = service.public();
        let request =
            sms_request("13800000006", WirePurpose::AccountLookup, &format!("198.51.100.{}", 20 + i));
        async move { client.send_code(request).await }
    });
    let results = futures::future::join_all(sends).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(reason(refused), ErrorReason::CodeResendTooSoon);
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn email_codes_go_out_in_the_asked_language() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let request = pb::SendCodeRequest {
        request_id: crate::common::request_id(),
        channel: WireChannel::Email as i32,
        destination: "Jane.Doe@Example.COM".into(),
        purpose: WirePurpose::PasswordReset as i32,
        client_ip: CLIENT.into(),
        locale: "en-US".into(),
        decoy: false,
    };
    let sent = service.public().send_code(request).await.expect("sent").into_inner();
    assert_eq!(sent.masked_destination, "J***@example.com");
    let message = service.message_to("Jane.Doe@example.com").await;
    assert_eq!(message["channel"], "EMAIL");
    assert_eq!(message["locale"], "en");
    assert_eq!(message["subject"], "[Beian] Your verification code");
    let code = message["params"]["code"].as_str().unwrap();
    assert!(message["text"].as_str().unwrap().contains(&format!("Your verification code is {code}")));
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_send_retried_with_its_request_id_answers_the_first_code() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let request = sms_request("13800000007", WirePurpose::AccountLookup, CLIENT);
    let first = service.public().send_code(request.clone()).await.expect("sent").into_inner();
    // inside the cooldown, yet answered: the same code, nothing sent again
    let retry = service.public().send_code(request.clone()).await.expect("retried").into_inner();
    assert_eq!(retry, first);
    service.code_sent_to("13800000007").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let delivered = service.messages().into_iter().filter(|m| m["destination"] == "13800000007").count();
    assert_eq!(delivered, 1, "one message");
    let queued = service
        .scalar_i64("select cast(count(*) as bigint) from outbox where destination = $1", "13800000007")
        .await;
    assert_eq!(queued, 1, "one outbox row");
    let codes = service
        .scalar_i64("select cast(count(*) as bigint) from codes where destination_key = $1", "13800000007")
        .await;
    assert_eq!(codes, 1, "one code");
    let counted = service
        .scalar_i64(
            "select cast(sum(hits) as bigint) from limit_counters where counter_key = $1",
            "destination-day:ACCOUNT_LOOKUP:13800000007",
        )
        .await;
    assert_eq!(counted, 1, "counted once");

    // the same key for another destination, channel or purpose is refused
    let others = [
        pb::SendCodeRequest { destination: "13800000008".into(), ..request.clone() },
        pb::SendCodeRequest { purpose: WirePurpose::PasswordReset as i32, ..request.clone() },
        pb::SendCodeRequest {
            channel: WireChannel::Email as i32,
            destination: "a@example.com".into(),
            ..request.clone()
        },
    ];
    for other in others {
        let refused = service.public().send_code(other).await.expect_err("another request");
        assert_eq!(reason(&refused), ErrorReason::InvalidArgument);
        assert_eq!(field(&refused), "request_id");
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_check_retried_with_its_request_id_answers_the_same_proof() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let sent = service.send_sms("13800000009", CLIENT).await.expect("sent");
    let code = service.code_sent_to("13800000009").await;
    let first_check = check(&sent.code_id, &code);
    let first = service.public().check_code(first_check.clone()).await.expect("correct").into_inner();
    let retry = service.public().check_code(first_check.clone()).await.expect("retried").into_inner();
    assert_eq!(retry, first, "the same proof, the same expiry");

    // another request id, or a wrong code with the same one: no proof
    let other = service.public().check_code(check(&sent.code_id, &code)).await.expect_err("another check");
    assert_eq!(reason(&other), ErrorReason::CodeAlreadyUsed);
    let guessed = pb::CheckCodeRequest { code: wrong(&code), ..first_check };
    let guessed = service.public().check_code(guessed).await.expect_err("a wrong code");
    assert_eq!(reason(&guessed), ErrorReason::CodeAlreadyUsed);
    let proofs = service
        .scalar_i64("select cast(count(*) as bigint) from proofs where code_id = $1", &sent.code_id)
        .await;
    assert_eq!(proofs, 1);
    let redeem = pb::RedeemProofRequest {
        proof: first.proof,
        purpose: WirePurpose::AccountLookup as i32,
        destination: String::new(),
        redemption_key: String::new(),
        notices: Vec::new(),
    };
    service.internal().redeem_proof(redeem).await.expect("the proof redeems");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_decoy_code_is_answered_and_limited_apart_never_sent_and_never_correct() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let decoy = || pb::SendCodeRequest {
        decoy: true,
        ..sms_request("+86 138-0000-0009", WirePurpose::PasswordReset, CLIENT)
    };
    let sent = service.public().send_code(decoy()).await.expect("answered").into_inner();
    assert_eq!(sent.masked_destination, "138****0009");
    assert!(!sent.code_id.is_empty() && sent.expire_time.is_some() && sent.resend_time.is_some());
    // the decoy's own cooldown, as a real destination's
    let again = service.public().send_code(decoy()).await.expect_err("too soon");
    assert_eq!(reason(&again), ErrorReason::CodeResendTooSoon);

    // the real number's limits are untouched: its code goes out at once, and only its code
    let real = service
        .public()
        .send_code(sms_request("13800000009", WirePurpose::PasswordReset, CLIENT))
        .await
        .expect("the real number is not cooling down")
        .into_inner();
    let code = service.code_sent_to("13800000009").await;
    let queued = |code_id: &str| format!("code:{code_id}");
    let count = "select cast(count(*) as bigint) from outbox where idempotency_key = $1";
    assert_eq!(service.scalar_i64(count, &queued(&real.code_id)).await, 1);
    assert_eq!(service.scalar_i64(count, &queued(&sent.code_id)).await, 0, "a decoy is never queued");

    // a decoy code is checked and counted as any code is
    let wrong = service.public().check_code(check(&sent.code_id, &code)).await.expect_err("never correct");
    assert_eq!(reason(&wrong), ErrorReason::CodeIncorrect);
    assert_eq!(metadata(&wrong, "attempts_left").as_deref(), Some("4"));
    service.stop().await;
    db.remove().await;
}
