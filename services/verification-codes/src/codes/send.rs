//! SendCode: idempotent on the caller's request id; the daily limit of
//! failed checks; the resend cooldown and the caps, each one short statement
//! that decides (given back if the send does not go ahead); then one
//! transaction that holds the code and the outbox message that carries it.

use std::collections::BTreeMap;

use beian_common::vocabulary::Purpose;
use beian_platform::storage::{
    duration_millis, now_millis,
    script::{Script, Statement},
};

use super::{Digits, code_hash, store};
use crate::{
    client::ClientAddress,
    destination::Destination,
    error::{Error, Limit},
    limits::{
        self, Refusal,
        counters::{self, SendKeys},
    },
    locale::Locale,
    outbox::{self, NewMessage},
    service::VerificationCodes,
    templates::Template,
};

/// A validated request for a code.
#[derive(Debug, Clone)]
pub struct SendCode {
    /// The caller's idempotency key: a retry answers the first call's code.
    pub request_id: String,
    pub destination: Destination,
    pub purpose: Purpose,
    pub client: ClientAddress,
    pub locale: Locale,
}

/// What the caller learns of a sent code.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub code_id: String,
    pub masked_destination: String,
    pub expires_at_ms: i64,
    /// When another code may be asked for.
    pub resend_at_ms: i64,
}

impl VerificationCodes {
    /// Sends a code unless a limit refuses (each with its own reason and the
    /// instant to retry). A retry with the same request id answers the code
    /// the first call sent, sends nothing and is not refused by any cap.
    pub async fn send_code(&self, request: SendCode) -> Result<CodeSent, Error> {
        let sent = self.send_or_answer(&request).await;
        if sent.is_ok() {
            let labels =
                [("purpose", request.purpose.as_str()), ("channel", request.destination.channel().as_str())];
            self.inner().metrics.counter("beian_codes_sent_total", &labels).increment(1);
        }
        sent
    }

    async fn send_or_answer(&self, request: &SendCode) -> Result<CodeSent, Error> {
        if self.inner().db.writes_one_at_a_time() {
            return self.send_one_at_a_time(request).await;
        }
        if let Some(sent) = self.sent_for(request).await? {
            return Ok(sent);
        }
        match self.send_new_code(request).await {
            Ok(sent) => Ok(sent),
            // A concurrent call with the same request id may have won meanwhile.
            Err(error) => self.sent_for(request).await?.ok_or(error),
        }
    }

    /// The code an earlier call with this request id sent, if any; the
    /// request id used for another destination or purpose is refused.
    pub(super) async fn sent_for(&self, request: &SendCode) -> Result<Option<CodeSent>, Error> {
        let inner = self.inner();
        let Some(code) = store::by_request(inner.db.reader(), &request.request_id).await? else {
            return Ok(None);
        };
        if code.channel != request.destination.channel()
            || code.destination_key != request.destination.key()
            || code.purpose != request.purpose
        {
            return Err(Error::invalid("request_id", "was used for another destination or purpose"));
        }
        tracing::info!(code_id = %code.code_id, "code request retried: the first code answers");
        Ok(Some(CodeSent {
            masked_destination: Destination::stored(code.channel, code.destination).masked(),
            expires_at_ms: code.expires_at_ms,
            resend_at_ms: code.created_at_ms + duration_millis(inner.policy.resend_cooldown),
            code_id: code.code_id,
        }))
    }

    async fn send_new_code(&self, request: &SendCode) -> Result<CodeSent, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let destination_key = request.destination.key();
        let now = now_millis();
        let refused = |refusal: Refusal| {
            tracing::info!(
                destination = %request.destination,
                purpose = request.purpose.as_str(),
                limit = ?refusal.limit,
                "code refused by a limit"
            );
            Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) }
        };

        let failures =
            limits::failures_refusal(inner.db.reader(), policy, &destination_key, request.purpose, now)
                .await?;
        if let Some(refusal) = failures {
            return Err(refused(refusal));
        }

        // The cooldown first: a double click or an impatient resend is refused
        // by it before it is counted anywhere. A zero cooldown (load runs)
        // has always run out. The caps are counted in the same statement, only
        // if the cooldown started.
        let resend_at_ms = now + duration_millis(policy.resend_cooldown);
        let cooldown = limits::store::Cooldown {
            destination_key: &destination_key,
            purpose: request.purpose,
            ran_out_by_ms: if policy.resend_cooldown.is_zero() { i64::MAX } else { now },
            until_ms: resend_at_ms,
        };
        let keys = SendKeys {
            channel: request.destination.channel(),
            purpose: request.purpose,
            destination: &destination_key,
            prefix: &request.destination.prefix(),
            client: &request.client.key(),
        };
        let caps = counters::for_send(policy, keys);
        let windows = counters::windows(&caps, now);
        let counted =
            limits::store::start_cooldown_and_add(&mut *inner.db.writer().await?, cooldown, &windows).await?;
        let Some(counts) = counted else {
            let until =
                limits::store::cooldown_until(inner.db.reader(), &destination_key, request.purpose).await?;
            // `None` or past: it ran out since; the caller may retry at once.
            let retry_at_ms = until.unwrap_or(now).max(now);
            return Err(refused(Refusal { limit: Limit::ResendCooldown, retry_at_ms }));
        };
        let cooldown_back = || async {
            let released = async {
                let mut writer = inner.db.writer().await?;
                limits::store::release_cooldown(&mut *writer, &destination_key, request.purpose, resend_at_ms)
                    .await
            };
            if let Err(error) = released.await {
                tracing::warn!(%error, "cannot release the cooldown of a code not sent");
            }
        };
        let taken = match counters::settle(&inner.db, &caps, windows, &counts).await {
            Ok(Ok(taken)) => taken,
            Ok(Err(refusal)) => {
                cooldown_back().await;
                return Err(refused(refusal));
            }
            Err(error) => {
                cooldown_back().await;
                return Err(error);
            }
        };
        match self.store_code(request, now, resend_at_ms).await {
            Ok(sent) => Ok(sent),
            Err(error) => {
                taken.give_back(&inner.db).await;
                cooldown_back().await;
                Err(error)
            }
        }
    }

    /// The code, the end of older codes of its destination and purpose, and
    /// its message, in one transaction. It opens by locking the cooldown row
    /// of its destination and purpose, so two sends to one pair (possible at
    /// once only with a zero cooldown) store one after the other and only the
    /// newest code stays live.
    async fn store_code(&self, request: &SendCode, now: i64, resend_at_ms: i64) -> Result<CodeSent, Error> {
        let inner = self.inner();
        let destination_key = request.destination.key();
        let new_code = self.new_code(request, now, resend_at_ms)?;
        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        limits::store::lock_cooldown(&mut tx, &destination_key, request.purpose).await?;
        // the older codes' end does not see the new code: one statement for all three
        Script::new()
            .then(store::kill_live(&destination_key, request.purpose))
            .then(new_code.insert_code)
            .then_some(new_code.queue_message)
            .execute_independent(&mut tx)
            .await?;
        tx.commit().await?;
        drop(writer);
        Ok(self.queued(request, new_code.sent))
    }

    /// A new code for the request: its row and its message, to write in the
    /// transaction that kills the older codes.
    pub(super) fn new_code(&self, request: &SendCode, now: i64, resend_at_ms: i64) -> Result<NewCode, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let destination_key = request.destination.key();
        let digits = Digits::generate();
        let code_id = uuid::Uuid::new_v4().simple().to_string();
        let expires_at_ms = now + duration_millis(policy.code_ttl);
        // a decoy's hash is made under another id: no digits typed for this id match it
        let hashed_id =
            if request.destination.is_decoy() { format!("decoy:{code_id}") } else { code_id.clone() };
        let hash = code_hash(&inner.keys, &hashed_id, request.purpose, &destination_key, &digits);
        let insert_code = store::insert(&store::NewCode {
            code_id: &code_id,
            request_id: &request.request_id,
            purpose: request.purpose,
            channel: request.destination.channel(),
            destination: request.destination.address(),
            destination_key: &destination_key,
            code_hash: &hash,
            client_ip: &request.client.key(),
            created_at_ms: now,
            expires_at_ms,
        });
        let message = NewMessage {
            idempotency_key: format!("code:{code_id}"),
            destination: request.destination.clone(),
            template: Template::Code(request.purpose),
            locale: request.locale,
            params: BTreeMap::from([
                ("code".to_owned(), digits.expose().to_owned()),
                ("minutes".to_owned(), minutes(policy.code_ttl).to_string()),
            ]),
        };
        // a fresh code id: its message's key is new, never a duplicate; a decoy's is never queued
        let queue_message = if request.destination.is_decoy() {
            None
        } else {
            Some(outbox::store::insert(&inner.sealer, &message, now)?.1)
        };
        Ok(NewCode {
            sent: CodeSent {
                code_id,
                masked_destination: request.destination.masked(),
                expires_at_ms,
                resend_at_ms,
            },
            insert_code,
            queue_message,
        })
    }

    /// After the commit: delivery starts, and the answer.
    pub(super) fn queued(&self, request: &SendCode, sent: CodeSent) -> CodeSent {
        self.inner().doorbell.ring();
        tracing::info!(
            code_id = %sent.code_id,
            destination = %request.destination,
            purpose = request.purpose.as_str(),
            decoy = request.destination.is_decoy(),
            "code queued for delivery"
        );
        sent
    }
}

/// A code about to be stored.
pub(super) struct NewCode {
    pub sent: CodeSent,
    pub insert_code: Statement,
    /// None for a decoy.
    pub queue_message: Option<Statement>,
}

/// The lifetime as the message states it: whole minutes, rounded up, at least 1.
pub(super) fn minutes(ttl: std::time::Duration) -> u64 {
    ttl.as_secs().div_ceil(60).max(1)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn lifetimes_read_in_whole_minutes() {
        assert_eq!(super::minutes(Duration::from_secs(300)), 5);
        assert_eq!(super::minutes(Duration::from_secs(301)), 6);
        assert_eq!(super::minutes(Duration::from_millis(500)), 1);
    }
}
