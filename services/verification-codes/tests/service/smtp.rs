//! Email through a real SMTP conversation with a server the test runs.

use std::{collections::HashMap, time::Duration};

use beian_platform::config::Secret;
use beian_proto::verification_codes::v1::{self as pb, NoticeTemplate};
use verification_codes::{EmailAdapter, SmtpSettings};

use crate::common::{TestDatabase, TestService, WireChannel, WirePurpose, smtp, wait_for};

fn smtp_at(addr: std::net::SocketAddr) -> EmailAdapter {
    EmailAdapter::Smtp(SmtpSettings {
        url: Secret::new(format!("smtp://{addr}")),
        from: "备案 <noreply@beian.example>".into(),
        timeout: Duration::from_secs(5),
    })
}

#[tokio::test]
async fn codes_and_notices_arrive_by_smtp_with_their_message_ids() {
    let (addr, mailbox) = smtp::serve(false).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.delivery.email = smtp_at(addr)).await;

    let request = pb::SendCodeRequest {
        request_id: crate::common::request_id(),
        channel: WireChannel::Email as i32,
        destination: "Jane@Example.com".into(),
        purpose: WirePurpose::PasswordReset as i32,
        client_ip: "198.51.100.30".into(),
        locale: "en".into(),
        decoy: false,
    };
    let sent = service.public().send_code(request).await.expect("sent").into_inner();
    let mail = wait_for(|| mailbox.lock().unwrap().first().cloned()).await;
    let message_id = service
        .scalar_text(
            "select message_id from outbox where idempotency_key = $1",
            &format!("code:{}", sent.code_id),
        )
        .await;
    assert_eq!(mail.from, "noreply@beian.example");
    assert_eq!(mail.recipients, ["Jane@example.com"]);
    assert_eq!(mail.header("Message-ID"), Some(format!("<{message_id}@beian.example>")));
    assert_eq!(mail.header("Subject").as_deref(), Some("[Beian] Your verification code"));
    let body = mail.body();
    assert!(body.starts_with("[Beian] You are resetting your account password."), "{body}");
    assert!(body.contains("valid for 5 minutes"), "{body}");
    assert!(service.messages().is_empty(), "nothing went to the file sink");

    let notice = pb::EnqueueNoticeRequest {
        idempotency_key: "notice-1".into(),
        channel: WireChannel::Email as i32,
        destination: "owner@example.com".into(),
        template: NoticeTemplate::LoginName as i32,
        locale: "zh-CN".into(),
        params: HashMap::from([("login_name".into(), "zhangwei2019".into())]),
    };
    let queued = service.internal().enqueue_notice(notice).await.expect("queued").into_inner();
    let mail = wait_for(|| mailbox.lock().unwrap().get(1).cloned()).await;
    assert_eq!(mail.recipients, ["owner@example.com"]);
    assert_eq!(mail.header("Message-ID"), Some(format!("<{}@beian.example>", queued.message_id)));
    assert_eq!(mail.header("Subject").as_deref(), Some("【备案】您的登录名"));
    assert!(mail.header("From").is_some_and(|from| from.contains("备案")));
    assert!(mail.body().contains("您的登录名为 zhangwei2019"), "{}", mail.body());
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_permanently_refused_recipient_fails_without_retries() {
    let (addr, mailbox) = smtp::serve(true).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.delivery.email = smtp_at(addr)).await;
    let notice = pb::EnqueueNoticeRequest {
        idempotency_key: "notice-2".into(),
        channel: WireChannel::Email as i32,
        destination: "gone@example.com".into(),
        template: NoticeTemplate::PasswordChanged as i32,
        locale: "en".into(),
        params: HashMap::new(),
    };
    service.internal().enqueue_notice(notice).await.expect("queued");
    let state = wait_for_failed(&service).await;
    assert_eq!(state, 1, "one attempt only");
    assert!(mailbox.lock().unwrap().is_empty());
    service.stop().await;
    db.remove().await;
}

async fn wait_for_failed(service: &TestService) -> i64 {
    for _ in 0..250 {
        let row: Option<(String, i64)> =
            sqlx::query_as("select state, attempts from outbox where idempotency_key = 'notice:notice-2'")
                .fetch_optional(service.db.reader())
                .await
                .expect("query");
        if let Some((state, attempts)) = row.filter(|(state, _)| state == "FAILED") {
            assert_eq!(state, "FAILED");
            return attempts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the notice never failed");
}
