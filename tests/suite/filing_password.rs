//! SPEC §3 through the gateway: recover the filing password (a new one goes to the
//! principal; the old one stops working), the one answer for any mismatch, the lock
//! after repeated wrong ones, and the review case when mobile and email are both gone.

use beian_common::calendar::BusinessCalendar;
use beian_proto::{
    common::v1::{Applicant, CertificateType, Document, DocumentKind, ReviewKind, ReviewState},
    filing_registry::v1::{
        CheckFilingPasswordRequest,
        filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
    },
    gateway::v1::{
        CancelAccessRequest, RecoverFilingPasswordRequest, RequestFilingPasswordReviewRequest,
        SendCancelAccessCodeRequest, filing_password_service_client::FilingPasswordServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use chrono::DateTime;
use filing_registry::PasswordPolicy;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    filing::{bearer, deregister, filing, login, my_filing},
    lookup::{MOBILE, demo_suite, in_english},
    messages, reason,
};

/// The demo filing of zhangwei2019 (`deploy/beian/src/demo.rs`).
const SUBJECT_ID: &str = "sub-0001";
pub(crate) const DEMO_PASSWORD: &str = "483920";

/// Seed 004's sentence beside a recovered filing password, and its English.
const RECOVERY_NOTICE: (&str, &str) = (
    "找回的备案密码会以邮件和手机短信的形式发送到主体负责人(法人)的手机和邮箱。",
    "The recovered filing password will be sent by email and SMS to the mobile number and email address \
     of the subject's principal (legal representative).",
);

fn recovery(token: String) -> RecoverFilingPasswordRequest {
    RecoverFilingPasswordRequest {
        province_code: "330000".into(),
        filing_number: "浙ICP备19012345号-1".into(),
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: "33010619900101123x".into(),
        human_check_token: token,
    }
}

pub(crate) async fn check(suite: &TestSuite, password: &str) -> Result<(), tonic::Status> {
    let mut registry =
        FilingRegistryInternalServiceClient::new(suite.channel(suite.addresses().filing_registry).await);
    registry
        .check_filing_password(with_credential(
            suite,
            CheckFilingPasswordRequest { subject_id: SUBJECT_ID.into(), filing_password: password.into() },
        ))
        .await
        .map(drop)
}

#[tokio::test]
async fn a_recovered_filing_password_reaches_the_principal_and_replaces_the_old_one() {
    let suite = demo_suite().await;
    let mut service = FilingPasswordServiceClient::new(suite.gateway().await);
    let token = suite.human_check_token().await;
    let sent = service.recover_filing_password(recovery(token.clone())).await.expect("matches").into_inner();
    let masked: Vec<&str> = sent.sent_to.iter().map(|c| c.masked_destination.as_str()).collect();
    assert_eq!(masked, vec!["152****1234", "z***@example.com"]);
    assert_eq!(sent.notice, RECOVERY_NOTICE.0, "zh-CN by default");

    let notices = suite.wait_for_messages(2, |m| m["template"] == "FILING_PASSWORD").await;
    let mut destinations: Vec<&str> = notices.iter().filter_map(|m| m["destination"].as_str()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, vec!["15212341234", "zhang.wei@example.com"]);
    let password = notices[0]["params"]["filing_password"].as_str().expect("the password").to_owned();
    assert_eq!(notices[1]["params"]["filing_password"], password.as_str());
    assert!(password.len() == 6 && password.bytes().all(|b| b.is_ascii_digit()));

    assert_eq!(
        reason(&check(&suite, DEMO_PASSWORD).await.expect_err("the old one")),
        "FILING_PASSWORD_INCORRECT"
    );
    check(&suite, &password).await.expect("the new one");

    let spent = service.recover_filing_password(recovery(token)).await.expect_err("a spent pass");
    assert_eq!(reason(&spent), "HUMAN_CHECK_EXPIRED");

    // the notice follows the caller's language
    let english = in_english(recovery(suite.human_check_token().await));
    let sent = service.recover_filing_password(english).await.expect("matches").into_inner();
    assert_eq!(sent.notice, RECOVERY_NOTICE.1);
    suite.stop().await;
}

#[tokio::test]
async fn a_mismatch_says_only_that_nothing_matched() {
    let suite = demo_suite().await;
    let mut service = FilingPasswordServiceClient::new(suite.gateway().await);
    for wrong in [
        RecoverFilingPasswordRequest { province_code: "110000".into(), ..recovery(String::new()) },
        RecoverFilingPasswordRequest {
            certificate_number: "330106199001011230".into(),
            ..recovery(String::new())
        },
    ] {
        let token = suite.human_check_token().await;
        let status = service
            .recover_filing_password(RecoverFilingPasswordRequest { human_check_token: token, ..wrong })
            .await
            .expect_err("no match");
        assert_eq!(reason(&status), "FILING_NOT_MATCHED");
        assert_eq!(crate::messages(&status).0, "备案信息不匹配，请核对省份、备案号、证件类型和证件号码");
    }
    let blank = service.recover_filing_password(recovery(" ".into())).await.expect_err("no pass");
    assert_eq!(blank.code(), Code::InvalidArgument);
    check(&suite, DEMO_PASSWORD).await.expect("unchanged");
    suite.stop().await;
}

/// A refusal because the subject's filing password is locked: seed 003's words and
/// when to try again, the lock having started at most a minute ago.
fn assert_locked(status: &Status, lock: std::time::Duration) {
    assert_eq!((status.code(), reason(status).as_str()), (Code::ResourceExhausted, "FILING_PASSWORD_LOCKED"));
    let delay = status.get_details_retry_info().and_then(|info| info.retry_delay).expect("RetryInfo");
    assert!((lock.as_secs() - 60..=lock.as_secs()).contains(&delay.as_secs()), "{delay:?}");
    assert_eq!(
        messages(status),
        (
            "频繁尝试，已临时锁定，请稍后再试".to_owned(),
            "Too many attempts; temporarily locked, please try again later".to_owned()
        )
    );
}

#[tokio::test]
async fn repeated_wrong_filing_passwords_through_cancel_access_and_deregister_lock_the_subject() {
    let suite = demo_suite().await;
    let policy = PasswordPolicy::default();
    let zhang = login(&suite, "zhangwei2019").await;
    let request = SendCancelAccessCodeRequest { website_number: "浙ICP备19012345号-1".into() };
    let sent = filing(&suite).await.send_cancel_access_code(bearer(request, &zhang)).await.expect("sent");
    let flow_id = sent.into_inner().flow_id;
    let code = suite.code_sent_to(MOBILE, 1).await;
    let cancel = |password: &str| {
        let request = CancelAccessRequest {
            flow_id: flow_id.clone(),
            code: code.clone(),
            filing_password: password.into(),
        };
        bearer(request, &zhang)
    };

    // both orders check the one subject's password, so their wrong ones count together
    for attempt in 1..policy.max_failures {
        let wrong = if attempt % 2 == 1 {
            deregister(&suite, &zhang, "", "000000").await.expect_err("wrong")
        } else {
            filing(&suite).await.cancel_access(cancel("000000")).await.expect_err("wrong")
        };
        assert_eq!(reason(&wrong), "FILING_PASSWORD_INCORRECT", "attempt {attempt}");
    }
    let locked = filing(&suite).await.cancel_access(cancel("000000")).await.expect_err("the last locks");
    assert_locked(&locked, policy.lock);

    // while locked the right password is refused alike, and nothing is ordered
    let right = filing(&suite).await.cancel_access(cancel(DEMO_PASSWORD)).await.expect_err("locked");
    assert_locked(&right, policy.lock);
    assert_locked(&deregister(&suite, &zhang, "", DEMO_PASSWORD).await.expect_err("locked"), policy.lock);
    assert!(my_filing(&suite, &zhang).await.expect("its filing").order_in_progress.is_none());
    suite.stop().await;
}

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

pub(crate) fn review(token: String) -> RequestFilingPasswordReviewRequest {
    let png = |kind: DocumentKind| Document {
        kind: kind as i32,
        content_type: "image/png".into(),
        content: PNG.to_vec(),
    };
    RequestFilingPasswordReviewRequest {
        province_code: "330000".into(),
        filing_number: "浙ICP备19012345号".into(),
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: "33010619900101123X".into(),
        applicant: Some(Applicant {
            name: "张伟".into(),
            certificate_type: CertificateType::ResidentIdCard as i32,
            certificate_number: "33010619900101123X".into(),
            mobile: "13912340000".into(),
            email: "zw.new@example.net".into(),
        }),
        documents: vec![
            png(DocumentKind::IdCardFront),
            png(DocumentKind::IdCardBack),
            png(DocumentKind::HalfBodyWithIdCard),
        ],
        human_check_token: token,
    }
}

#[tokio::test]
async fn mobile_and_email_gone_opens_a_filing_password_case_due_in_two_business_days() {
    let suite = demo_suite().await;
    let mut service = FilingPasswordServiceClient::new(suite.gateway().await);
    let token = suite.human_check_token().await;
    let ticket = service
        .request_filing_password_review(review(token))
        .await
        .expect("opens")
        .into_inner()
        .ticket
        .expect("a ticket");
    assert!(ticket.case_number.starts_with("RV"), "{ticket:?}");
    assert_eq!(ticket.kind, ReviewKind::FilingPassword as i32);
    assert_eq!(ticket.state, ReviewState::Pending as i32);
    let submitted = ticket.submit_time.expect("submitted");
    let due = ticket.deadline.expect("a deadline");
    let submitted = DateTime::from_timestamp(submitted.seconds, 0).expect("a time");
    let expected = BusinessCalendar::china_default().deadline(submitted, 2);
    assert_eq!(due.seconds, expected.timestamp(), "two business days (SPEC §3)");

    let token = suite.human_check_token().await;
    let mut missing = review(token);
    missing.documents.pop();
    let status = service.request_filing_password_review(missing).await.expect_err("materials");
    assert_eq!(reason(&status), "MATERIALS_INCOMPLETE");

    let token = suite.human_check_token().await;
    let again = service.request_filing_password_review(review(token)).await.expect_err("one pending case");
    assert_eq!(reason(&again), "REVIEW_CASE_ALREADY_OPEN");
    suite.stop().await;
}

#[tokio::test]
async fn an_approved_case_for_a_filing_nobody_holds_completes_with_the_reason_and_tells_the_applicant() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let mut request = review(token);
    request.filing_number = "浙ICP备99999999号".into();
    if let Some(applicant) = request.applicant.as_mut() {
        applicant.mobile = "13912340001".into();
    }
    let ticket = FilingPasswordServiceClient::new(suite.gateway().await)
        .request_filing_password_review(request)
        .await
        .expect("opens: the number is checked when staff's approval is applied")
        .into_inner()
        .ticket
        .expect("a ticket");
    // completed, not retried for ever
    let done = crate::offline_transfer::approve(&suite, &ticket).await;
    assert_eq!(
        done.failure_reason,
        beian_proto::common::v1::ErrorReason::FilingNotMatched as i32,
        "{done:?}"
    );
    let told = suite
        .wait_for_messages(1, |m| {
            m["template"] == "REVIEW_DECIDED"
                && m["text"].as_str().is_some_and(|t| t.contains(&ticket.case_number))
        })
        .await;
    assert_eq!(told[0]["destination"], "13912340001");
    assert!(told[0]["text"].as_str().is_some_and(|t| t.contains("已通过但未能完成")), "{told:#?}");
    assert!(suite.messages().iter().all(|m| m["template"] != "FILING_PASSWORD"), "no password was issued");
    suite.stop().await;
}
