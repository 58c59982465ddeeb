//! SendCode and CheckCode where one connection does every write (SQLite; see
//! `Database::writes_one_at_a_time`). Inside the `begin immediate` transaction
//! nothing changes between a read and a write, so each operation reads what
//! decides it in one statement, decides in Rust, and writes in one script: four
//! hand-offs to the writer's thread (begin, read, script, commit) where the
//! statement-at-a-time path of `send.rs` and `check.rs` takes eight for a send
//! and six for a check. Concurrent sends and checks queue behind those hand-offs.
//! A refusal writes nothing, so nothing is given back. The rules are those of
//! `send.rs` and `check.rs`, which PostgreSQL runs: the tests run both.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use beian_common::vocabulary::Purpose;
use beian_platform::storage::{duration_millis, now_millis, script::Script};

use super::{CodeState, check::CheckCode, code_matches, send::CodeSent, send::SendCode, store};
use crate::{
    error::{Error, Limit},
    limits::{
        self, Cap, DAY, Refusal,
        counters::{self, Counter, SendKeys},
    },
    service::VerificationCodes,
};

use super::check::ProofIssued;

impl VerificationCodes {
    /// A retry (same request id) answers the first send's code; a new send is
    /// refused by the first limit that applies (daily failed checks, the
    /// cooldown, then the longest of the caps), or stored with its message.
    pub(super) async fn send_one_at_a_time(&self, request: &SendCode) -> Result<CodeSent, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let destination_key = request.destination.key();
        let now = now_millis();
        let caps = counters::for_send(
            policy,
            SendKeys {
                channel: request.destination.channel(),
                purpose: request.purpose,
                destination: &destination_key,
                prefix: &request.destination.prefix(),
                client: &request.client.key(),
            },
        );
        let windows: Vec<(String, i64)> = caps.iter().map(|c| (c.key.clone(), c.window_start(now))).collect();

        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        let standing =
            send_standing(&mut tx, request, &destination_key, policy.max_failures_per_day, now, &windows)
                .await?;
        if standing.request_seen {
            tx.rollback().await?;
            drop(writer);
            return self.sent_for(request).await?.ok_or_else(|| Error::internal("a sent code went missing"));
        }
        let resend_at_ms = now + duration_millis(policy.resend_cooldown);
        let cooling =
            standing.cooldown_until_ms.filter(|&until| !policy.resend_cooldown.is_zero() && until > now);
        let refusal = failures_cap(policy.max_failures_per_day)
            .refusal_after(standing.nth_failure_ms)
            .or(cooling.map(|until| Refusal { limit: Limit::ResendCooldown, retry_at_ms: until }))
            .or_else(|| over_caps(&caps, &windows, &standing.hits));
        if let Some(refusal) = refusal {
            tx.rollback().await?;
            drop(writer);
            tracing::info!(
                destination = %request.destination,
                purpose = request.purpose.as_str(),
                limit = ?refusal.limit,
                "code refused by a limit"
            );
            return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
        }

        let new_code = self.new_code(request, now, resend_at_ms)?;
        Script::new()
            .then(limits::store::set_cooldown(&destination_key, request.purpose, resend_at_ms))
            .then(limits::store::count(&windows))
            .then(store::kill_live(&destination_key, request.purpose))
            .then(new_code.insert_code)
            .then_some(new_code.queue_message)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        drop(writer);
        Ok(self.queued(request, new_code.sent))
    }

    /// A check: refused if the code cannot be checked or the destination's
    /// failed checks reached the daily limit (neither counted), else counted
    /// and answered.
    pub(super) async fn check_one_at_a_time(&self, check: &CheckCode) -> Result<ProofIssued, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let code_id = check.code_id.as_str();
        let now = now_millis();
        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        let code = check_standing(&mut tx, code_id, policy.max_failures_per_day, now).await?;
        let Some(code) =
            code.filter(|c| c.live && c.expires_at_ms > now && c.attempts < i64::from(policy.max_checks))
        else {
            tx.rollback().await?;
            drop(writer);
            return self.answer_unchecked(check).await;
        };
        if let Some(refusal) = failures_cap(policy.max_failures_per_day).refusal_after(code.nth_failure_ms) {
            tx.rollback().await?;
            drop(writer);
            tracing::info!(%code_id, "check refused: too many failed checks today");
            return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
        }
        let attempts = code.attempts + 1;
        if !code_matches(
            &inner.keys,
            code_id,
            code.purpose,
            &code.destination_key,
            &check.digits,
            &code.code_hash,
        ) {
            let attempts_left = u32::try_from(i64::from(policy.max_checks) - attempts).unwrap_or(0);
            let mut script = Script::new().then(store::count_check(code_id));
            if attempts_left == 0 {
                script = script.then(store::finish(code_id, CodeState::Dead, None));
            }
            script
                .then(limits::store::record_failure(&code.destination_key, code.purpose, now))
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            drop(writer);
            tracing::info!(%code_id, attempts_left, "code incorrect");
            self.count_failed_check(code.purpose);
            return Err(Error::CodeIncorrect { attempts_left });
        }
        let (issued, insert_proof) =
            self.new_proof(check, code.purpose, code.channel, &code.destination_key, now);
        Script::new()
            .then(store::count_check(code_id))
            .then(store::finish(code_id, CodeState::Used, Some(&check.request_id)))
            .then(insert_proof)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        drop(writer);
        tracing::info!(%code_id, purpose = code.purpose.as_str(), "code checked: proof issued");
        Ok(issued)
    }
}

fn failures_cap(max: u32) -> Cap {
    Cap { limit: Limit::CheckFailures, max, window: DAY }
}

/// The longest refusal among the caps a send would go over.
fn over_caps(caps: &[Counter], windows: &[(String, i64)], hits: &[i64]) -> Option<Refusal> {
    caps.iter().zip(windows).zip(hits).fold(None, |refusal, ((cap, (_, start)), &hits)| {
        if hits < i64::from(cap.max) {
            return refusal;
        }
        Some(Refusal { limit: cap.limit, retry_at_ms: start + duration_millis(cap.window) }.longest(refusal))
    })
}

/// What decides a send, read in one statement.
struct SendStanding {
    /// A code was sent for this request id already.
    request_seen: bool,
    /// The `max`-th newest failed check within the day, if there are that many.
    nth_failure_ms: Option<i64>,
    cooldown_until_ms: Option<i64>,
    /// Each cap's count in its current window, in the order asked.
    hits: Vec<i64>,
}

/// `$n`-numbered scalar subqueries: nothing found reads as null (or 0 hits).
async fn send_standing(
    conn: &mut AnyConnection,
    request: &SendCode,
    destination_key: &str,
    max_failures: u32,
    now_ms: i64,
    windows: &[(String, i64)],
) -> Result<SendStanding, Error> {
    let mut sql = String::from(
        "select (select created_at_ms from check_failures where destination_key = $1 and purpose = $2 \
         and created_at_ms > $3 order by created_at_ms desc limit 1 offset $4) as nth_failure_ms, \
         (select until_ms from send_cooldowns where destination_key = $1 and purpose = $2) as cooldown_until_ms, \
         (select count(*) from codes where request_id = $5) as request_seen",
    );
    for i in 0..windows.len() {
        let key = 6 + 2 * i;
        sql.push_str(&format!(
            ", coalesce((select hits from limit_counters where counter_key = ${key} and window_start_ms = ${}), 0) as hits_{i}",
            key + 1
        ));
    }
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(destination_key)
        .bind(request.purpose.as_str())
        .bind(now_ms - duration_millis(DAY))
        .bind(i64::from(max_failures.saturating_sub(1)))
        .bind(request.request_id.as_str());
    for (key, start) in windows {
        query = query.bind(key.as_str()).bind(*start);
    }
    let row = query.fetch_one(conn).await?;
    let hits = (0..windows.len())
        .map(|i| row.try_get::<i64, _>(format!("hits_{i}").as_str()))
        .collect::<Result<_, _>>()?;
    Ok(SendStanding {
        request_seen: row.try_get::<i64, _>("request_seen")? > 0,
        nth_failure_ms: row.try_get("nth_failure_ms")?,
        cooldown_until_ms: row.try_get("cooldown_until_ms")?,
        hits,
    })
}

/// What decides a check, read in one statement.
struct CheckStanding {
    live: bool,
    attempts: i64,
    expires_at_ms: i64,
    purpose: Purpose,
    channel: beian_common::vocabulary::Channel,
    destination_key: String,
    code_hash: String,
    nth_failure_ms: Option<i64>,
}

async fn check_standing(
    conn: &mut AnyConnection,
    code_id: &str,
    max_failures: u32,
    now_ms: i64,
) -> Result<Option<CheckStanding>, Error> {
    let row = sqlx::query(
        "select state, attempts, expires_at_ms, purpose, channel, destination_key, code_hash, \
         (select f.created_at_ms from check_failures f where f.destination_key = codes.destination_key \
          and f.purpose = codes.purpose and f.created_at_ms > $2 order by f.created_at_ms desc limit 1 offset $3) \
          as nth_failure_ms \
         from codes where code_id = $1",
    )
    .bind(code_id)
    .bind(now_ms - duration_millis(DAY))
    .bind(i64::from(max_failures.saturating_sub(1)))
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let state: String = row.try_get("state")?;
    let purpose: String = row.try_get("purpose")?;
    let channel: String = row.try_get("channel")?;
    Ok(Some(CheckStanding {
        live: state.parse::<CodeState>().map_err(Error::internal)? == CodeState::Live,
        attempts: row.try_get("attempts")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        purpose: purpose.parse().map_err(Error::internal)?,
        channel: channel.parse().map_err(Error::internal)?,
        destination_key: row.try_get("destination_key")?,
        code_hash: row.try_get("code_hash")?,
        nth_failure_ms: row.try_get("nth_failure_ms")?,
    }))
}
