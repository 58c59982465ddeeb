//! RedeemProof: once, for its purpose and destination; idempotent retries.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1 as pb;

use crate::common::{TestDatabase, TestService, WirePurpose, reason};

fn redeem(proof: &str, purpose: WirePurpose, destination: &str, key: &str) -> pb::RedeemProofRequest {
    pb::RedeemProofRequest {
        proof: proof.into(),
        purpose: purpose as i32,
        destination: destination.into(),
        redemption_key: key.into(),
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
