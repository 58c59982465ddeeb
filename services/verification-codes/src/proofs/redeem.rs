//! RedeemProof: a proof is spent once, only for its purpose and destination,
//! and a retry of the same redemption (same key) succeeds again.

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::now_millis;
use sqlx::AnyConnection;

use super::store::{self, StoredProof};
use crate::{
    destination::Destination,
    error::Error,
    keys::Use,
    outbox::{self, EnqueueNotice, NewMessage},
    service::VerificationCodes,
    templates::Notice,
};

/// A validated redemption.
#[derive(Clone)]
pub struct Redeem {
    pub proof: String,
    pub purpose: Purpose,
    /// When given, must be the destination the code went to.
    pub destination: Option<Destination>,
    /// Names the redeeming operation; a retry with the same key succeeds again.
    pub redemption_key: Option<String>,
    /// Queued with the redemption, in its transaction.
    pub notices: Vec<EnqueueNotice>,
}

impl std::fmt::Debug for Redeem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeem")
            .field("proof", &"***")
            .field("purpose", &self.purpose)
            .field("destination", &self.destination)
            .field("redemption_key", &self.redemption_key)
            .field("notices", &self.notices)
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
    /// Spends a proof and queues its notices in the same transaction. A proof of
    /// another purpose or destination is refused without being spent
    /// (PROOF_PURPOSE_MISMATCH); a spent one answers PROOF_ALREADY_REDEEMED unless
    /// `redemption_key` is that of its first redemption; unknown or expired ones
    /// PROOF_INVALID. A refused redemption queues nothing.
    pub async fn redeem_proof(&self, request: Redeem) -> Result<Redeemed, Error> {
        let inner = self.inner();
        // under the current key, or the previous one during a rotation
        let hashes: Vec<String> =
            inner.keys.generations().map(|keys| keys.digest(Use::Proof, &[&request.proof])).collect();
        let destination_key = request.destination.as_ref().map(Destination::key).unwrap_or_default();
        let now = now_millis();
        let key = request.redemption_key.as_deref();
        let notices: Vec<(Notice, NewMessage)> =
            request.notices.into_iter().map(|notice| (notice.notice, notice.into_message())).collect();
        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        for hash in &hashes {
            if let Some(proof) =
                store::redeem(&mut *tx, hash, request.purpose, &destination_key, key, now).await?
            {
                let redeemed = Self::redeemed(&proof)?;
                let queued = self.queue(&mut tx, &notices, now).await?;
                tx.commit().await?;
                drop(writer);
                tracing::info!(code_id = %proof.code_id, purpose = proof.purpose.as_str(), "proof redeemed");
                self.announce(&queued, &notices);
                return Ok(redeemed);
            }
        }
        drop(tx);
        drop(writer);
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
                (Some(asked), Some(first)) if asked == first => {
                    // a retry: its notices went with the first redemption; queued again, they stay once
                    let redeemed = Self::redeemed(&proof)?;
                    if !notices.is_empty() {
                        let mut writer = inner.db.writer().await?;
                        let mut tx = writer.begin().await?;
                        let queued = self.queue(&mut tx, &notices, now).await?;
                        tx.commit().await?;
                        drop(writer);
                        self.announce(&queued, &notices);
                    }
                    Ok(redeemed)
                }
                _ => Err(Error::ProofAlreadyRedeemed),
            };
        }
        if proof.expires_at_ms <= now {
            return Err(Error::ProofInvalid);
        }
        Err(Error::internal("a live proof matched no redemption"))
    }

    /// Queues `notices` in the redemption's transaction; answers their message ids.
    async fn queue(
        &self,
        conn: &mut AnyConnection,
        notices: &[(Notice, NewMessage)],
        now: i64,
    ) -> Result<Vec<String>, Error> {
        let mut queued = Vec::with_capacity(notices.len());
        for (_, message) in notices {
            queued.push(outbox::store::enqueue(conn, &self.inner().sealer, message, now).await?);
        }
        Ok(queued)
    }

    /// After the commit: wakes the dispatcher and logs what was queued.
    fn announce(&self, queued: &[String], notices: &[(Notice, NewMessage)]) {
        if queued.is_empty() {
            return;
        }
        self.inner().doorbell.ring();
        for (message_id, (notice, message)) in queued.iter().zip(notices) {
            outbox::log_queued(message_id, *notice, message);
        }
    }

    fn redeemed(proof: &StoredProof) -> Result<Redeemed, Error> {
        let address =
            proof.destination.clone().ok_or_else(|| Error::internal("a proof outlived its code"))?;
        Ok(Redeemed {
            channel: proof.channel,
            destination: Destination::stored(proof.channel, address),
            purpose: proof.purpose,
        })
    }
}
