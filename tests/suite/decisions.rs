//! Staff decisions through the gateway on the whole suite: an approved account lookup
//! review sends the holder's login name to the applicant's contacts and completes; a
//! rejection sends its note and shows it in GetReviewStatus; a case is decided once;
//! only staff decide; views and decisions are audited; an approved FILING_PASSWORD case
//! issues a new filing password to the applicant's contacts.

use std::time::Duration;

use beian_proto::{
    common::v1::ReviewState,
    gateway::v1::{
        ApproveReviewCaseRequest, GetReviewCaseRequest, GetReviewStatusRequest, ListReviewAuditRequest,
        ListReviewCasesRequest, LoginRequest, RejectReviewCaseRequest, ReviewTicket, StaffAuditAction,
        account_service_client::AccountServiceClient,
        filing_password_service_client::FilingPasswordServiceClient,
        legacy_login_service_client::LegacyLoginServiceClient,
        staff_review_service_client::StaffReviewServiceClient,
    },
};
use beian_tests::TestSuite;
use tonic::{Code, Request, transport::Channel};

use crate::{
    filing_password,
    lookup::{MOBILE, demo_suite, start},
    reason,
    reviews::{application, request},
};

/// The applicant's contacts in `reviews::application`.
const APPLICANT_MOBILE: &str = "13912340000";
const APPLICANT_EMAIL: &str = "zw.new@example.net";

pub(crate) fn bearer<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

pub(crate) async fn login(suite: &TestSuite, login_name: &str) -> String {
    AccountServiceClient::new(suite.gateway().await)
        .login(LoginRequest { login_name: login_name.into(), password: beian::demo::ACCOUNT_PASSWORD.into() })
        .await
        .expect("demo login")
        .into_inner()
        .session_token
}

pub(crate) async fn staff(suite: &TestSuite) -> StaffReviewServiceClient<Channel> {
    StaffReviewServiceClient::new(suite.gateway().await)
}

/// A lookup review for shop-zhang.cn (held by zhangwei2019) through the gateway.
async fn lookup_review(suite: &TestSuite) -> ReviewTicket {
    let flow = start(suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let token = suite.human_check_token().await;
    request(suite, application(&flow, token, vec![])).await.expect("a case")
}

async fn status(suite: &TestSuite, case_number: &str, mobile: &str) -> Result<ReviewTicket, tonic::Status> {
    LegacyLoginServiceClient::new(suite.gateway().await)
        .get_review_status(GetReviewStatusRequest {
            case_number: case_number.into(),
            applicant_mobile: mobile.into(),
        })
        .await
        .map(|r| r.into_inner().ticket.expect("a ticket"))
}

async fn wait_for_state(suite: &TestSuite, case_number: &str, state: ReviewState) -> ReviewTicket {
    for _ in 0..200 {
        let ticket = status(suite, case_number, APPLICANT_MOBILE).await.expect("status");
        if ticket.state == state as i32 {
            return ticket;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{case_number} never reached {state:?}");
}

async fn audit(suite: &TestSuite, token: &str, case_number: &str) -> Vec<(StaffAuditAction, String)> {
    staff(suite)
        .await
        .list_review_audit(bearer(ListReviewAuditRequest { case_number: case_number.into() }, token))
        .await
        .expect("audit")
        .into_inner()
        .entries
        .into_iter()
        .map(|e| (StaffAuditAction::try_from(e.action).expect("known"), e.note))
        .collect()
}

#[tokio::test]
async fn an_approved_lookup_review_sends_the_login_name_to_the_accounts_bound_contacts_once() {
    let suite = demo_suite().await;
    let ticket = lookup_review(&suite).await;
    let reviewer = login(&suite, "reviewer01").await;
    let mut staff = staff(&suite).await;

    let queue = staff
        .list_review_cases(bearer(ListReviewCasesRequest::default(), &reviewer))
        .await
        .expect("queue")
        .into_inner();
    let listed =
        queue.review_cases.iter().find(|c| c.ticket.as_ref().unwrap().case_number == ticket.case_number);
    assert!(listed.is_some_and(|c| !c.overdue), "listed, not overdue");
    staff
        .get_review_case(bearer(GetReviewCaseRequest { case_number: ticket.case_number.clone() }, &reviewer))
        .await
        .expect("viewed");

    let holder = login(&suite, "zhangwei2019").await;
    let not_staff = staff
        .approve_review_case(bearer(
            ApproveReviewCaseRequest { case_number: ticket.case_number.clone(), note: String::new() },
            &holder,
        ))
        .await
        .expect_err("not staff");
    assert_eq!((not_staff.code(), reason(&not_staff).as_str()), (Code::PermissionDenied, "STAFF_ONLY"));

    let approved = staff
        .approve_review_case(bearer(
            ApproveReviewCaseRequest { case_number: ticket.case_number.clone(), note: "证件一致".into() },
            &reviewer,
        ))
        .await
        .expect("approved")
        .into_inner()
        .review_case
        .expect("a case");
    assert_eq!(approved.ticket.as_ref().unwrap().state, ReviewState::Approved as i32);
    assert!(approved.decide_time.is_some() && !approved.decided_by.is_empty());

    let sent = suite
        .wait_for_messages(2, |m| {
            m["template"] == "LOGIN_NAME" && m["params"]["login_name"] == "zhangwei2019"
        })
        .await;
    let mut destinations: Vec<&str> = sent.iter().map(|m| m["destination"].as_str().unwrap()).collect();
    destinations.sort_unstable();
    // seed 000: to the account's bound mobile and email, never to what an applicant typed
    assert_eq!(destinations, [MOBILE, "zhang.wei@example.com"], "{destinations:?}");
    assert!(!destinations.contains(&APPLICANT_MOBILE) && !destinations.contains(&APPLICANT_EMAIL));
    let done = wait_for_state(&suite, &ticket.case_number, ReviewState::Completed).await;
    assert!(done.rejection_note.is_empty());

    let again = staff
        .reject_review_case(bearer(
            RejectReviewCaseRequest { case_number: ticket.case_number.clone(), note: "晚了".into() },
            &reviewer,
        ))
        .await
        .expect_err("decided");
    assert_eq!(
        (again.code(), reason(&again).as_str()),
        (Code::FailedPrecondition, "REVIEW_CASE_ALREADY_DECIDED")
    );
    let actions: Vec<StaffAuditAction> =
        audit(&suite, &reviewer, &ticket.case_number).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        actions,
        [StaffAuditAction::ViewCase, StaffAuditAction::Approve, StaffAuditAction::EffectApplied]
    );

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let login_names = suite
        .messages()
        .into_iter()
        .filter(|m| m["template"] == "LOGIN_NAME" && m["destination"] == MOBILE)
        .count();
    assert_eq!(login_names, 1, "sent once");
    suite.stop().await;
}

#[tokio::test]
async fn a_rejected_review_tells_the_applicant_why() {
    let suite = demo_suite().await;
    let ticket = lookup_review(&suite).await;
    let reviewer = login(&suite, "reviewer01").await;
    let mut staff = staff(&suite).await;
    let blank = staff
        .reject_review_case(bearer(
            RejectReviewCaseRequest { case_number: ticket.case_number.clone(), note: " ".into() },
            &reviewer,
        ))
        .await
        .expect_err("a rejection needs a note");
    assert_eq!(blank.code(), Code::InvalidArgument);
    staff
        .reject_review_case(bearer(
            RejectReviewCaseRequest {
                case_number: ticket.case_number.clone(),
                note: "请上传清晰的身份证照片".into(),
            },
            &reviewer,
        ))
        .await
        .expect("rejected");
    let notices = suite.wait_for_messages(2, |m| m["template"] == "REVIEW_DECIDED").await;
    for notice in &notices {
        assert!(notice["text"].as_str().unwrap().contains("请上传清晰的身份证照片"), "{notice}");
        assert!(notice["text"].as_str().unwrap().contains(&ticket.case_number));
    }
    let seen = status(&suite, &ticket.case_number, "+86 139 1234 0000").await.expect("the applicant");
    assert_eq!(
        (seen.state, seen.rejection_note.as_str()),
        (ReviewState::Rejected as i32, "请上传清晰的身份证照片")
    );
    let stranger = status(&suite, &ticket.case_number, "13700000000").await.expect_err("not the applicant");
    let unknown = status(&suite, "RV20260101000000", APPLICANT_MOBILE).await.expect_err("no case");
    assert_eq!(
        (reason(&stranger).as_str(), reason(&unknown).as_str()),
        ("REVIEW_CASE_NOT_FOUND", "REVIEW_CASE_NOT_FOUND")
    );
    assert_eq!(stranger.message(), unknown.message());
    suite.stop().await;
}

#[tokio::test]
async fn an_approved_filing_password_case_issues_a_new_password_to_the_applicant_once() {
    let suite = demo_suite().await;
    let mut service = FilingPasswordServiceClient::new(suite.gateway().await);
    let token = suite.human_check_token().await;
    let ticket = service
        .request_filing_password_review(filing_password::review(token))
        .await
        .expect("opened")
        .into_inner()
        .ticket
        .expect("a ticket");
    let reviewer = login(&suite, "reviewer01").await;
    staff(&suite)
        .await
        .approve_review_case(bearer(
            ApproveReviewCaseRequest { case_number: ticket.case_number.clone(), note: String::new() },
            &reviewer,
        ))
        .await
        .expect("approved");

    wait_for_state(&suite, &ticket.case_number, ReviewState::Completed).await;
    let sent = suite.wait_for_messages(2, |m| m["template"] == "FILING_PASSWORD").await;
    let mut destinations: Vec<&str> = sent.iter().map(|m| m["destination"].as_str().unwrap()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, [APPLICANT_MOBILE, APPLICANT_EMAIL], "to the contacts the applicant gave");
    let password = sent[0]["params"]["filing_password"].as_str().expect("the new password").to_owned();
    assert_eq!(sent[1]["params"]["filing_password"], password.as_str(), "one password, two channels");
    filing_password::check(&suite, &password).await.expect("the new password works");
    let old = filing_password::check(&suite, filing_password::DEMO_PASSWORD).await.expect_err("the old one");
    assert_eq!(reason(&old), "FILING_PASSWORD_INCORRECT");

    let actions: Vec<StaffAuditAction> =
        audit(&suite, &reviewer, &ticket.case_number).await.into_iter().map(|e| e.0).collect();
    assert_eq!(actions, [StaffAuditAction::Approve, StaffAuditAction::EffectApplied]);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let issued = suite.messages().into_iter().filter(|m| m["template"] == "FILING_PASSWORD").count();
    assert_eq!(issued, 2, "issued once");
    suite.stop().await;
}

#[tokio::test]
async fn review_status_lookups_are_capped_per_client() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_status_lookups_per_client_per_day = 3;
    })
    .await;
    let ticket = lookup_review(&suite).await;
    status(&suite, &ticket.case_number, APPLICANT_MOBILE).await.expect("the applicant");
    for guess in ["13700000000", "13700000001"] {
        let missed = status(&suite, &ticket.case_number, guess).await.expect_err("a guess");
        assert_eq!(reason(&missed), "REVIEW_CASE_NOT_FOUND");
    }
    let capped = status(&suite, &ticket.case_number, APPLICANT_MOBILE).await.expect_err("over the quota");
    assert_eq!((capped.code(), reason(&capped).as_str()), (Code::ResourceExhausted, "CLIENT_LIMIT"));
    suite.stop().await;
}
