//! Rotating the secret key (README, "Rotate a secret key"): with the old key as
//! BEIAN_PREVIOUS_SECRET_KEY, codes, proofs and passes issued under it still
//! verify; without it they do not.

use beian_platform::{config::Secret, status::ErrorReason};
use beian_proto::verification_codes::v1::{self as pb, answer_human_check_request::Answer};

use crate::common::{TestDatabase, TestService, WirePurpose, check_request, reason};

const CLIENT: &str = "203.0.113.20";

async fn pass_token(service: &TestService) -> String {
    let challenge = service
        .public()
        .create_human_check(pb::CreateHumanCheckRequest { client_ip: CLIENT.into() })
        .await
        .expect("a challenge")
        .into_inner();
    let x = service
        .scalar_i64("select answer_x from human_checks where challenge_id = $1", &challenge.challenge_id)
        .await;
    let answer = pb::AnswerHumanCheckRequest {
        client_ip: CLIENT.into(),
        answer: Some(Answer::Slider(pb::SliderAnswer {
            challenge_id: challenge.challenge_id,
            x: i32::try_from(x).unwrap(),
            drag_millis: 700,
        })),
    };
    service.public().answer_human_check(answer).await.expect("a pass").into_inner().pass_token
}

fn redeem_proof(proof: &str) -> pb::RedeemProofRequest {
    pb::RedeemProofRequest {
        proof: proof.into(),
        purpose: WirePurpose::AccountLookup as i32,
        destination: String::new(),
        redemption_key: String::new(),
        notices: Vec::new(),
    }
}

#[tokio::test]
async fn what_the_previous_key_issued_still_verifies_during_a_rotation() {
    let db = TestDatabase::fresh().await;
    let (old, new) = (Secret::generate(), Secret::generate());

    let before = TestService::start_with(&db, |s| s.secret_key = old.clone()).await;
    let pending = before.send_sms("13700000001", CLIENT).await.expect("sent");
    let pending_code = before.code_sent_to("13700000001").await;
    let proof = before.proof_for("13700000002", WirePurpose::AccountLookup).await;
    let pass = pass_token(&before).await;
    let checked = before.send_sms("13700000003", CLIENT).await.expect("sent");
    let checked_code = before.code_sent_to("13700000003").await;
    let first_check = check_request(&checked.code_id, &checked_code);
    let first_proof =
        before.public().check_code(first_check.clone()).await.expect("checked").into_inner().proof;
    let stale = before.send_sms("13700000004", CLIENT).await.expect("sent");
    let stale_code = before.code_sent_to("13700000004").await;
    before.stop().await;

    let during = TestService::start_with(&db, |s| {
        s.secret_key = new.clone();
        s.previous_secret_key = Some(old.clone());
    })
    .await;
    let checked_now = during.public().check_code(check_request(&pending.code_id, &pending_code)).await;
    let new_proof = checked_now.expect("a code sent under the old key checks").into_inner().proof;
    let mut internal = during.internal();
    internal.redeem_proof(redeem_proof(&proof)).await.expect("a proof issued under the old key redeems");
    internal.redeem_proof(redeem_proof(&new_proof)).await.expect("a proof issued now redeems");
    internal
        .redeem_human_check_pass(pb::RedeemHumanCheckPassRequest { pass_token: pass })
        .await
        .expect("a pass issued under the old key redeems");
    let retried = during.public().check_code(first_check).await.expect("a retried check answers");
    assert_eq!(retried.into_inner().proof, first_proof, "the same proof as under the old key");
    during.stop().await;

    // the rotation finished: the old key is gone, and what it issued with it
    let after = TestService::start_with(&db, |s| s.secret_key = new).await;
    let refused = after.public().check_code(check_request(&stale.code_id, &stale_code)).await;
    assert_eq!(reason(&refused.expect_err("the old key's code")), ErrorReason::CodeIncorrect);
    after.stop().await;
    db.remove().await;
}
