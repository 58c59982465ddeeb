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

/// A redemption as its transaction runs it: the proof's hash under each key
/// generation, what it must match, and the messages it queues.
#[derive(Debug)]
pub(crate) struct Spend {
    hashes: Vec<String>,
    purpose: Purpose,
    destination_key: String,
    redemption_key: Option<String>,
    messages: Vec<NewMessage>,
    now_ms: i64,
}

/// A spent proof, what it vouches for, and the ids of the messages queued with it.
pub(crate) type Spent = (StoredProof, Redeemed, Vec<String>);

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
        let spend = Spend {
            hashes: hashes.clone(),
            purpose: request.purpose,
            destination_key: destination_key.clone(),
            redemption_key: request.redemption_key.clone(),
            messages: notices.iter().map(|(_, message)| message.clone()).collect(),
            now_ms: now,
        };
        let spent = if inner.db.writes_one_at_a_time() {
            self.spend_one_at_a_time(spend).await?
        } else {
            let mut writer = inner.db.writer().await?;
            let mut tx = writer.begin().await?;
            let spent = self.spend_step(&mut tx, &spend).await?;
            if spent.is_some() {
                tx.commit().await?;
            }
            spent
        };
        if let Some((proof, redeemed, queued)) = spent {
            tracing::info!(code_id = %proof.code_id, purpose = proof.purpose.as_str(), "proof redeemed");
            self.announce(&queued, &notices);
            return Ok(redeemed);
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
                (Some(asked), Some(first)) if asked == first => {
                    // a retry: its notices went with the first redemption; queued again, they stay once
                    let redeemed = Self::redeemed(&proof)?;
                    if !notices.is_empty() {
                        let mut writer = inner.db.writer().await?;
                        let mut tx = writer.begin().await?;
                        let messages: Vec<NewMessage> = notices.iter().map(|(_, m)| m.clone()).collect();
                        let queued = self.queue(&mut tx, &messages, now).await?;
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

    /// Inside the writer's transaction: spends the proof (under the current key or the
    /// previous one) and queues its messages; None when no live proof matched, which
    /// writes nothing.
    pub(crate) async fn spend_step(
        &self,
        conn: &mut AnyConnection,
        spend: &Spend,
    ) -> Result<Option<Spent>, Error> {
        let key = spend.redemption_key.as_deref();
        for hash in &spend.hashes {
            let redeemed =
                store::redeem(&mut *conn, hash, spend.purpose, &spend.destination_key, key, spend.now_ms)
                    .await?;
            if let Some(proof) = redeemed {
                let answer = Self::redeemed(&proof)?;
                let queued = self.queue(conn, &spend.messages, spend.now_ms).await?;
                return Ok(Some((proof, answer, queued)));
            }
        }
        Ok(None)
    }

    /// Queues `messages` in the caller's transaction; answers their message ids.
    async fn queue(
        &self,
        conn: &mut AnyConnection,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<Vec<String>, Error> {
        let mut queued = Vec::with_capacity(messages.len());
        for message in messages {
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
