//! The effect of an approved OFFLINE_TRANSFER: filing-registry's TransferSubjectByReview,
//! keyed by the case number, until it is done (COMPLETED); a final refusal (a transfer
//! rule no longer holds) completes the case with the reason the applicant sees, and tells
//! them; an outage or an owner not ready yet keeps the case APPROVED and retrying.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::{
    common::v1::{ErrorReason as WireReason, ReviewKind as Kind, ReviewState as State},
    identity_recovery::v1::ReviewAuditAction as Action,
    verification_codes::v1::NoticeTemplate,
};

use crate::{
    cases::{MOBILE, TARGET, request},
    decisions::{audit, decide, decision, effect_row, open_case, start, status, wait_for_state},
};

#[tokio::test]
async fn an_approved_offline_transfer_moves_the_subject_once_then_completes() {
    let world = start(0).await;
    let app = &world.app;
    let case = open_case(app, request(Kind::OfflineTransfer, "19100001")).await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    let seen = wait_for_state(app, &case.case_number, State::Completed).await;
    assert_eq!(seen.failure_reason, WireReason::Unspecified as i32, "done, not failed");
    assert_eq!(world.registry.transferred(), std::slice::from_ref(&case.case_number));
    let calls = world.registry.transfer_calls();
    assert_eq!(calls.len(), 1, "called once");
    let call = &calls[0];
    assert_eq!(
        (call.case_number.as_str(), call.filing_number.as_str(), call.to_account_id.as_str()),
        (case.case_number.as_str(), "浙ICP备19100001号", TARGET)
    );
    assert_eq!((call.staff_id.as_str(), call.subject_id.as_str()), ("reviewer01", ""));
    let applied = audit(app, &case.case_number).await;
    assert!(
        applied.iter().any(|(_, action, _, note)| *action == Action::EffectApplied && note.is_empty()),
        "{applied:?}"
    );
    assert!(world.codes.outbox_keys().is_empty(), "filing-registry tells both sides, not this service");
    world.app.stop().await;
}

#[tokio::test]
async fn a_transfer_rule_that_fails_completes_the_case_with_the_reason_and_tells_the_applicant() {
    let world = start(0).await;
    let app = &world.app;
    world.registry.refuse_transfers(ErrorReason::TransferTargetHoldsSubject);
    let case = open_case(app, request(Kind::OfflineTransfer, "19100002")).await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    let seen = wait_for_state(app, &case.case_number, State::Completed).await;
    assert_eq!(seen.failure_reason, WireReason::TransferTargetHoldsSubject as i32);
    assert!(seen.rejection_note.is_empty(), "staff did not reject it");
    // the case stays failed and nothing is tried again
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(world.registry.transfer_calls().len(), 1, "a final refusal is not retried");
    assert!(world.registry.transferred().is_empty());
    let (_, last_error, done) = effect_row(app, &case.case_number).await;
    assert!(done && last_error.is_none());

    assert_eq!(
        world.codes.outbox_keys(),
        [
            format!("{}:transfer-refused:email", case.case_number),
            format!("{}:transfer-refused:sms", case.case_number)
        ]
    );
    let sms = world
        .codes
        .notice_calls()
        .into_iter()
        .find(|call| call.destination == MOBILE)
        .expect("an SMS to the applicant");
    assert_eq!(sms.template, NoticeTemplate::TransferFailed as i32);
    assert_eq!(sms.params.get("case_number"), Some(&case.case_number));
    assert_eq!(
        sms.params.get("reason").map(String::as_str),
        Some("对方账号下已有其他主体的备案信息，无法转移")
    );
    let applied = audit(app, &case.case_number).await;
    assert!(
        applied.iter().any(|(_, action, _, note)| {
            *action == Action::EffectApplied && note == "refused: TRANSFER_TARGET_HOLDS_SUBJECT"
        }),
        "{applied:?}"
    );
    world.app.stop().await;
}

#[tokio::test]
async fn a_refusal_whose_notice_failed_sends_only_the_notice_on_the_retry() {
    let world = start(0).await;
    let app = &world.app;
    world.registry.refuse_transfers(ErrorReason::TransferSiteNotSupported);
    world.codes.fail_notices(2);
    let case = open_case(app, request(Kind::OfflineTransfer, "19100003")).await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    for _ in 0..200 {
        if effect_row(app, &case.case_number).await.2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (attempts, _, done) = effect_row(app, &case.case_number).await;
    assert!(done && attempts >= 2, "retried until the notice went: {attempts}");
    assert_eq!(world.registry.transfer_calls().len(), 1, "the stored reason is not asked again");
    assert_eq!(
        status(app, &case.case_number, MOBILE).await.expect("status").failure_reason,
        WireReason::TransferSiteNotSupported as i32
    );
    assert_eq!(world.codes.outbox_keys().len(), 2, "one SMS, one email");
    world.app.stop().await;
}

#[tokio::test]
async fn a_transfer_filing_registry_cannot_make_yet_stays_approved_and_is_retried_under_the_case_number() {
    let world = start(3).await;
    let app = &world.app;
    let case = open_case(app, request(Kind::OfflineTransfer, "19100004")).await;
    decide(app, decision(&case.case_number, "reviewer01", true, "")).await.expect("approved");
    for _ in 0..200 {
        if world.registry.transfer_calls().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (attempts, last_error, done) = effect_row(app, &case.case_number).await;
    assert!(attempts >= 1 && !done && last_error.is_some(), "{attempts} {done}");
    assert!(world.registry.transferred().is_empty());

    let seen = wait_for_state(app, &case.case_number, State::Completed).await;
    assert_eq!(seen.failure_reason, WireReason::Unspecified as i32, "UNIMPLEMENTED is not a refusal");
    assert_eq!(world.registry.transferred(), std::slice::from_ref(&case.case_number));
    let calls = world.registry.transfer_calls();
    assert_eq!(calls.len(), 4, "three not implemented, then the one that moved it");
    assert!(calls.iter().all(|c| c.case_number == case.case_number), "keyed by the case");
    world.app.stop().await;
}
