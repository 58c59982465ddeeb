//! Filing passwords (SPEC §3): recovery, the check with its lock, issue by review, and
//! the relay of their notices to verification-codes.

use std::time::Duration;

use beian_proto::{common::v1 as common, filing_registry::v1 as pb};
use sqlx::Row;

use crate::support::*;

/// The password a notice carries.
fn password_in(notice: &beian_proto::verification_codes::v1::EnqueueNoticeRequest) -> String {
    notice.params.get("filing_password").cloned().expect("a filing password parameter")
}

#[tokio::test]
async fn a_matching_recovery_issues_a_new_password_to_the_principal_and_the_old_one_stops_working() {
    let app = TestApp::start().await;
    let sent = app.recover(recovery("r1")).await.expect("recovers");
    assert_eq!(sent, vec!["152****1234".to_owned(), "z***@example.com".to_owned()]);

    let notices = app.codes.wait_for(2).await;
    let destinations: Vec<&str> = notices.iter().map(|n| n.destination.as_str()).collect();
    assert_eq!(destinations, vec![EMAIL, MOBILE], "to the principal, by key order");
    assert!(
        notices.iter().all(|n| n.template
            == beian_proto::verification_codes::v1::NoticeTemplate::FilingPassword as i32
            && n.locale == "zh-CN")
    );
    let password = password_in(&notices[0]);
    assert_eq!(password, password_in(&notices[1]), "one password, two channels");
    assert!(password.len() == 6 && password.bytes().all(|b| b.is_ascii_digit()), "{password:?}");

    assert_eq!(reason(&app.check(OLD_PASSWORD).await.expect_err("the old one")), "FILING_PASSWORD_INCORRECT");
    app.check(&password).await.expect("the new one");

    // at rest: a hash, never the password; the handed-off notices' parameters cleared
    let row = sqlx::query("select filing_password_hash from subjects where subject_id = $1")
        .bind(SUBJECT_ID)
        .fetch_one(app.database().reader())
        .await
        .unwrap();
    let hash: String = row.get("filing_password_hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&password));
    let rows = sqlx::query("select state, sealed_params from notice_outbox order by notice_id")
        .fetch_all(app.database().reader())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row.get::<String, _>("state"), "HANDED_OFF");
        assert_eq!(row.get::<Option<String>, _>("sealed_params"), None);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_website_number_recovers_its_subjects_password() {
    let app = TestApp::start().await;
    let sent = app
        .recover(pb::RecoverFilingPasswordRequest { filing_number: WEBSITE.into(), ..recovery("w1") })
        .await
        .expect("recovers");
    assert_eq!(sent.len(), 2);
    app.codes.wait_for(2).await;
    app.stop().await;
}

#[tokio::test]
async fn a_retried_recovery_issues_nothing_new() {
    let app = TestApp::start().await;
    let first = app.recover(recovery("same")).await.expect("recovers");
    let notices = app.codes.wait_for(2).await;
    let again = app.recover(recovery("same")).await.expect("answers again");
    assert_eq!(first, again);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(app.codes.outbox().len(), 2, "no second pair of notices");
    app.check(&password_in(&notices[0])).await.expect("the first password still holds");
    app.stop().await;
}

#[tokio::test]
async fn every_mismatch_is_one_answer_that_names_no_field() {
    let app = TestApp::start_with(filing_registry::PasswordPolicy {
        recoveries_per_filing_per_day: 100,
        recoveries_per_client_per_day: 100,
        ..test_policy()
    })
    .await;
    let wrong = [
        pb::RecoverFilingPasswordRequest { province_code: "110000".into(), ..recovery("m1") },
        pb::RecoverFilingPasswordRequest { filing_number: "浙ICP备19099999号".into(), ..recovery("m2") },
        pb::RecoverFilingPasswordRequest { filing_number: "浙ICP备19012345号-9".into(), ..recovery("m3") },
        pb::RecoverFilingPasswordRequest {
            certificate_type: common::CertificateType::Passport as i32,
            ..recovery("m4")
        },
        pb::RecoverFilingPasswordRequest {
            certificate_number: "330106199001011234".into(),
            ..recovery("m5")
        },
    ];
    let mut answers = Vec::new();
    for request in wrong {
        let status = app.recover(request).await.expect_err("no match");
        assert_eq!(reason(&status), "FILING_NOT_MATCHED");
        answers.push((status.code(), status.message().to_owned(), status.details().to_vec()));
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "identical answers: {answers:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.codes.calls().is_empty(), "nothing sent");
    app.check(OLD_PASSWORD).await.expect("the password is unchanged");
    app.stop().await;
}

#[tokio::test]
async fn recoveries_are_capped_per_filing_number_and_per_client() {
    let app = TestApp::start().await;
    // 3 a day for one filing number, matched or not, from any address
    for (i, client) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"].into_iter().enumerate() {
        let request = pb::RecoverFilingPasswordRequest {
            client_address: client.into(),
            certificate_number: "0".into(),
            ..recovery(&format!("f{i}"))
        };
        assert_eq!(reason(&app.recover(request).await.expect_err("mismatch")), "FILING_NOT_MATCHED");
    }
    let status = app
        .recover(pb::RecoverFilingPasswordRequest { client_address: "198.51.100.4".into(), ..recovery("f4") })
        .await
        .expect_err("capped");
    assert_eq!(reason(&status), "FILING_PASSWORD_LOCKED");
    assert!(retry_after(&status).is_some_and(|d| d > Duration::ZERO && d <= Duration::from_secs(86_400)));
    // website numbers of the subject count under its number
    let status = app
        .recover(pb::RecoverFilingPasswordRequest { filing_number: WEBSITE.into(), ..recovery("f5") })
        .await
        .expect_err("capped");
    assert_eq!(reason(&status), "FILING_PASSWORD_LOCKED");

    // 5 a day from one client, across filing numbers; the refused f4 and f5 do not count
    for i in 0..5 {
        let request = pb::RecoverFilingPasswordRequest {
            filing_number: format!("京ICP备2000000{i}号"),
            ..recovery(&format!("c{i}"))
        };
        assert_eq!(reason(&app.recover(request).await.expect_err("mismatch")), "FILING_NOT_MATCHED");
    }
    let status = app
        .recover(pb::RecoverFilingPasswordRequest {
            filing_number: "京ICP备20000009号".into(),
            ..recovery("c9")
        })
        .await
        .expect_err("capped");
    assert_eq!(reason(&status), "CLIENT_LIMIT");
    assert!(retry_after(&status).is_some());
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_its_field() {
    let app = TestApp::start().await;
    let cases = [
        (
            pb::RecoverFilingPasswordRequest { province_code: "999999".into(), ..recovery("b1") },
            "province_code",
        ),
        (
            pb::RecoverFilingPasswordRequest { filing_number: "ICP 123".into(), ..recovery("b2") },
            "filing_number",
        ),
        (pb::RecoverFilingPasswordRequest { certificate_type: 0, ..recovery("b3") }, "certificate_type"),
        (
            pb::RecoverFilingPasswordRequest { certificate_number: " ".into(), ..recovery("b4") },
            "certificate_number",
        ),
        (pb::RecoverFilingPasswordRequest { request_id: String::new(), ..recovery("") }, "request_id"),
        (
            pb::RecoverFilingPasswordRequest { client_address: String::new(), ..recovery("b6") },
            "client_address",
        ),
    ];
    for (request, field) in cases {
        let status = app.recover(request).await.expect_err("invalid");
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{field}");
        let named: Vec<String> = tonic_types::StatusExt::get_details_bad_request(&status)
            .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
            .unwrap_or_default();
        assert_eq!(named, vec![field.to_owned()]);
    }
    app.stop().await;
}

#[tokio::test]
async fn wrong_passwords_lock_the_subject_for_a_while_and_a_right_one_resets() {
    let app = TestApp::start().await;
    let status = app.check("000000").await.expect_err("wrong");
    assert_eq!(reason(&status), "FILING_PASSWORD_INCORRECT");
    assert_eq!(metadata(&status, "attempts_left").as_deref(), Some("2"));
    // a right one resets the count
    app.check(OLD_PASSWORD).await.expect("right");
    for left in ["2", "1"] {
        let status = app.check("000000").await.expect_err("wrong");
        assert_eq!(metadata(&status, "attempts_left").as_deref(), Some(left));
    }
    let status = app.check("000000").await.expect_err("the third locks");
    assert_eq!(reason(&status), "FILING_PASSWORD_LOCKED");
    assert!(retry_after(&status).is_some_and(|d| d <= Duration::from_secs(1)));
    let status = app.check(OLD_PASSWORD).await.expect_err("even the right one, while locked");
    assert_eq!(reason(&status), "FILING_PASSWORD_LOCKED");

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let status = app.check("000000").await.expect_err("the count starts again");
    assert_eq!(metadata(&status, "attempts_left").as_deref(), Some("2"));
    app.check(OLD_PASSWORD).await.expect("unlocked by time");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_wrong_passwords_lock_exactly_at_the_limit() {
    // a lock that outlasts the guesses on a busy machine: exactness is what is tested here
    let policy = filing_registry::PasswordPolicy { lock: Duration::from_secs(600), ..test_policy() };
    let app = TestApp::start_with(policy).await;
    let guesses = (0..12).map(|i| {
        let app = &app;
        async move { app.check(&format!("{:06}", 100_000 + i)).await.expect_err("wrong") }
    });
    let answers = futures::future::join_all(guesses).await;
    let incorrect = answers.iter().filter(|s| reason(s) == "FILING_PASSWORD_INCORRECT").count();
    let locked = answers.iter().filter(|s| reason(s) == "FILING_PASSWORD_LOCKED").count();
    assert_eq!((incorrect, locked), (2, 10), "two counted wrong, the third locked, the rest refused");
    let row = sqlx::query("select password_failures from subjects where subject_id = $1")
        .bind(SUBJECT_ID)
        .fetch_one(app.database().reader())
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("password_failures"), 3);
    app.stop().await;
}

fn review_issue(case_number: &str) -> pb::IssueFilingPasswordByReviewRequest {
    pb::IssueFilingPasswordByReviewRequest {
        case_number: case_number.into(),
        filing_number: WEBSITE.into(),
        mobile: "+86 139 1234 0000".into(),
        email: "New.Owner@Example.com".into(),
        locale: "en".into(),
    }
}

#[tokio::test]
async fn an_approved_review_issues_once_to_the_applicants_contacts() {
    let app = TestApp::start().await;
    let mut internal = app.internal().await;
    let first = internal
        .issue_filing_password_by_review(app.request(review_issue("RV1")))
        .await
        .expect("issues")
        .into_inner();
    let notices = app.codes.wait_for(2).await;
    let mut destinations: Vec<&str> = notices.iter().map(|n| n.destination.as_str()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, vec!["13912340000", "New.Owner@example.com"], "the mail domain lower-cased");
    assert!(notices.iter().all(|n| n.locale == "en"));
    let password = password_in(&notices[0]);
    app.check(&password).await.expect("the issued password works");
    assert_eq!(reason(&app.check(OLD_PASSWORD).await.expect_err("old")), "FILING_PASSWORD_INCORRECT");

    let again = internal
        .issue_filing_password_by_review(app.request(review_issue("RV1")))
        .await
        .expect("answers again")
        .into_inner();
    assert_eq!(first, again);
    let masked: Vec<&str> = first.sent_to.iter().map(|c| c.masked_destination.as_str()).collect();
    assert_eq!(masked, vec!["139****0000", "N***@example.com"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.codes.outbox().len(), 2, "nothing sent twice");
    app.check(&password).await.expect("no second password");

    let status = internal
        .issue_filing_password_by_review(app.request(pb::IssueFilingPasswordByReviewRequest {
            filing_number: "京ICP备99999999号".into(),
            ..review_issue("RV2")
        }))
        .await
        .expect_err("unknown filing");
    assert_eq!(reason(&status), "FILING_NOT_MATCHED");
    app.stop().await;
}

#[tokio::test]
async fn notices_wait_sealed_while_verification_codes_is_down_then_go_once() {
    let app = TestApp::start().await;
    app.codes.fail_notices(4);
    app.recover(recovery("down")).await.expect("recovers while verification-codes is down");
    let notices = app.codes.wait_for(2).await;
    let password = password_in(&notices[0]);
    assert!(app.codes.calls().len() >= 6, "retried: {} calls", app.codes.calls().len());
    let keys: Vec<String> = app.codes.outbox().into_keys().collect();
    assert_eq!(keys, vec!["filing-password:recover:down:email", "filing-password:recover:down:sms"]);
    let rows =
        sqlx::query("select attempts from notice_outbox").fetch_all(app.database().reader()).await.unwrap();
    assert!(rows.iter().all(|row| row.get::<i64, _>("attempts") >= 1));
    app.check(&password).await.expect("works");
    app.stop().await;
}

#[tokio::test]
async fn queued_notices_hold_the_password_only_sealed() {
    let app = TestApp::start().await;
    app.codes.fail_notices(usize::MAX);
    app.recover(recovery("sealed")).await.expect("recovers");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rows = sqlx::query("select sealed_params, destination from notice_outbox")
        .fetch_all(app.database().reader())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let attempted = app.codes.calls();
    let password = password_in(&attempted[0]);
    for row in rows {
        let sealed: String = row.get::<Option<String>, _>("sealed_params").expect("kept until handed off");
        assert!(sealed.starts_with("xc1:") && !sealed.contains(&password));
    }
    app.stop().await;
}

#[tokio::test]
async fn notices_queued_before_a_restart_go_out_after_it_once() {
    let app = TestApp::start().await;
    app.codes.fail_notices(usize::MAX);
    app.recover(recovery("restart")).await.expect("recovers");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.codes.outbox().is_empty(), "nothing handed over while verification-codes is down");
    let app = app.restart().await;
    app.codes.fail_notices(0);
    let notices = app.codes.wait_for(2).await;
    let password = password_in(&notices[0]);
    app.check(&password).await.expect("the password the notices carry is the stored one");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.codes.outbox().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn past_days_counters_are_forgotten_and_todays_kept() {
    let app = TestApp::start().await;
    app.recover(pb::RecoverFilingPasswordRequest { certificate_number: "0".into(), ..recovery("today") })
        .await
        .expect_err("a mismatch, counted");
    sqlx::query(
        "insert into recovery_counters (counter_key, window_start_ms, hits) values ('client:x', 0, 9)",
    )
    .execute(&mut *app.database().writer().await.unwrap())
    .await
    .unwrap();
    let now = beian_platform::storage::now_millis();
    assert_eq!(filing_registry::passwords::forget_past_days(app.database(), now).await.unwrap(), 1);
    let left = sqlx::query("select counter_key from recovery_counters order by counter_key")
        .fetch_all(app.database().reader())
        .await
        .unwrap();
    let keys: Vec<String> = left.iter().map(|row| row.get("counter_key")).collect();
    assert_eq!(keys, vec!["client:203.0.113.7", "filing:浙ICP备19012345号"]);
    app.stop().await;
}

#[tokio::test]
async fn a_backlog_longer_than_a_batch_drains_at_once_not_a_batch_per_poll() {
    // the relay's poll is an hour away: only its doorbell and its own backlog drive it
    let app = TestApp::start_with_relay(test_policy(), Duration::from_secs(3600)).await;
    app.codes.fail_notices(usize::MAX);
    let mut internal = app.internal().await;
    for case in 0..20 {
        internal
            .issue_filing_password_by_review(app.request(review_issue(&format!("RV-backlog-{case}"))))
            .await
            .expect("issued; its notices wait");
    }
    let queued: i64 = sqlx::query_scalar("select cast(count(*) as bigint) from notice_outbox")
        .fetch_one(app.database().reader())
        .await
        .unwrap();
    assert_eq!(queued, 40, "two notices per case, more than one batch (32)");
    app.codes.fail_notices(0);

    // started again, the relay makes one pass at once, then goes on while batches are full
    let app = app.restart_with_notices_due().await;
    assert_eq!(app.codes.wait_for(40).await.len(), 40);
    app.stop().await;
}

/// SPEC §3: with the principal's mobile and email both gone, a recovery has nowhere to
/// send the password; the answer points to the manual review, and nothing is issued.
#[tokio::test]
async fn a_principal_without_contacts_is_sent_to_the_manual_review() {
    let app = TestApp::start().await;
    sqlx::query("update subjects set principal_mobile = '', principal_email = '' where subject_id = $1")
        .bind(SUBJECT_ID)
        .execute(&mut *app.database().writer().await.unwrap())
        .await
        .unwrap();
    let refused = app.recover(recovery("r1")).await.expect_err("nowhere to send it");
    assert_eq!(
        (refused.code(), reason(&refused).as_str()),
        (tonic::Code::FailedPrecondition, "FILING_CONTACT_MISSING")
    );
    app.check(OLD_PASSWORD).await.expect("the old password still works: nothing was issued");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.codes.calls().is_empty(), "nothing queued");
    app.stop().await;
}
