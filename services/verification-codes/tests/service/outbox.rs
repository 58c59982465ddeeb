//! The outbox: retries with the same message id, permanent failures, queued
//! messages surviving a stop, idempotent notices.

use std::{collections::BTreeMap, collections::HashMap, time::Duration};

use beian_platform::config::Secret;
use beian_proto::verification_codes::v1::{self as pb, NoticeTemplate};
use verification_codes::{SmsAdapter, SmsHttpSettings};

use crate::common::{TestDatabase, TestService, WireChannel, http, wait_for};

fn sms_provider(addr: std::net::SocketAddr) -> SmsAdapter {
    SmsAdapter::Http(SmsHttpSettings {
        url: format!("http://{addr}/sms/send"),
        key: Secret::new("provider-key"),
        template_ids: BTreeMap::from([("CODE_ACCOUNT_LOOKUP".to_owned(), "SMS_100001".to_owned())]),
        timeout: Duration::from_secs(2),
    })
}

async fn outbox_row(service: &TestService, key: &str) -> (String, i64, String) {
    let row: (String, i64, String) =
        sqlx::query_as("select state, attempts, params from outbox where idempotency_key = $1")
            .bind(key)
            .fetch_one(service.db.reader())
            .await
            .expect("an outbox row");
    row
}

async fn wait_for_state(service: &TestService, key: &str, state: &str) -> (String, i64, String) {
    for _ in 0..250 {
        let row = outbox_row(service, key).await;
        if row.0 == state {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{key} never reached {state}: {:?}", outbox_row(service, key).await);
}

#[tokio::test]
async fn a_failed_sms_is_retried_with_the_same_message_id() {
    let (addr, requests) =
        http::serve(|n| if n == 0 { (500, r#"{"error":"busy"}"#) } else { (200, r#"{"ok":true}"#) }).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.delivery.sms = sms_provider(addr)).await;
    let sent = service.send_sms("13300000001", "198.51.100.1").await.expect("sent");
    let key = format!("code:{}", sent.code_id);
    let (_, attempts, params) = wait_for_state(&service, &key, "SENT").await;
    assert_eq!(attempts, 2);
    assert_eq!(params, "");

    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let message_id =
        service.scalar_text("select message_id from outbox where idempotency_key = $1", &key).await;
    for request in &requests {
        assert_eq!(request.path, "/sms/send");
        assert_eq!(request.header("authorization"), Some("Bearer provider-key"));
        assert_eq!(request.header("idempotency-key"), Some(message_id.as_str()));
        let body = request.json();
        assert_eq!(body["message_id"], message_id.as_str());
        assert_eq!(body["phone"], "13300000001");
        assert_eq!(body["template_id"], "SMS_100001");
        assert_eq!(body["locale"], "zh-CN");
        let code = body["params"]["code"].as_str().expect("the code");
        assert_eq!(code.len(), 6);
        assert!(body["text"].as_str().unwrap().contains(code));
    }
    assert_eq!(requests[0].body, requests[1].body, "a retry sends the very same message");
    assert!(service.messages().is_empty(), "nothing went to the file sink");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_refused_sms_fails_at_once_and_a_failing_one_after_max_attempts() {
    let (refusing, refused_requests) = http::serve(|_| (400, r#"{"error":"bad phone"}"#)).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.delivery.sms = sms_provider(refusing)).await;
    let sent = service.send_sms("13300000002", "198.51.100.2").await.expect("sent");
    let (_, attempts, params) = wait_for_state(&service, &format!("code:{}", sent.code_id), "FAILED").await;
    assert_eq!((attempts, params.as_str()), (1, ""));
    assert_eq!(refused_requests.lock().unwrap().len(), 1);
    service.stop().await;
    db.remove().await;

    let (failing, failing_requests) = http::serve(|_| (503, r#"{"error":"down"}"#)).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.delivery.sms = sms_provider(failing);
        s.delivery.max_attempts = 3;
    })
    .await;
    let sent = service.send_sms("13300000003", "198.51.100.3").await.expect("sent");
    let (_, attempts, _) = wait_for_state(&service, &format!("code:{}", sent.code_id), "FAILED").await;
    assert_eq!(attempts, 3);
    assert_eq!(failing_requests.lock().unwrap().len(), 3);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn messages_queued_before_a_stop_are_delivered_after_the_restart() {
    let db = TestDatabase::fresh().await;
    let secret = Secret::generate();
    let service = TestService::start_with(&db, |s| {
        s.delivery.dispatch = false;
        s.secret_key = secret.clone();
    })
    .await;
    let sent = service.send_sms("13300000004", "198.51.100.4").await.expect("queued");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(service.messages().is_empty(), "nothing delivered while dispatch is off");
    let key = format!("code:{}", sent.code_id);
    assert_eq!(outbox_row(&service, &key).await.0, "PENDING");
    service.stop().await;

    let service = TestService::start_with(&db, |s| s.secret_key = secret).await;
    let code = service.code_sent_to("13300000004").await;
    let checked = service
        .public()
        .check_code(pb::CheckCodeRequest {
            request_id: crate::common::request_id(),
            code_id: sent.code_id,
            code,
            client_ip: "198.51.100.4".into(),
        })
        .await;
    checked.expect("the code delivered after the restart still checks");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn notices_are_queued_once_per_idempotency_key() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let notice = |key: &str| pb::EnqueueNoticeRequest {
        idempotency_key: key.into(),
        channel: WireChannel::Sms as i32,
        destination: "+86 133 0000 0005".into(),
        template: NoticeTemplate::LoginName as i32,
        locale: "en".into(),
        params: HashMap::from([("login_name".into(), "zhangwei2019".into())]),
    };
    let mut internal = service.internal();
    let first = internal.enqueue_notice(notice("lookup-7")).await.expect("queued").into_inner();
    let retry = internal.enqueue_notice(notice("lookup-7")).await.expect("queued again").into_inner();
    assert_eq!(first.message_id, retry.message_id);
    let other = internal.enqueue_notice(notice("lookup-8")).await.expect("another").into_inner();
    assert_ne!(first.message_id, other.message_id);

    let delivered = wait_for(|| {
        let all: Vec<_> =
            service.messages().into_iter().filter(|m| m["destination"] == "13300000005").collect();
        (all.len() == 2).then_some(all)
    })
    .await;
    let ids: Vec<_> = delivered.iter().map(|m| m["message_id"].as_str().unwrap().to_owned()).collect();
    assert!(ids.contains(&first.message_id) && ids.contains(&other.message_id), "{ids:?}");
    let message = &delivered[0];
    assert_eq!(message["template"], "LOGIN_NAME");
    assert_eq!(
        message["text"],
        "[Beian] Your login name is zhangwei2019. If you did not ask for it, please ignore this message."
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(service.messages().len(), 2, "the retry queued nothing new");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn queued_parameters_are_sealed_and_cleared_after_delivery() {
    let db = TestDatabase::fresh().await;
    let secret = Secret::generate();
    let service = TestService::start_with(&db, |s| {
        s.delivery.dispatch = false;
        s.secret_key = secret.clone();
    })
    .await;
    let sent = service.send_sms("13300000006", "198.51.100.6").await.expect("queued");
    let notice = pb::EnqueueNoticeRequest {
        idempotency_key: "sealed-1".into(),
        channel: WireChannel::Sms as i32,
        destination: "13300000007".into(),
        template: NoticeTemplate::LoginName as i32,
        locale: "en".into(),
        params: HashMap::from([("login_name".into(), "zhangwei2019".into())]),
    };
    service.internal().enqueue_notice(notice).await.expect("queued");
    let code_key = format!("code:{}", sent.code_id);
    let (_, _, sealed_code) = outbox_row(&service, &code_key).await;
    let (_, _, sealed_notice) = outbox_row(&service, "notice:sealed-1").await;
    for sealed in [&sealed_code, &sealed_notice] {
        assert!(sealed.starts_with("xc1:"), "{sealed}");
        for clear in ["code", "minutes", "login_name", "zhangwei2019"] {
            assert!(!sealed.contains(clear), "{clear} in clear: {sealed}");
        }
    }
    service.stop().await;

    let service = TestService::start_with(&db, |s| s.secret_key = secret).await;
    let code = service.code_sent_to("13300000006").await;
    assert!(!sealed_code.contains(&code), "the code in clear: {sealed_code}");
    assert_eq!(service.message_to("13300000007").await["params"]["login_name"], "zhangwei2019");
    for key in [code_key.as_str(), "notice:sealed-1"] {
        let (_, _, params) = wait_for_state(&service, key, "SENT").await;
        assert_eq!(params, "", "cleared after delivery");
    }
    service.stop().await;
    db.remove().await;
}
