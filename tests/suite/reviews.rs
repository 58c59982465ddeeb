//! Customer-service requests of the account lookup: a fresh human-check pass each,
//! a daily quota per client, documents checked at the gateway, and a duplicate
//! application that learns nothing about the case already open.

use std::time::Duration;

use beian_proto::{
    common::v1::{Applicant, Document, DocumentKind},
    gateway::v1::{
        RequestAccountLookupReviewRequest, ReviewTicket, SendAccountLookupCodeRequest,
        VerifyAccountLookupCodeRequest,
    },
};
use beian_tests::TestSuite;
use tonic::Code;
use tonic_types::StatusExt;

use crate::{
    lookup::{MOBILE, demo_suite, lookup_client, start},
    reason,
};

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

fn png(kind: DocumentKind) -> Document {
    Document { kind: kind as i32, content_type: "image/png".into(), content: PNG.to_vec() }
}

pub fn application(
    flow_id: &str,
    token: String,
    documents: Vec<Document>,
) -> RequestAccountLookupReviewRequest {
    RequestAccountLookupReviewRequest {
        flow_id: flow_id.into(),
        applicant: Some(Applicant {
            name: "张伟".into(),
            mobile: "13912340000".into(),
            email: "zw.new@example.net".into(),
            ..Applicant::default()
        }),
        description: "原手机号已停用".into(),
        documents,
        human_check_token: token,
    }
}

pub async fn request(
    suite: &TestSuite,
    application: RequestAccountLookupReviewRequest,
) -> Result<ReviewTicket, tonic::Status> {
    lookup_client(suite.gateway().await)
        .request_account_lookup_review(application)
        .await
        .map(|r| r.into_inner().ticket.expect("a ticket"))
}

fn field(status: &tonic::Status) -> String {
    status.get_details_bad_request().expect("BadRequest").field_violations[0].field.clone()
}

#[tokio::test]
async fn a_review_request_spends_a_fresh_human_check_pass() {
    let suite = demo_suite().await;
    let flow = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;

    let missing = request(&suite, application(&flow, " ".into(), vec![])).await.expect_err("no pass");
    assert_eq!((missing.code(), reason(&missing).as_str()), (Code::InvalidArgument, "INVALID_ARGUMENT"));
    assert_eq!(field(&missing), "human_check_token");

    let forged = request(&suite, application(&flow, "not-a-pass".into(), vec![])).await.expect_err("forged");
    assert_eq!(reason(&forged), "HUMAN_CHECK_EXPIRED");

    let token = suite.human_check_token().await;
    request(&suite, application(&flow, token.clone(), vec![])).await.expect("a fresh pass");
    let other = start(&suite, "imported-site.cn").await.expect("filed").flow_id;
    let reused = request(&suite, application(&other, token, vec![])).await.expect_err("a spent pass");
    assert_eq!(reason(&reused), "HUMAN_CHECK_EXPIRED");
    suite.stop().await;
}

#[tokio::test]
async fn each_client_has_a_daily_quota_and_a_retry_costs_nothing() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_requests_per_client_per_day = 2;
    })
    .await;
    let mut flows = Vec::new();
    for _ in 0..3 {
        flows.push(start(&suite, "shop-zhang.cn").await.expect("filed").flow_id);
    }
    let first = request(&suite, application(&flows[0], suite.human_check_token().await, vec![]))
        .await
        .expect("the first request");
    // a duplicate counts too: the quota is what a client may ask, not what it gets
    let duplicate = request(&suite, application(&flows[1], suite.human_check_token().await, vec![]))
        .await
        .expect_err("a duplicate");
    assert_eq!(reason(&duplicate), "REVIEW_CASE_ALREADY_OPEN");
    let limited = request(&suite, application(&flows[2], suite.human_check_token().await, vec![]))
        .await
        .expect_err("over the quota");
    assert_eq!((limited.code(), reason(&limited).as_str()), (Code::ResourceExhausted, "CLIENT_LIMIT"));
    let wait = limited.get_details_retry_info().and_then(|r| r.retry_delay).expect("RetryInfo");
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(24 * 3600), "{wait:?}");

    // the first flow asking again (its answer lost, say) gets its ticket back, quota or not
    let again = request(&suite, application(&flows[0], suite.human_check_token().await, vec![]))
        .await
        .expect("the same ticket");
    assert_eq!(again, first);
    suite.stop().await;
}

#[tokio::test]
async fn a_duplicate_application_learns_nothing_of_the_open_case() {
    let suite = demo_suite().await;
    let mine = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let ticket =
        request(&suite, application(&mine, suite.human_check_token().await, vec![])).await.expect("opened");

    let stranger = start(&suite, "WWW.shop-zhang.cn").await.expect("filed").flow_id;
    let refused = request(&suite, application(&stranger, suite.human_check_token().await, vec![]))
        .await
        .expect_err("a duplicate");
    assert_eq!(
        (refused.code(), reason(&refused).as_str()),
        (Code::AlreadyExists, "REVIEW_CASE_ALREADY_OPEN")
    );
    let info = refused.get_details_error_info().expect("ErrorInfo");
    assert!(info.metadata.is_empty(), "{:?}", info.metadata);
    let everything = format!("{} {}", refused.message(), String::from_utf8_lossy(refused.details()));
    assert!(!everything.contains(&ticket.case_number), "{everything}");
    assert!(!everything.contains(&ticket.case_number[2..]), "{everything}");
    suite.stop().await;
}

#[tokio::test]
async fn a_finished_lookup_asks_for_no_review() {
    let suite = demo_suite().await;
    let flow = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let mut lookup = lookup_client(suite.gateway().await);
    lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: flow.clone() })
        .await
        .expect("code sent");
    let code = suite.code_sent_to(MOBILE, 1).await;
    lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: flow.clone(), code })
        .await
        .expect("verified");

    let late = request(&suite, application(&flow, suite.human_check_token().await, vec![]))
        .await
        .expect_err("the lookup is done");
    assert_eq!(reason(&late), "WORKFLOW_STEP_OUT_OF_ORDER");
    // nor another code
    let resend = lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: flow })
        .await
        .expect_err("the lookup is done");
    assert_eq!(reason(&resend), "WORKFLOW_STEP_OUT_OF_ORDER");
    suite.stop().await;
}

#[tokio::test]
async fn documents_are_checked_before_the_pass_is_spent() {
    let suite = demo_suite().await;
    let flow = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let token = suite.human_check_token().await;
    let refused = |status: tonic::Status| {
        assert_eq!((status.code(), reason(&status).as_str()), (Code::InvalidArgument, "DOCUMENT_REJECTED"));
        field(&status)
    };

    let gif = Document {
        kind: DocumentKind::IdCardFront as i32,
        content_type: "image/png".into(),
        content: b"GIF89a....".to_vec(),
    };
    let not_an_image =
        request(&suite, application(&flow, token.clone(), vec![png(DocumentKind::Other), gif]))
            .await
            .expect_err("a GIF");
    assert_eq!(refused(not_an_image), "documents[1]");

    let mut large = vec![0xFF, 0xD8, 0xFF, 0xE0];
    large.resize(5 * 1024 * 1024 + 1, 0);
    let oversize =
        Document { kind: DocumentKind::Other as i32, content_type: "image/jpeg".into(), content: large };
    let too_large =
        request(&suite, application(&flow, token.clone(), vec![oversize])).await.expect_err("6 MiB");
    assert_eq!(refused(too_large), "documents[0]");

    let eleven = vec![png(DocumentKind::Other); 11];
    let too_many = request(&suite, application(&flow, token.clone(), eleven)).await.expect_err("eleven");
    assert_eq!(refused(too_many), "documents");

    // none of that spent the pass
    let ticket = request(&suite, application(&flow, token, vec![png(DocumentKind::IdCardFront)]))
        .await
        .expect("accepted");
    assert!(ticket.case_number.starts_with("RV"));
    suite.stop().await;
}
