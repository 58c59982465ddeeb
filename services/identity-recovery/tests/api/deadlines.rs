//! Deadlines in business days: weekends, holidays and make-up workdays, from the
//! calendar the service is given.

use beian_common::calendar::BusinessCalendar;
use beian_platform::config::Secret;
use beian_proto::{
    common::v1::ReviewKind as Kind,
    identity_recovery::v1::{GetReviewCaseRequest, ReviewCase},
};
use chrono::{DateTime, Days, FixedOffset, Utc};
use identity_recovery::reviews::ReviewKind;

use crate::{
    cases::{self, ALL_KINDS, key_for, millis, request, seed_case},
    support::{NOWHERE, TestApp},
};

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

fn time_of(time: Option<prost_types::Timestamp>) -> DateTime<Utc> {
    let time = time.expect("a time");
    DateTime::from_timestamp(time.seconds, u32::try_from(time.nanos).expect("nanos")).expect("in range")
}

async fn get(app: &TestApp, case_number: &str) -> ReviewCase {
    app.client()
        .await
        .get_review_case(
            app.request(GetReviewCaseRequest { case_number: case_number.into(), staff_id: "staff-1".into() }),
        )
        .await
        .expect("get")
        .into_inner()
        .review_case
        .expect("a case")
}

#[tokio::test]
async fn cases_opened_now_skip_the_configured_holidays() {
    // the next three China dates are holidays in this deployment's calendar
    let today = Utc::now().with_timezone(&china()).date_naive();
    let holidays: String = (1..=3)
        .map(|n| format!("{} holiday # test\n", today.checked_add_days(Days::new(n)).expect("date")))
        .collect();
    let calendar = BusinessCalendar::parse(&holidays).expect("a calendar");
    let app = TestApp::start_with(NOWHERE, Secret::generate(), calendar.clone()).await;
    cases::seed_accounts(&app).await;
    let mut client = app.client().await;

    for (n, kind) in ALL_KINDS.into_iter().enumerate() {
        let case = client
            .open_review_case(app.request(request(kind, &key_for(kind, n))))
            .await
            .expect("opens")
            .into_inner()
            .review_case
            .expect("a case");
        let submitted = time_of(case.submit_time);
        let deadline = time_of(case.deadline);
        let days = ReviewKind::parse(kind.as_str_name().trim_start_matches("REVIEW_KIND_")).expect("kind");
        assert_eq!(deadline, calendar.deadline(submitted, days.business_days()), "{kind:?}");
        let due = deadline.with_timezone(&china()).date_naive();
        assert!(
            due > today.checked_add_days(Days::new(3)).expect("date"),
            "{kind:?} due {due} inside the holidays"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn deadlines_across_weekends_holidays_and_make_up_days() {
    let app = TestApp::start(NOWHERE).await;
    cases::seed_accounts(&app).await;
    let calendar = BusinessCalendar::china_default();
    let cases = [
        // Friday 2026-09-25 is 中秋 (a holiday), then the weekend: due Monday
        ("2026-09-25T10:00:00+08:00", ReviewKind::AccountLookup, "2026-09-28T23:59:59.999+08:00"),
        // Thursday + 2 business days: Friday, then Monday
        ("2026-03-05T16:30:00+08:00", ReviewKind::FilingPassword, "2026-03-09T23:59:59.999+08:00"),
        // Friday + 3: Monday to Wednesday
        ("2026-03-06T09:00:00+08:00", ReviewKind::OfflineTransfer, "2026-03-11T23:59:59.999+08:00"),
        // Friday 2026-09-18 + 1: Sunday 09-20 is a make-up workday before 国庆
        ("2026-09-18T11:00:00+08:00", ReviewKind::LegacyClaim, "2026-09-20T23:59:59.999+08:00"),
        // Wednesday 2026-09-30 23:30 + 2: 国庆 01–07, then Thursday and Friday
        ("2026-09-30T23:30:00+08:00", ReviewKind::LegacyLoginReset, "2026-10-09T23:59:59.999+08:00"),
        // 00:30 China time on Thursday 10-01 is still Wednesday in UTC: China's date counts
        ("2026-10-01T00:30:00+08:00", ReviewKind::AccountLookup, "2026-10-08T23:59:59.999+08:00"),
    ];
    for (n, (submitted, kind, due)) in cases.into_iter().enumerate() {
        let key = match kind {
            ReviewKind::AccountLookup | ReviewKind::LegacyClaim => format!("deadline-{n}.example.cn"),
            _ => format!("{:08}", 30_000_000 + n),
        };
        let seeded = identity_recovery::seed::open_review_case(
            app.database(),
            &calendar,
            seed_case(kind, &key),
            millis(submitted),
        )
        .await
        .expect("seeded");
        let case = get(&app, &seeded.case_number).await;
        let submit_time = time_of(case.submit_time);
        assert_eq!(submit_time.timestamp_millis(), millis(submitted));
        let local_date = DateTime::parse_from_rfc3339(submitted).expect("time").format("%Y%m%d").to_string();
        assert!(case.case_number.starts_with(&format!("RV{local_date}")), "{}", case.case_number);
        assert_eq!(time_of(case.deadline).timestamp_millis(), millis(due), "{submitted} {kind:?}");
        assert_eq!(time_of(case.deadline), calendar.deadline(submit_time, kind.business_days()));
    }
    // the wire kinds line up with the domain's days
    assert_eq!(ALL_KINDS.len(), ReviewKind::ALL.len());
    assert_eq!(Kind::OfflineTransfer.as_str_name(), "REVIEW_KIND_OFFLINE_TRANSFER");
    app.stop().await;
}
