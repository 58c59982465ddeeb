//! CheckCode: the attempt is counted first (the deciding write), then the
//! daily limit of failed checks is applied and the digits compared in
//! constant time; a correct code becomes USED and yields a proof in the same
//! transaction. Idempotent on the caller's request id: the same request id
//! and the same correct code answer the same proof again.

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::{
    duration_millis, now_millis,
    script::{Script, Statement},
};

use super::{CodeState, Digits, code_matches, store};
use crate::{
    error::Error,
    keys::{Keys, Use},
    limits, proofs,
    service::VerificationCodes,
};

/// A validated check.
#[derive(Debug)]
pub struct CheckCode {
    pub code_id: String,
    pub digits: Digits,
    /// The caller's idempotency key: a retry with it answers the same proof.
    pub request_id: String,
}

/// A proof just issued, shown to its holder.
#[derive(Clone)]
pub struct ProofIssued {
    pub proof: String,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for ProofIssued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofIssued")
            .field("proof", &"***")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

/// The proof of a check: a MAC of the code id and the check's request id
/// under the service key rather than random bytes, so a retry of the same
/// check can be answered the same proof by recomputing it. Nothing
/// reversible is stored (only the proof's own keyed hash, as before), and
/// without the key no one can compute a proof from the ids.
fn derive_proof(keys: &Keys, code_id: &str, request_id: &str) -> String {
    keys.digest(Use::ProofToken, &[code_id, request_id])
}

impl VerificationCodes {
    /// Checks typed digits against a code. Wrong: CODE_INCORRECT with the
    /// attempts left (0 on the last one, which kills the code). An unknown
    /// code id answers CODE_EXPIRED, like a purged or replaced one. Once the
    /// destination's failed checks for the purpose reach the daily limit,
    /// CODE_FAILURES_LIMIT, and the attempt is not counted.
    pub async fn check_code(&self, check: &CheckCode) -> Result<ProofIssued, Error> {
        let inner = self.inner();
        if inner.db.writes_one_at_a_time() {
            return self.check_one_at_a_time(check).await;
        }
        let code_id = check.code_id.as_str();
        let max_checks = inner.policy.max_checks;
        let now = now_millis();
        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        let cap = limits::failures_cap(&inner.policy);
        let failures = store::Failures { since_ms: now - duration_millis(cap.window), max: cap.max };
        let Some(code) = store::count_attempt(&mut tx, code_id, now, max_checks, failures).await? else {
            tx.rollback().await?;
            drop(writer);
            return self.answer_unchecked(check).await;
        };
        if let Some(refusal) = cap.refusal_after(code.nth_failure_ms) {
            tx.rollback().await?;
            drop(writer);
            tracing::info!(%code_id, "check refused: too many failed checks today");
            return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
        }
        if !code_matches(
            &inner.keys,
            code_id,
            code.purpose,
            &code.destination_key,
            &check.digits,
            &code.code_hash,
        ) {
            let attempts_left = u32::try_from(i64::from(max_checks) - code.attempts).unwrap_or(0);
            if attempts_left == 0 {
                store::finish(code_id, CodeState::Dead, None).execute(&mut *tx).await?;
            }
            limits::store::record_failure(&code.destination_key, code.purpose, now).execute(&mut *tx).await?;
            tx.commit().await?;
            drop(writer);
            tracing::info!(%code_id, attempts_left, "code incorrect");
            self.count_failed_check(code.purpose);
            return Err(Error::CodeIncorrect { attempts_left });
        }
        let (issued, insert_proof) =
            self.new_proof(check, code.purpose, code.channel, &code.destination_key, now);
        // the attempt's update holds the code's row until the commit: it is still live
        Script::new()
            .then(store::finish(code_id, CodeState::Used, Some(&check.request_id)))
            .then(insert_proof)
            .execute_independent(&mut tx)
            .await?;
        tx.commit().await?;
        drop(writer);
        tracing::info!(%code_id, purpose = code.purpose.as_str(), "code checked: proof issued");
        Ok(issued)
    }

    /// The proof a correct check earns, and the statement that stores its hash.
    pub(super) fn new_proof(
        &self,
        check: &CheckCode,
        purpose: Purpose,
        channel: Channel,
        destination_key: &str,
        now: i64,
    ) -> (ProofIssued, Statement) {
        let inner = self.inner();
        let proof = derive_proof(&inner.keys, &check.code_id, &check.request_id);
        let expires_at_ms = now + duration_millis(inner.policy.proof_ttl);
        let insert = proofs::store::insert(&proofs::store::NewProof {
            proof_hash: &inner.keys.digest(Use::Proof, &[&proof]),
            code_id: &check.code_id,
            purpose,
            channel,
            destination_key,
            created_at_ms: now,
            expires_at_ms,
        });
        (ProofIssued { proof, expires_at_ms }, insert)
    }

    /// The answer for a code the deciding write did not match: the same
    /// proof for a retry of the check that used it (same request id, same
    /// correct digits), else the refusal that says why.
    pub(super) async fn answer_unchecked(&self, check: &CheckCode) -> Result<ProofIssued, Error> {
        let inner = self.inner();
        let max_checks = i64::from(inner.policy.max_checks);
        let Some(standing) = store::standing(inner.db.reader(), &check.code_id).await? else {
            return Err(Error::CodeExpired);
        };
        match standing.state {
            CodeState::Used => self.proof_again(check, &standing).await,
            _ if standing.attempts >= max_checks => Err(Error::CodeAttemptsExhausted),
            // LIVE past its expiry, or DEAD because a newer code replaced it.
            CodeState::Live | CodeState::Dead => Err(Error::CodeExpired),
        }
    }

    async fn proof_again(&self, check: &CheckCode, standing: &store::Standing) -> Result<ProofIssued, Error> {
        let inner = self.inner();
        let same_request = standing.check_request_id.as_deref() == Some(check.request_id.as_str());
        let typed = code_matches(
            &inner.keys,
            &check.code_id,
            standing.purpose,
            &standing.destination_key,
            &check.digits,
            &standing.code_hash,
        );
        if !same_request || !typed {
            return Err(Error::CodeAlreadyUsed);
        }
        // the proof was derived under the key current when the first check ran
        for keys in inner.keys.generations() {
            let proof = derive_proof(&keys, &check.code_id, &check.request_id);
            let hash = keys.digest(Use::Proof, &[&proof]);
            if let Some(stored) = proofs::store::find(inner.db.reader(), &hash).await? {
                tracing::info!(code_id = %check.code_id, "code check retried: the same proof answers");
                return Ok(ProofIssued { proof, expires_at_ms: stored.expires_at_ms });
            }
        }
        Err(Error::CodeAlreadyUsed)
    }
}

impl VerificationCodes {
    pub(super) fn count_failed_check(&self, purpose: Purpose) {
        self.inner()
            .metrics
            .counter("beian_code_checks_failed_total", &[("purpose", purpose.as_str())])
            .increment(1);
    }
}
