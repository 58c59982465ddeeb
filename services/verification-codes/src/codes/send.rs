//! SendCode: caps, then in one transaction the code, its send event and the
//! outbox message that carries it.

use std::collections::BTreeMap;

use beian_platform::storage::now_millis;

use super::{Digits, code_hash, store};
use crate::{
    client::ClientAddress,
    destination::Destination,
    error::Error,
    limits::{self, SendHistory, store::SendKey},
    locale::Locale,
    outbox::{self, NewMessage},
    purpose::Purpose,
    service::VerificationCodes,
    settings::millis,
    templates::Template,
};

/// A validated request for a code.
#[derive(Debug, Clone)]
pub struct SendCode {
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
    /// Sends a code unless a cap refuses (each with its own reason and the
    /// instant to retry). The transaction opens with the limit gates, so
    /// concurrent sends sharing a destination, client or prefix are counted
    /// one after the other (see `limits`).
    pub async fn send_code(&self, request: SendCode) -> Result<CodeSent, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let destination_key = request.destination.key();
        let prefix = request.destination.prefix();
        let client_key = request.client.key();
        let digits = Digits::generate();
        let code_id = uuid::Uuid::new_v4().simple().to_string();

        let now = now_millis();
        let mut tx = inner.db.begin().await?;
        let gates = [
            format!("client:{client_key}"),
            format!("destination:{destination_key}"),
            format!("prefix:{prefix}"),
        ];
        limits::store::take_gates(&mut tx, &gates, now).await?;
        let day_ago = now - millis(limits::send_window());
        let history = SendHistory {
            last_code_at_ms: store::last_created_at(&mut tx, &destination_key, request.purpose).await?,
            destination: limits::store::newest_sends(
                &mut tx,
                SendKey::Destination(&destination_key),
                day_ago,
                policy.destination_per_hour.max(policy.destination_per_day),
            )
            .await?,
            client: limits::store::newest_sends(
                &mut tx,
                SendKey::Client(&client_key),
                day_ago,
                policy.client_per_hour.max(policy.client_per_day),
            )
            .await?,
            prefix: limits::store::newest_sends(
                &mut tx,
                SendKey::Prefix(&prefix),
                now - millis(limits::prefix_window()),
                policy.mobile_prefix_per_hour.max(policy.email_domain_per_hour),
            )
            .await?,
        };
        if let Some(refusal) = limits::check_send(policy, request.destination.channel(), &history, now) {
            tx.rollback().await?;
            tracing::info!(
                destination = %request.destination,
                purpose = request.purpose.as_str(),
                limit = ?refusal.limit,
                "code refused by a cap"
            );
            return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
        }

        let expires_at_ms = now + millis(policy.code_ttl);
        store::kill_live(&mut tx, &destination_key, request.purpose).await?;
        let hash = code_hash(&inner.keys, &code_id, request.purpose, &destination_key, &digits);
        let code = store::NewCode {
            code_id: &code_id,
            purpose: request.purpose,
            channel: request.destination.channel(),
            destination: request.destination.address(),
            destination_key: &destination_key,
            code_hash: &hash,
            client_ip: &client_key,
            created_at_ms: now,
            expires_at_ms,
        };
        store::insert(&mut tx, &code).await?;
        let event = store::SendEvent {
            destination_key: &destination_key,
            destination_prefix: &prefix,
            client_ip: &client_key,
            created_at_ms: now,
        };
        store::insert_send_event(&mut tx, &event).await?;
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
        outbox::store::enqueue(&mut tx, &message, now).await?;
        tx.commit().await?;
        inner.doorbell.ring();
        tracing::info!(
            %code_id,
            destination = %request.destination,
            purpose = request.purpose.as_str(),
            "code queued for delivery"
        );
        Ok(CodeSent {
            code_id,
            masked_destination: request.destination.masked(),
            expires_at_ms,
            resend_at_ms: now + millis(policy.resend_cooldown),
        })
    }
}

/// The lifetime as the message states it: whole minutes, rounded up, at least 1.
fn minutes(ttl: std::time::Duration) -> u64 {
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
