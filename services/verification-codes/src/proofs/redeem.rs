//! RedeemProof: a proof is spent once, only for its purpose and destination,
//! and a retry of the same redemption (same key) succeeds again.

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::now_millis;

use super::store::{self, StoredProof};
use crate::{destination::Destination, error::Error, keys::Use, service::VerificationCodes};

/// A validated redemption.
#[derive(Clone)]
pub struct Redeem {
    pub proof: String,
    pub purpose: Purpose,
    /// When given, must be the destination the code went to.
    pub destination: Option<Destination>,
    /// Names the redeeming operation; a retry with the same key succeeds again.
    pub redemption_key: Option<String>,
}

impl std::fmt::Debug for Redeem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeem")
            .field("proof", &"***")
            .field("purpose", &self.purpose)
            .field("destination", &self.destination)
            .field("redemption_key", &self.redemption_key)
            .finish()
    }
}

/// What a proof vouches for.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub channel: Channel,
    pub destination: Destination,
    pub purpose: Purpose,
}

impl VerificationCodes {
    /// Spends a proof. A proof of another purpose or destination is refused
    /// without being spent (PROOF_PURPOSE_MISMATCH); a spent one answers
    /// PROOF_ALREADY_REDEEMED unless `redemption_key` is that of its first
    /// redemption; unknown or expired ones PROOF_INVALID.
    pub async fn redeem_proof(&self, request: &Redeem) -> Result<Redeemed, Error> {
        let inner = self.inner();
        // under the current key, or the previous one during a rotation
        let hashes: Vec<String> =
            inner.keys.generations().map(|keys| keys.digest(Use::Proof, &[&request.proof])).collect();
        let destination_key = request.destination.as_ref().map(Destination::key).unwrap_or_default();
        let now = now_millis();
        let key = request.redemption_key.as_deref();
        for hash in &hashes {
            if let Some(proof) = store::redeem(
                &mut *inner.db.writer().await?,
                hash,
                request.purpose,
                &destination_key,
                key,
                now,
            )
            .await?
            {
                tracing::info!(code_id = %proof.code_id, purpose = proof.purpose.as_str(), "proof redeemed");
                return Self::redeemed(proof);
            }
        }
        let mut stored = None;
        for hash in &hashes {
            stored = store::find(inner.db.reader(), hash).await?;
            if stored.is_some() {
                break;
            }
        }
        let Some(proof) = stored else {
            return Err(Error::ProofInvalid);
        };
        if proof.purpose != request.purpose
            || (!destination_key.is_empty() && proof.destination_key != destination_key)
        {
            tracing::info!(code_id = %proof.code_id, "proof refused: another purpose or destination");
            return Err(Error::ProofPurposeMismatch);
        }
        if proof.redeemed {
            return match (key, proof.redemption_key.as_deref()) {
                (Some(asked), Some(first)) if asked == first => Self::redeemed(proof),
                _ => Err(Error::ProofAlreadyRedeemed),
            };
        }
        if proof.expires_at_ms <= now {
            return Err(Error::ProofInvalid);
        }
        Err(Error::internal("a live proof matched no redemption"))
    }

    fn redeemed(proof: StoredProof) -> Result<Redeemed, Error> {
        let address = proof.destination.ok_or_else(|| Error::internal("a proof outlived its code"))?;
        Ok(Redeemed {
            channel: proof.channel,
            destination: Destination::stored(proof.channel, address),
            purpose: proof.purpose,
        })
    }
}
