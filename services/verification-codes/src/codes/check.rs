//! CheckCode: the attempt is counted first (the deciding write), then the
//! digits compared in constant time; a correct code becomes USED and yields
//! a proof in the same transaction.

use beian_platform::storage::now_millis;

use super::{CodeState, Digits, code_hash, store};
use crate::{
    error::Error,
    keys::{Use, random_token, same},
    proofs,
    service::VerificationCodes,
    settings::millis,
};

/// A proof just issued, shown to its holder once.
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

impl VerificationCodes {
    /// Checks typed digits against a code. Wrong: CODE_INCORRECT with the
    /// attempts left (0 on the last one, which kills the code). An unknown
    /// code id answers CODE_EXPIRED, like a purged or replaced one.
    pub async fn check_code(&self, code_id: &str, typed: &Digits) -> Result<ProofIssued, Error> {
        let inner = self.inner();
        let max_checks = inner.policy.max_checks;
        let now = now_millis();
        let mut tx = inner.db.begin().await?;
        let Some(code) = store::count_attempt(&mut tx, code_id, now, max_checks).await? else {
            tx.rollback().await?;
            return Err(self.why_not_checkable(code_id).await?);
        };
        let expected = code_hash(&inner.keys, code_id, code.purpose, &code.destination_key, typed);
        if !same(&expected, &code.code_hash) {
            let attempts_left = u32::try_from(i64::from(max_checks) - code.attempts).unwrap_or(0);
            if attempts_left == 0 {
                store::finish(&mut tx, code_id, CodeState::Dead).await?;
            }
            tx.commit().await?;
            tracing::info!(%code_id, attempts_left, "code incorrect");
            return Err(Error::CodeIncorrect { attempts_left });
        }
        if !store::finish(&mut tx, code_id, CodeState::Used).await? {
            tx.rollback().await?;
            return Err(Error::CodeAlreadyUsed);
        }
        let proof = random_token();
        let expires_at_ms = now + millis(inner.policy.proof_ttl);
        let row = proofs::store::NewProof {
            proof_hash: &inner.keys.digest(Use::Proof, &[&proof]),
            code_id,
            purpose: code.purpose,
            channel: code.channel,
            destination_key: &code.destination_key,
            created_at_ms: now,
            expires_at_ms,
        };
        proofs::store::insert(&mut tx, &row).await?;
        tx.commit().await?;
        tracing::info!(%code_id, purpose = code.purpose.as_str(), "code checked: proof issued");
        Ok(ProofIssued { proof, expires_at_ms })
    }

    /// The refusal for a code the deciding write did not match.
    async fn why_not_checkable(&self, code_id: &str) -> Result<Error, Error> {
        let max_checks = i64::from(self.inner().policy.max_checks);
        Ok(match store::standing(self.inner().db.reader(), code_id).await? {
            None => Error::CodeExpired,
            Some(standing) => match standing.state {
                CodeState::Used => Error::CodeAlreadyUsed,
                _ if standing.attempts >= max_checks => Error::CodeAttemptsExhausted,
                // LIVE past its expiry, or DEAD because a newer code replaced it.
                CodeState::Live | CodeState::Dead => Error::CodeExpired,
            },
        })
    }
}
