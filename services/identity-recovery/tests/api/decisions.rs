//! DecideReviewCase and what follows it: a case is decided once (racing decisions: one
//! wins), the effect an approval owes is applied by the worker until done (then
//! COMPLETED), a rejection's note reaches the applicant, every staff view and decision
//! is audited, the overdue queue, and GetReviewStatus for applicants.

use std::time::Duration;

use beian_common::calendar::BusinessCalendar;
use beian_platform::config::Secret;
use beian_proto::{
    common::v1::{ReviewKind as Kind, ReviewState as State},
    identity_recovery::v1::{
        DecideReviewCaseRequest, GetReviewCaseRequest, GetReviewDocumentRequest, GetReviewStatusRequest,
        ListReviewAuditRequest, ListReviewCasesRequest, ReviewAuditAction as Action, ReviewCase,
        ReviewStatus, ReviewSubject,
    },
    verification_codes::v1::NoticeTemplate,
};
use identity_recovery::reviews::ReviewKind;
use sqlx::Row;
use tonic::Code;

use crate::{
    cases::{self, CLAIMER, EMAIL, MOBILE, millis, request, seed_case},
    fake_codes::FakeCodes,
    fake_registry::FakeRegistry,
    support::{NOWHERE, TestApp, fields, reason},
};

pub struct World {
    pub app: TestApp,
    pub codes: FakeCodes,
    pub registry: FakeRegistry,
}

/// The service with a fake verification-codes and a fake filing-registry whose issue
/// call answers UNIMPLEMENTED `unimplemented_for` times first.
pub async fn start(unimplemented_for: usize) -> World {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let registry = FakeRegistry::start(token.clone(), unimplemented_for).await;
    let app = TestApp::start_full(&codes.url(), &registry.url(), token, |_| {}).await;
    cases::seed_accounts(&app).await;
    World { app, codes, registry }
}

/// An account lookup case whose filing is held by the claimer's account.
async fn open_lookup(app: &TestApp, domain: &str) -> ReviewCase {
    let mut open = request(Kind::AccountLookup, domain);
    open.subject =
        Some(ReviewSubject { domain: domain.into(), account_id: CLAIMER.into(), ..ReviewSubject::default() });
    open_case(app, open).await
}

pub async fn open_case(
    app: &TestApp,
    open: beian_proto::identity_recovery::v1::OpenReviewCaseRequest,
) -> ReviewCase {
    app.client()
        .await
        .open_review_case(app.request(open))
        .await
        .expect("opens")
        .into_inner()
        .review_case
        .expect("a case")
}

pub fn decision(case_number: &str, staff: &str, approve: bool, note: &str) -> DecideReviewCaseRequest {
    DecideReviewCaseRequest {
        case_number: case_number.into(),
        staff_id: staff.into(),
        approve,
        note: note.into(),
    }
}

pub async fn decide(app: &TestApp, request: DecideReviewCaseRequest) -> Result<ReviewCase, tonic::Status> {
    app.client()
        .await
        .decide_review_case(app.request(request))
        .await
        .map(|r| r.into_inner().review_case.expect("a case"))
}

pub async fn status(app: &TestApp, case_number: &str, mobile: &str) -> Result<ReviewStatus, tonic::Status> {
    app.client()
        .await
        .get_review_status(app.request(GetReviewStatusRequest {
            case_number: case_number.into(),
            applicant_mobile: mobile.into(),
        }))
        .await
        .map(|r| r.into_inner().status.expect("a status"))
}

/// Polls the applicant's view (which records nothing) until the case is in `state`.
pub async fn wait_for_state(app: &TestApp, case_number: &str, state: State) -> ReviewStatus {
    for _ in 0..200 {
        let seen = status(app, case_number, MOBILE).await.expect("status");
        if seen.state == state as i32 {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("case {case_number} never reached {state:?}");
}

pub async fn audit(app: &TestApp, case_number: &str) -> Vec<(String, Action, String, String)> {
    let entries = app
        .client()
        .await
        .list_review_audit(app.request(ListReviewAuditRequest { case_number: case_number.into() }))
        .await
        .expect("audit")
        .into_inner()
        .entries;
    entries
        .into_iter()
        .map(|e| (e.actor, Action::try_from(e.action).expect("known"), e.document_id, e.note))
        .collect()
}

/// (attempts, last error, done) of the case's effect row.
pub async fn effect_row(app: &TestApp, case_number: &str) -> (i64, Option<String>, bool) {
    let row = sqlx::query(
        "select attempts, last_error, cast(case when done_at_ms is null then 0 else 1 end as bigint) as done \
         from review_effects where case_number = $1",
    )
    .bind(case_number)
    .fetch_one(app.database().reader())
    .await
    .expect("an effect row");
    (row.get("attempts"), row.get("last_error"), row.get::<i64, _>("done") != 0)
}

#[tokio::test]
async fn an_approved_lookup_sends_the_holders_login_name_to_its_bound_contacts_then_completes() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_lookup(app, "approve.example.cn").await;
    let approved =
        decide(app, decision(&case.case_number, "reviewer01", true, "证件一致")).await.expect("approved");
    assert_eq!(approved.state, State::Approved as i32, "approved at once, completed by the worker");
    assert_eq!((approved.decided_by.as_str(), approved.decision_note.as_str()), ("reviewer01", "证件一致"));
    assert!(approved.decide_time.is_some());

    let done = wait_for_state(app, &case.case_number, State::Completed).await;
    assert!(done.rejection_note.is_empty(), "an approval's note is for staff");
    let mut notices: Vec<(String, String, i32, String)> = world
        .codes
        .notice_calls()
        .into_iter()
        .map(|n| (n.idempotency_key, n.destination, n.template, n.params["login_name"].clone()))
        .collect();
    notices.sort();
    let key = |channel: &str| format!("{}:login-name:{channel}", case.case_number);
    let login_name = NoticeTemplate::LoginName as i32;
    assert_eq!(
        notices,
        vec![
            (key("email"), "claimer@example.com".to_owned(), login_name, "claimer01".to_owned()),
            (key("sms"), "13900000001".to_owned(), login_name, "claimer01".to_owned()),
        ],
        "the holder's login name, to the holder account's bound contacts (seed 000), not the applicant's"
    );
    let actions: Vec<Action> = audit(app, &case.case_number).await.into_iter().map(|e| e.1).collect();
    assert_eq!(actions, [Action::Approve, Action::EffectApplied]);
    world.app.stop().await;
}

#[tokio::test]
async fn a_case_is_decided_once() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_lookup(app, "once.example.cn").await;
    decide(app, decision(&case.case_number, "reviewer01", false, "材料不清晰")).await.expect("rejected");
    for again in [
        decision(&case.case_number, "reviewer02", true, ""),
        decision(&case.case_number, "reviewer01", false, "再次"),
    ] {
        let refused = decide(app, again).await.expect_err("decided already");
        assert_eq!(
            (refused.code(), reason(&refused).as_str()),
            (Code::FailedPrecondition, "REVIEW_CASE_ALREADY_DECIDED")
        );
    }
    let unknown =
        decide(app, decision("RV20260101000000", "reviewer01", true, "")).await.expect_err("no case");
    assert_eq!((unknown.code(), reason(&unknown).as_str()), (Code::NotFound, "REVIEW_CASE_NOT_FOUND"));
    let seen = status(app, &case.case_number, MOBILE).await.expect("status");
    assert_eq!((seen.state, seen.rejection_note.as_str()), (State::Rejected as i32, "材料不清晰"));
    world.app.stop().await;
}

#[tokio::test]
async fn of_racing_decisions_exactly_one_wins() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_lookup(app, "race.example.cn").await;
    let attempts = (0..8).map(|i| {
        let request = decision(&case.case_number, &format!("reviewer{i:02}"), i % 2 == 0, "并发");
        async move { decide(app, request).await }
    });
    let results = futures::future::join_all(attempts).await;
    let winners: Vec<&ReviewCase> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(reason(refused), "REVIEW_CASE_ALREADY_DECIDED");
    }
    let decisions: Vec<Action> = audit(app, &case.case_number)
        .await
        .into_iter()
        .map(|e| e.1)
        .filter(|a| matches!(a, Action::Approve | Action::Reject))
        .collect();
    assert_eq!(decisions.len(), 1, "one decision recorded");
    let row = sqlx::query("select cast(count(*) as bigint) as n from review_effects where case_number = $1")
        .bind(&case.case_number)
        .fetch_one(app.database().reader())
        .await
        .expect("counted");
    assert_eq!(row.get::<i64, _>("n"), 1, "one effect owed");
    world.app.stop().await;
}

#[tokio::test]
async fn a_rejection_sends_the_note_to_the_applicant_and_needs_one() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_lookup(app, "reject.example.cn").await;
    for (note, why) in [("", "blank"), ("第一行\n第二行", "line break"), (&"长".repeat(129), "too long")]
    {
        let refused =
            decide(app, decision(&case.case_number, "reviewer01", false, note)).await.expect_err(why);
        assert_eq!(
            (refused.code(), fields(&refused)),
            (Code::InvalidArgument, vec!["note".to_owned()]),
            "{why}"
        );
    }
    let blank_staff = decide(app, decision(&case.case_number, " ", true, "")).await.expect_err("no staff");
    assert_eq!(fields(&blank_staff), ["staff_id"]);

    let rejected = decide(app, decision(&case.case_number, "reviewer01", false, "请上传清晰的身份证照片"))
        .await
        .expect("rejected");
    assert_eq!(rejected.state, State::Rejected as i32);
    for _ in 0..200 {
        if world.codes.outbox_keys().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let notices = world.codes.notice_calls();
    let keys: Vec<String> = world.codes.outbox_keys();
    assert_eq!(
        keys,
        [format!("{}:rejected:email", case.case_number), format!("{}:rejected:sms", case.case_number)]
    );
    for notice in &notices {
        assert_eq!(notice.template, NoticeTemplate::ReviewDecided as i32);
        assert_eq!(notice.params["decision"], "REJECTED");
        assert_eq!(notice.params["note"], "请上传清晰的身份证照片");
        assert_eq!(notice.params["case_number"], case.case_number);
    }
    // the row is done; the case stays REJECTED
    for _ in 0..200 {
        if effect_row(app, &case.case_number).await.2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(effect_row(app, &case.case_number).await.2);
    let seen = status(app, &case.case_number, MOBILE).await.expect("status");
    assert_eq!(
        (seen.state, seen.rejection_note.as_str()),
        (State::Rejected as i32, "请上传清晰的身份证照片")
    );
    world.app.stop().await;
}

#[tokio::test]
async fn a_failing_effect_is_retried_until_done_and_sends_once() {
    let world = start(0).await;
    let app = &world.app;
    world.codes.fail_notices(3);
    let case = open_lookup(app, "retry.example.cn").await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    wait_for_state(app, &case.case_number, State::Completed).await;
    assert_eq!(
        world.codes.outbox_keys(),
        [format!("{}:login-name:email", case.case_number), format!("{}:login-name:sms", case.case_number)],
        "each notice queued once, however often it was tried"
    );
    let (attempts, last_error, done) = effect_row(app, &case.case_number).await;
    assert!(attempts >= 2 && done && last_error.is_none(), "{attempts} {last_error:?} {done}");
    world.app.stop().await;
}

#[tokio::test]
async fn a_filing_password_effect_stays_approved_while_filing_registry_cannot_apply_it() {
    let world = start(3).await;
    let app = &world.app;
    let case = open_case(app, request(Kind::FilingPassword, "19000001")).await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    for _ in 0..200 {
        if world.registry.calls().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (attempts, last_error, done) = effect_row(app, &case.case_number).await;
    assert!(attempts >= 1 && !done && last_error.is_some_and(|e| !e.contains(MOBILE)), "{attempts} {done}");
    assert!(world.registry.issued().is_empty());

    wait_for_state(app, &case.case_number, State::Completed).await;
    assert_eq!(world.registry.issued(), std::slice::from_ref(&case.case_number));
    let call = world.registry.calls().pop().expect("a call");
    assert_eq!(
        (call.filing_number.as_str(), call.mobile.as_str(), call.email.as_str(), call.locale.as_str()),
        ("浙ICP备19000001号", MOBILE, EMAIL, "zh-CN")
    );
    assert!(world.registry.calls().iter().all(|c| c.case_number == case.case_number), "keyed by the case");
    world.app.stop().await;
}

#[tokio::test]
async fn an_unreachable_filing_registry_keeps_the_case_approved_and_retrying() {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = TestApp::start_full(&codes.url(), NOWHERE, token, |_| {}).await;
    let case = open_case(&app, request(Kind::FilingPassword, "19000002")).await;
    decide(&app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    for _ in 0..200 {
        if effect_row(&app, &case.case_number).await.0 >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (attempts, _, done) = effect_row(&app, &case.case_number).await;
    assert!(attempts >= 2 && !done, "retried: {attempts}");
    assert_eq!(status(&app, &case.case_number, MOBILE).await.expect("status").state, State::Approved as i32);
    app.stop().await;
}

#[tokio::test]
async fn a_claim_naming_no_filing_can_be_rejected_not_approved() {
    let world = start(0).await;
    let app = &world.app;
    // a claim moves a legacy filing: one that names none cannot be approved
    let claim = open_case(app, request(Kind::LegacyClaim, "claim.example.cn")).await;
    let refused =
        decide(app, decision(&claim.case_number, "reviewer01", true, "")).await.expect_err("no filing");
    assert_eq!(fields(&refused), ["case_number"]);
    decide(app, decision(&claim.case_number, "reviewer01", false, "材料不全")).await.expect("rejected");
    // a lookup case that does not name the holder cannot be approved either
    let bare = open_case(app, request(Kind::AccountLookup, "bare.example.cn")).await;
    let refused =
        decide(app, decision(&bare.case_number, "reviewer01", true, "")).await.expect_err("no holder");
    assert_eq!(fields(&refused), ["case_number"]);
    assert_eq!(status(app, &bare.case_number, MOBILE).await.expect("status").state, State::Pending as i32);
    world.app.stop().await;
}

#[tokio::test]
async fn every_staff_view_and_decision_is_audited() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_case(app, request(Kind::FilingPassword, "19000005")).await;
    let mut client = app.client().await;
    let view =
        |staff: &str| GetReviewCaseRequest { case_number: case.case_number.clone(), staff_id: staff.into() };
    client.get_review_case(app.request(view("reviewer01"))).await.expect("viewed");
    let document_id = case.documents[0].document_id.clone();
    client
        .get_review_document(app.request(GetReviewDocumentRequest {
            case_number: case.case_number.clone(),
            document_id: document_id.clone(),
            staff_id: "reviewer02".into(),
        }))
        .await
        .expect("downloaded");
    let anonymous = client.get_review_case(app.request(view(""))).await.expect_err("who looks?");
    assert_eq!(fields(&anonymous), ["staff_id"]);
    decide(app, decision(&case.case_number, "reviewer02", false, "照片模糊")).await.expect("rejected");

    assert_eq!(
        audit(app, &case.case_number).await,
        vec![
            ("reviewer01".to_owned(), Action::ViewCase, String::new(), String::new()),
            ("reviewer02".to_owned(), Action::ViewDocument, document_id, String::new()),
            ("reviewer02".to_owned(), Action::Reject, String::new(), "照片模糊".to_owned()),
        ]
    );
    let unknown = client
        .list_review_audit(app.request(ListReviewAuditRequest { case_number: "RV20260101000000".into() }))
        .await
        .expect_err("no case");
    assert_eq!(reason(&unknown), "REVIEW_CASE_NOT_FOUND");
    world.app.stop().await;
}

#[tokio::test]
async fn the_overdue_queue_holds_pending_cases_past_their_deadline() {
    let world = start(0).await;
    let app = &world.app;
    let calendar = BusinessCalendar::china_default();
    let mut overdue = Vec::new();
    for (n, kind) in [ReviewKind::AccountLookup, ReviewKind::FilingPassword].into_iter().enumerate() {
        let key = if kind == ReviewKind::AccountLookup {
            "late.example.cn".to_owned()
        } else {
            format!("{:08}", 19_100_000 + n)
        };
        let case = identity_recovery::seed::open_review_case(
            app.database(),
            &calendar,
            seed_case(kind, &key),
            millis("2025-03-03T09:00:00+08:00"),
        )
        .await
        .expect("seeded");
        overdue.push(case.case_number);
    }
    let fresh = open_lookup(app, "fresh.example.cn").await;
    assert!(!fresh.overdue);

    let list = |overdue_only: bool, page_token: String| ListReviewCasesRequest {
        overdue_only,
        page_size: 1,
        page_token,
        ..ListReviewCasesRequest::default()
    };
    let mut client = app.client().await;
    let first =
        client.list_review_cases(app.request(list(true, String::new()))).await.expect("page 1").into_inner();
    let second = client
        .list_review_cases(app.request(list(true, first.next_page_token.clone())))
        .await
        .expect("page 2")
        .into_inner();
    let shown: Vec<(String, bool)> = first
        .review_cases
        .iter()
        .chain(&second.review_cases)
        .map(|c| (c.case_number.clone(), c.overdue))
        .collect();
    let mut expected: Vec<(String, bool)> = overdue.iter().map(|n| (n.clone(), true)).collect();
    expected.sort();
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "only the overdue ones");
    assert!(second.next_page_token.is_empty());
    let wrong_filter = client
        .list_review_cases(app.request(list(false, first.next_page_token)))
        .await
        .expect_err("other filter");
    assert_eq!(fields(&wrong_filter), ["page_token"]);

    decide(app, decision(&overdue[0], "reviewer01", false, "逾期处理")).await.expect("decided");
    let after = client
        .list_review_cases(
            app.request(ListReviewCasesRequest { overdue_only: true, ..ListReviewCasesRequest::default() }),
        )
        .await
        .expect("listed")
        .into_inner();
    let numbers: Vec<&str> = after.review_cases.iter().map(|c| c.case_number.as_str()).collect();
    assert_eq!(numbers, [overdue[1].as_str()], "decided cases are no longer overdue");
    world.app.stop().await;
}

#[tokio::test]
async fn review_status_needs_the_applicants_mobile_and_hides_the_case_otherwise() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_lookup(app, "status.example.cn").await;
    let seen = status(app, &case.case_number, "+86 137 1234 5678").await.expect("typed another way");
    assert_eq!((seen.kind, seen.state), (Kind::AccountLookup as i32, State::Pending as i32));
    assert_eq!(seen.deadline, case.deadline);
    assert!(seen.rejection_note.is_empty());
    let wrong_mobile = status(app, &case.case_number, "13912345678").await.expect_err("not the applicant");
    let unknown_case = status(app, "RV20260101000000", MOBILE).await.expect_err("no such case");
    for refused in [&wrong_mobile, &unknown_case] {
        assert_eq!((refused.code(), reason(refused).as_str()), (Code::NotFound, "REVIEW_CASE_NOT_FOUND"));
    }
    assert_eq!(wrong_mobile.message(), unknown_case.message(), "indistinguishable");
    let malformed = status(app, &case.case_number, "12345").await.expect_err("not a mobile");
    assert_eq!(fields(&malformed), ["applicant_mobile"]);
    world.app.stop().await;
}
