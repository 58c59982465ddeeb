//! RedeemProof: once, for its purpose and destination; idempotent retries.

use std::{collections::HashMap, time::Duration};

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1 as pb;

use crate::common::{TestDatabase, TestService, WireChannel, WirePurpose, field, reason};

fn redeem(proof: &str, purpose: WirePurpose, destination: &str, key: &str) -> pb::RedeemProofRequest {
    pb::RedeemProofRequest {
        proof: proof.into(),
        purpose: purpose as i32,
        destination: destination.into(),
        redemption_key: key.into(),
        notices: Vec::new(),
    }
}

#[tokio::test]
async fn a_retry_with_the_first_redemption_key_succeeds_again() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let proof = service.proof_for("13600000001", WirePurpose::FilingTransfer).await;
    let mut internal = service.internal();
    let first = internal.redeem_proof(redeem(&proof, WirePurpose::FilingTransfer, "", "transfer-42")).await;
    let first = first.expect("redeems").into_inner();
    let retry = internal.redeem_proof(redeem(&proof, WirePurpose::FilingTransfer, "", "transfer-42")).await;
    assert_eq!(retry.expect("same key: succeeds again").into_inner(), first);
    for other_key in ["transfer-43", ""] {
        let refused = internal.redeem_proof(redeem(&proof, WirePurpose::FilingTransfer, "", other_key)).await;
        assert_eq!(reason(&refused.expect_err(other_key)), ErrorReason::ProofAlreadyRedeemed);
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_proof_of_another_purpose_or_destination_is_refused_and_kept() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let proof = service.proof_for("13600000002", WirePurpose::AccountLookup).await;
    let mut internal = service.internal();
    let refused = internal.redeem_proof(redeem(&proof, WirePurpose::PasswordReset, "", "")).await;
    assert_eq!(reason(&refused.expect_err("other purpose")), ErrorReason::ProofPurposeMismatch);
    let refused = internal.redeem_proof(redeem(&proof, WirePurpose::AccountLookup, "13600000009", "")).await;
    assert_eq!(reason(&refused.expect_err("other destination")), ErrorReason::ProofPurposeMismatch);
    let refused =
        internal.redeem_proof(redeem(&proof, WirePurpose::AccountLookup, "a@example.com", "")).await;
    assert_eq!(reason(&refused.expect_err("other channel")), ErrorReason::ProofPurposeMismatch);
    // Not spent by the refusals; the destination compares normalised.
    let redeemed =
        internal.redeem_proof(redeem(&proof, WirePurpose::AccountLookup, "+86 136 0000 0002", "")).await;
    assert_eq!(redeemed.expect("still redeemable").into_inner().destination, "13600000002");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn unknown_and_expired_proofs_are_invalid() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.policy.proof_ttl = Duration::from_millis(300)).await;
    let mut internal = service.internal();
    let forged = internal.redeem_proof(redeem(&"0".repeat(64), WirePurpose::AccountLookup, "", "")).await;
    assert_eq!(reason(&forged.expect_err("forged")), ErrorReason::ProofInvalid);
    let proof = service.proof_for("13600000003", WirePurpose::AccountLookup).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = internal.redeem_proof(redeem(&proof, WirePurpose::AccountLookup, "", "")).await;
    assert_eq!(reason(&expired.expect_err("expired")), ErrorReason::ProofInvalid);
    service.stop().await;
    db.remove().await;
}

/// The login name's notice for `key`, to `mobile`.
fn login_name_notice(key: &str, mobile: &str) -> pb::EnqueueNoticeRequest {
    pb::EnqueueNoticeRequest {
        idempotency_key: key.into(),
        channel: WireChannel::Sms as i32,
        destination: mobile.into(),
        template: pb::NoticeTemplate::LoginName as i32,
        locale: "en".into(),
        params: HashMap::from([("login_name".into(), "zhangwei2019".into())]),
    }
}

#[tokio::test]
async fn notices_are_queued_with_the_redemption_and_only_with_it() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let proof = service.proof_for("13600000004", WirePurpose::AccountLookup).await;
    let mut internal = service.internal();
    let queued =
        |key: &'static str| service.scalar_i64("select count(*) from outbox where idempotency_key = $1", key);
    let with_notices = |purpose, key: &str| pb::RedeemProofRequest {
        notices: vec![
            login_name_notice("flow-9:login-name:sms", "13600000004"),
            login_name_notice("flow-9:login-name:other", "13600000005"),
        ],
        ..redeem(&proof, purpose, "13600000004", key)
    };

    // refused: nothing queued, the proof kept
    let refused = internal.redeem_proof(with_notices(WirePurpose::PasswordReset, "flow-9")).await;
    assert_eq!(reason(&refused.expect_err("other purpose")), ErrorReason::ProofPurposeMismatch);
    assert_eq!(queued("notice:flow-9:login-name:sms").await, 0);

    // redeemed: both queued; the retry with the same key queues nothing twice
    for _ in 0..2 {
        internal.redeem_proof(with_notices(WirePurpose::AccountLookup, "flow-9")).await.expect("redeems");
    }
    assert_eq!(queued("notice:flow-9:login-name:sms").await, 1);
    assert_eq!(queued("notice:flow-9:login-name:other").await, 1);

    // another use of the spent proof queues nothing
    let mut reuse = with_notices(WirePurpose::AccountLookup, "flow-10");
    reuse.notices = vec![login_name_notice("flow-10:login-name:sms", "13600000004")];
    let reused = internal.redeem_proof(reuse).await;
    assert_eq!(reason(&reused.expect_err("spent")), ErrorReason::ProofAlreadyRedeemed);
    assert_eq!(queued("notice:flow-10:login-name:sms").await, 0);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_bad_notice_refuses_the_redemption_naming_the_notice() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    let proof = service.proof_for("13600000006", WirePurpose::AccountLookup).await;
    let mut internal = service.internal();
    let mut bad = login_name_notice("flow-11:login-name:sms", "12");
    bad.params.clear();
    let request = pb::RedeemProofRequest {
        notices: vec![login_name_notice("flow-11:login-name:ok", "13600000006"), bad],
        ..redeem(&proof, WirePurpose::AccountLookup, "", "flow-11")
    };
    let refused = internal.redeem_proof(request).await.expect_err("a bad notice");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    assert_eq!(field(&refused), "notices[1].destination");
    let redeemed = internal.redeem_proof(redeem(&proof, WirePurpose::AccountLookup, "", "flow-12")).await;
    redeemed.expect("the refused request spent nothing");
    service.stop().await;
    db.remove().await;
}
