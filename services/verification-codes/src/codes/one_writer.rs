//! SendCode, CheckCode and RedeemProof where one connection does every write (SQLite; see
//! `Database::writes_one_at_a_time`). Inside the `begin immediate` transaction
//! nothing changes between a read and a write, so each operation reads what
//! decides it in one statement, decides in Rust, and writes in one script. The
//! rules are those of `send.rs` and `check.rs`, which PostgreSQL runs: the tests
//! run both.
//!
//! Every hand-off to SQLite's thread costs a thread wake-up, and every write of
//! the service waits for the one writer meanwhile: held for a begin, a read, a
//! script and a commit per send, the writer capped sends near 1,400 a second.
//! So sends, checks and redemptions queue here, and whoever takes the writer runs every
//! queued one, each after the one before, in one transaction: a read and a
//! script each, one begin and one commit for all. A refusal writes nothing. If
//! the transaction fails, each runs again alone, so one bad request cannot fail
//! the others. The batch runs on a task of its own, so a caller that goes away
//! does not stop it halfway, on a thread of its own: SQLite's thread wakes a
//! task through the runtime's shared queue, which busy workers serve last, so
//! on the service's workers every hand-off of a batch also waited behind the
//! requests in flight.

use std::sync::{Mutex, OnceLock, PoisonError};

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use tokio::{runtime, sync::oneshot};
use tracing::instrument::WithSubscriber as _;

use beian_common::vocabulary::Purpose;
use beian_platform::storage::{Writer, duration_millis, now_millis, script::Script};

use super::{CodeState, Digits, check::CheckCode, code_matches, send::CodeSent, send::SendCode, store};
use crate::{
    error::{Error, Limit},
    limits::{
        self, DAY, Refusal,
        counters::{self, Counter, SendKeys},
    },
    proofs::{Spend, Spent},
    service::VerificationCodes,
};

use super::check::ProofIssued;

/// Sends, checks and redemptions waiting for the writer.
#[derive(Debug, Default)]
pub(crate) struct WriteQueue {
    jobs: Mutex<Vec<Job>>,
}

/// A queued send or check, its caller's answer, and its outcome once run.
#[derive(Debug)]
enum Job {
    Send {
        request: SendCode,
        answer: oneshot::Sender<Result<Sent, Error>>,
        outcome: Option<Sent>,
    },
    Check {
        check: CheckCode,
        answer: oneshot::Sender<Result<Checked, Error>>,
        outcome: Option<Checked>,
    },
    /// A proof's redemption with the notices it queues (None: no live proof matched).
    Redeem {
        spend: Spend,
        answer: oneshot::Sender<Result<Option<Spent>, Error>>,
        outcome: Option<Option<Spent>>,
    },
}

impl Job {
    /// Runs in `conn`'s transaction; the outcome is kept until the commit.
    async fn run(&mut self, codes: &VerificationCodes, conn: &mut AnyConnection) -> Result<(), Error> {
        match self {
            Self::Send { request, outcome, .. } => *outcome = Some(codes.send_step(conn, request).await?),
            Self::Check { check, outcome, .. } => *outcome = Some(codes.check_step(conn, check).await?),
            Self::Redeem { spend, outcome, .. } => *outcome = Some(codes.spend_step(conn, spend).await?),
        }
        Ok(())
    }

    /// Answers the caller (one that went away is not waiting any more): the
    /// outcome, or `failure` when the transaction did not commit.
    fn answer(self, failure: Option<Error>) {
        fn result<T>(outcome: Option<T>, failure: Option<Error>) -> Result<T, Error> {
            match (failure, outcome) {
                (Some(error), _) => Err(error),
                (None, Some(outcome)) => Ok(outcome),
                (None, None) => Err(Error::internal("a write ended without an outcome")),
            }
        }
        match self {
            Self::Send { answer, outcome, .. } => {
                let _ = answer.send(result(outcome, failure));
            }
            Self::Check { answer, outcome, .. } => {
                let _ = answer.send(result(outcome, failure));
            }
            Self::Redeem { answer, outcome, .. } => {
                let _ = answer.send(result(outcome, failure));
            }
        }
    }
}

impl WriteQueue {
    fn push(&self, job: Job) {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).push(job);
    }

    fn take(&self) -> Vec<Job> {
        std::mem::take(&mut *self.jobs.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// How a send ended inside the transaction; answered once it committed.
#[derive(Debug)]
enum Sent {
    New(CodeSent),
    /// A code was sent for this request id already.
    Seen,
    Refused(Refusal),
}

/// How a check ended inside the transaction.
#[derive(Debug)]
enum Checked {
    Issued(ProofIssued),
    /// Not live, expired or out of attempts: answered from what is stored.
    Unchecked,
    Refused(Refusal),
    Incorrect {
        attempts_left: u32,
        purpose: Purpose,
    },
}

impl VerificationCodes {
    /// A retry (same request id) answers the first send's code; a new send is
    /// refused by the first limit that applies (daily failed checks, the
    /// cooldown, then the longest of the caps), or stored with its message.
    pub(super) async fn send_one_at_a_time(&self, request: &SendCode) -> Result<CodeSent, Error> {
        let (answer, answered) = oneshot::channel();
        let job = Job::Send { request: request.clone(), answer, outcome: None };
        match self.written(job, answered).await? {
            Sent::New(sent) => Ok(self.queued(request, sent)),
            Sent::Seen => {
                self.sent_for(request).await?.ok_or_else(|| Error::internal("a sent code went missing"))
            }
            Sent::Refused(refusal) => {
                tracing::info!(
                    destination = %request.destination,
                    purpose = request.purpose.as_str(),
                    limit = ?refusal.limit,
                    "code refused by a limit"
                );
                Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now_millis()) })
            }
        }
    }

    /// A check: refused if the code cannot be checked or the destination's
    /// failed checks reached the daily limit (neither counted), else counted
    /// and answered.
    pub(super) async fn check_one_at_a_time(&self, check: &CheckCode) -> Result<ProofIssued, Error> {
        let (answer, answered) = oneshot::channel();
        let copy = CheckCode {
            code_id: check.code_id.clone(),
            digits: Digits::typed(check.digits.expose()),
            request_id: check.request_id.clone(),
        };
        let job = Job::Check { check: copy, answer, outcome: None };
        let code_id = &check.code_id;
        match self.written(job, answered).await? {
            Checked::Issued(issued) => {
                tracing::info!(%code_id, "code checked: proof issued");
                Ok(issued)
            }
            Checked::Unchecked => self.answer_unchecked(check).await,
            Checked::Refused(refusal) => {
                tracing::info!(%code_id, "check refused: too many failed checks today");
                Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now_millis()) })
            }
            Checked::Incorrect { attempts_left, purpose } => {
                tracing::info!(%code_id, attempts_left, "code incorrect");
                self.count_failed_check(purpose);
                Err(Error::CodeIncorrect { attempts_left })
            }
        }
    }

    /// A proof's redemption and its notices, batched like sends and checks.
    pub(crate) async fn spend_one_at_a_time(&self, spend: Spend) -> Result<Option<Spent>, Error> {
        let (answer, answered) = oneshot::channel();
        self.written(Job::Redeem { spend, answer, outcome: None }, answered).await
    }

    /// Queues `job`, then waits for the writer: a batch that took the job
    /// meanwhile has answered it; else this caller runs every queued job.
    async fn written<T>(
        &self,
        job: Job,
        mut answered: oneshot::Receiver<Result<T, Error>>,
    ) -> Result<T, Error> {
        let inner = self.inner();
        inner.write_queue.push(job);
        let writer = inner.db.writer().await?;
        if let Ok(answer) = answered.try_recv() {
            return answer;
        }
        let jobs = inner.write_queue.take();
        let batch = self.clone();
        batch_thread().spawn(async move { batch.run_batch(writer, jobs).await }.with_current_subscriber());
        answered.await.map_err(|_| Error::internal("a batch of writes ended without an answer"))?
    }

    /// Runs `jobs` in one transaction and answers each after the commit; if the
    /// transaction fails, runs each alone.
    async fn run_batch(&self, mut writer: Writer, mut jobs: Vec<Job>) {
        let together = async {
            let mut tx = writer.begin().await?;
            for job in &mut jobs {
                job.run(self, &mut tx).await?;
            }
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        match together.await {
            // answered before the writer is given back: whoever takes it next finds its answer
            Ok(()) => {
                for job in jobs {
                    job.answer(None);
                }
            }
            Err(error) => {
                tracing::warn!(%error, jobs = jobs.len(), "a batch of writes failed; each runs alone");
                for mut job in jobs {
                    let alone = async {
                        let mut tx = writer.begin().await?;
                        job.run(self, &mut tx).await?;
                        tx.commit().await?;
                        Ok::<_, Error>(())
                    };
                    let failure = alone.await.err();
                    job.answer(failure);
                }
            }
        }
    }

    async fn send_step(&self, conn: &mut AnyConnection, request: &SendCode) -> Result<Sent, Error> {
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
        let standing =
            send_standing(conn, request, &destination_key, policy.max_failures_per_day, now, &windows)
                .await?;
        if standing.request_seen {
            return Ok(Sent::Seen);
        }
        let resend_at_ms = now + duration_millis(policy.resend_cooldown);
        let cooling =
            standing.cooldown_until_ms.filter(|&until| !policy.resend_cooldown.is_zero() && until > now);
        let refusal = limits::failures_cap(policy)
            .refusal_after(standing.nth_failure_ms)
            .or(cooling.map(|until| Refusal { limit: Limit::ResendCooldown, retry_at_ms: until }))
            .or_else(|| over_caps(&caps, &windows, &standing.hits));
        if let Some(refusal) = refusal {
            return Ok(Sent::Refused(refusal));
        }
        let new_code = self.new_code(request, now, resend_at_ms)?;
        Script::new()
            .then(limits::store::set_cooldown(&destination_key, request.purpose, resend_at_ms))
            .then(limits::store::count(&windows))
            .then(store::kill_live(&destination_key, request.purpose))
            .then(new_code.insert_code)
            .then_some(new_code.queue_message)
            .execute(conn)
            .await?;
        Ok(Sent::New(new_code.sent))
    }

    async fn check_step(&self, conn: &mut AnyConnection, check: &CheckCode) -> Result<Checked, Error> {
        let inner = self.inner();
        let policy = &inner.policy;
        let code_id = check.code_id.as_str();
        let now = now_millis();
        let code = check_standing(conn, code_id, policy.max_failures_per_day, now).await?;
        let Some(code) =
            code.filter(|c| c.live && c.expires_at_ms > now && c.attempts < i64::from(policy.max_checks))
        else {
            return Ok(Checked::Unchecked);
        };
        if let Some(refusal) = limits::failures_cap(policy).refusal_after(code.nth_failure_ms) {
            return Ok(Checked::Refused(refusal));
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
                .execute(conn)
                .await?;
            return Ok(Checked::Incorrect { attempts_left, purpose: code.purpose });
        }
        let (issued, insert_proof) =
            self.new_proof(check, code.purpose, code.channel, &code.destination_key, now);
        Script::new()
            .then(store::count_check(code_id))
            .then(store::finish(code_id, CodeState::Used, Some(&check.request_id)))
            .then(insert_proof)
            .execute(conn)
            .await?;
        Ok(Checked::Issued(issued))
    }
}

/// The thread batches run on, started on first use and shared by the process.
fn batch_thread() -> &'static runtime::Handle {
    static BATCHES: OnceLock<runtime::Handle> = OnceLock::new();
    BATCHES.get_or_init(|| {
        let runtime =
            runtime::Builder::new_current_thread().enable_all().build().expect("a runtime for write batches");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("code-writes".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("a thread for write batches");
        handle
    })
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
