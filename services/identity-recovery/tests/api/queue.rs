//! ListReviewCases: the staff queue, oldest deadline first, paged by keyset.

use beian_common::calendar::BusinessCalendar;
use beian_proto::{
    common::v1::{ReviewKind as Kind, ReviewState},
    identity_recovery::v1::{ListReviewCasesRequest, ListReviewCasesResponse},
};
use identity_recovery::reviews::ReviewKind;
use tonic::Code;

use crate::{
    cases::{self, millis, request, seed_case},
    support::{NOWHERE, TestApp, fields},
};

/// Cases submitted over a few weeks of 2026, of every kind, so deadlines differ and tie.
const HISTORY: [(&str, ReviewKind); 9] = [
    ("2026-03-02T10:00:00+08:00", ReviewKind::OfflineTransfer),
    ("2026-03-02T11:00:00+08:00", ReviewKind::AccountLookup),
    ("2026-03-02T12:00:00+08:00", ReviewKind::LegacyClaim),
    ("2026-03-03T09:00:00+08:00", ReviewKind::AccountLookup),
    ("2026-03-04T09:00:00+08:00", ReviewKind::FilingPassword),
    ("2026-03-04T10:00:00+08:00", ReviewKind::LegacyLoginReset),
    ("2026-03-05T15:00:00+08:00", ReviewKind::AccountLookup),
    ("2026-03-06T09:00:00+08:00", ReviewKind::LegacyClaim),
    ("2026-02-27T09:00:00+08:00", ReviewKind::FilingPassword),
];

/// Seeds the history; answers (deadline, case number, kind) of each case.
async fn seed_history(app: &TestApp) -> Vec<(i64, String, ReviewKind)> {
    let calendar = BusinessCalendar::china_default();
    let mut seeded = Vec::new();
    for (n, (submitted, kind)) in HISTORY.into_iter().enumerate() {
        let key = match kind {
            ReviewKind::AccountLookup | ReviewKind::LegacyClaim => format!("queue-{n}.example.cn"),
            _ => format!("{:08}", 40_000_000 + n),
        };
        let case = identity_recovery::seed::open_review_case(
            app.database(),
            &calendar,
            seed_case(kind, &key),
            millis(submitted),
        )
        .await
        .expect("seeded");
        seeded.push((case.deadline_at_ms, case.case_number, kind));
    }
    seeded
}

async fn list(
    app: &TestApp,
    request: ListReviewCasesRequest,
) -> Result<ListReviewCasesResponse, tonic::Status> {
    Ok(app.client().await.list_review_cases(app.request(request)).await?.into_inner())
}

/// Every page of a listing, following tokens.
async fn all_pages(app: &TestApp, first: ListReviewCasesRequest) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut request = first;
    loop {
        let page = list(app, request.clone()).await.expect("a page");
        pages.push(page.review_cases.iter().map(|c| c.case_number.clone()).collect());
        if page.next_page_token.is_empty() {
            return pages;
        }
        request.page_token = page.next_page_token;
    }
}

#[tokio::test]
async fn the_queue_pages_in_deadline_order() {
    let app = TestApp::start(NOWHERE).await;
    cases::seed_accounts(&app).await;
    let mut seeded = seed_history(&app).await;
    // one opened now: due last
    app.client()
        .await
        .open_review_case(app.request(request(Kind::AccountLookup, "today.example.cn")))
        .await
        .expect("opens");
    seeded.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let expected: Vec<String> = seeded.iter().map(|(_, number, _)| number.clone()).collect();

    let pages =
        all_pages(&app, ListReviewCasesRequest { page_size: 3, ..ListReviewCasesRequest::default() }).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 3, 1], "9 seeded and 1 opened now: {pages:?}");
    let listed: Vec<String> = pages.concat();
    assert_eq!(listed[..9], expected[..], "deadline, then case number");
    assert_eq!(listed.len(), 10);
    assert!(listed[9].starts_with("RV20"), "the case opened now is due last");

    // a kind alone, in the same order; the default page holds them all
    let claims = list(
        &app,
        ListReviewCasesRequest { kind: Kind::LegacyClaim as i32, ..ListReviewCasesRequest::default() },
    )
    .await
    .expect("claims");
    let expected_claims: Vec<&String> = seeded
        .iter()
        .filter(|(_, _, kind)| *kind == ReviewKind::LegacyClaim)
        .map(|(_, number, _)| number)
        .collect();
    let listed_claims: Vec<&String> = claims.review_cases.iter().map(|c| &c.case_number).collect();
    assert_eq!(listed_claims, expected_claims);
    assert!(claims.next_page_token.is_empty());
    let everything = list(&app, ListReviewCasesRequest::default()).await.expect("default page");
    assert_eq!(everything.review_cases.len(), 10);
    assert!(
        everything
            .review_cases
            .iter()
            .all(|c| !c.documents.is_empty() || c.kind == Kind::AccountLookup as i32)
    );

    // nothing is decided yet
    let approved = list(
        &app,
        ListReviewCasesRequest { state: ReviewState::Approved as i32, ..ListReviewCasesRequest::default() },
    )
    .await
    .expect("approved");
    assert!(approved.review_cases.is_empty() && approved.next_page_token.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn pages_neither_skip_nor_repeat_when_the_queue_changes() {
    let app = TestApp::start(NOWHERE).await;
    cases::seed_accounts(&app).await;
    let seeded = seed_history(&app).await;
    let first = list(&app, ListReviewCasesRequest { page_size: 4, ..ListReviewCasesRequest::default() })
        .await
        .expect("first page");
    // a case due before everything shown arrives between pages
    identity_recovery::seed::open_review_case(
        app.database(),
        &BusinessCalendar::china_default(),
        seed_case(ReviewKind::AccountLookup, "late-arrival.example.cn"),
        millis("2026-02-02T09:00:00+08:00"),
    )
    .await
    .expect("seeded");
    let rest = all_pages(
        &app,
        ListReviewCasesRequest {
            page_size: 4,
            page_token: first.next_page_token,
            ..ListReviewCasesRequest::default()
        },
    )
    .await
    .concat();
    let mut shown: Vec<String> = first.review_cases.into_iter().map(|c| c.case_number).collect();
    shown.extend(rest);
    let mut expected = seeded;
    expected.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let expected: Vec<String> = expected.into_iter().map(|(_, number, _)| number).collect();
    assert_eq!(shown, expected, "every case once, in order");
    app.stop().await;
}

#[tokio::test]
async fn bad_paging_input_is_named() {
    let app = TestApp::start(NOWHERE).await;
    cases::seed_accounts(&app).await;
    seed_history(&app).await;
    let first = list(&app, ListReviewCasesRequest { page_size: 2, ..ListReviewCasesRequest::default() })
        .await
        .expect("first page");
    let cases = [
        (
            ListReviewCasesRequest { page_token: "not-a-token".into(), ..ListReviewCasesRequest::default() },
            "page_token",
        ),
        (
            // a token of the full queue used on one kind's queue
            ListReviewCasesRequest {
                kind: Kind::AccountLookup as i32,
                page_token: first.next_page_token.clone(),
                ..ListReviewCasesRequest::default()
            },
            "page_token",
        ),
        (ListReviewCasesRequest { page_size: -1, ..ListReviewCasesRequest::default() }, "page_size"),
        (ListReviewCasesRequest { kind: 77, ..ListReviewCasesRequest::default() }, "kind"),
        (ListReviewCasesRequest { state: 77, ..ListReviewCasesRequest::default() }, "state"),
    ];
    for (request, field) in cases {
        let refused = list(&app, request).await.expect_err(field);
        assert_eq!((refused.code(), fields(&refused)), (Code::InvalidArgument, vec![field.to_owned()]));
    }
    app.stop().await;
}
