//! What a decision still owes, one row per decided case: an approval's effect in the
//! owning service, or a rejection's notice to the applicant. A worker claims due rows
//! with a lease (one conditional update pushing `next_attempt_at_ms` past the lease, as
//! the outbox does), so replicas never work one case at once; a worker that dies leaves
//! the lease to run out and the row is tried again. Every call the worker makes is
//! idempotent on the case number, so a retry does nothing twice.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// What the row owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectAction {
    /// The approval's effect; then the case is COMPLETED.
    Apply,
    /// The REVIEW_DECIDED notice with the note, to the applicant.
    NotifyRejection,
}

impl EffectAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "APPLY",
            Self::NotifyRejection => "NOTIFY_REJECTION",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Apply, Self::NotifyRejection].into_iter().find(|action| action.as_str() == text)
    }
}

/// A row this worker holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub case_number: String,
    pub action: EffectAction,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

pub async fn insert(
    db: impl AnyExecutor<'_>,
    case_number: &str,
    action: EffectAction,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into review_effects (case_number, action, attempts, next_attempt_at_ms, created_at_ms) \
         values ($1, $2, 0, $3, $3)",
    )
    .bind(case_number)
    .bind(action.as_str())
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes up to `limit` due rows, the longest waiting first, leasing them until
/// `lease_until_ms` and counting the attempt. The due condition stands outside the
/// subquery too, so on PostgreSQL a worker that waited for another's claim re-checks it.
pub async fn claim_due(
    db: impl AnyExecutor<'_>,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<Claimed>, Error> {
    let rows = sqlx::query(
        "update review_effects set next_attempt_at_ms = $2, attempts = attempts + 1 \
         where done_at_ms is null and next_attempt_at_ms <= $1 and case_number in ( \
           select case_number from review_effects where done_at_ms is null and next_attempt_at_ms <= $1 \
           order by next_attempt_at_ms limit $3) \
         returning case_number, action, attempts",
    )
    .bind(now_ms)
    .bind(lease_until_ms)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let action: String = row.try_get("action")?;
            Ok(Claimed {
                case_number: row.try_get("case_number")?,
                action: EffectAction::parse(&action)
                    .ok_or_else(|| Error::internal(format!("stored effect action {action:?}")))?,
                attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Done; answers whether this call marked it (a row marked already is left alone).
pub async fn mark_done(db: impl AnyExecutor<'_>, case_number: &str, now_ms: i64) -> Result<bool, Error> {
    let result = sqlx::query(
        "update review_effects set done_at_ms = $2, last_error = null \
         where case_number = $1 and done_at_ms is null",
    )
    .bind(case_number)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Another attempt at `at_ms`; `reason` says why this one failed (no personal data).
pub async fn reschedule(
    db: impl AnyExecutor<'_>,
    case_number: &str,
    at_ms: i64,
    reason: &str,
) -> Result<(), Error> {
    sqlx::query(
        "update review_effects set next_attempt_at_ms = $2, last_error = $3 \
         where case_number = $1 and done_at_ms is null",
    )
    .bind(case_number)
    .bind(at_ms)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(())
}

/// The owning service refused the approval's effect for good (`reason`, an ErrorReason's
/// name without its prefix): APPROVED becomes COMPLETED with that reason for the applicant.
pub async fn fail_case(
    db: impl AnyExecutor<'_>,
    case_number: &str,
    reason: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update review_cases set state = 'COMPLETED', failure_reason = $2, updated_at_ms = $3 \
         where case_number = $1 and state = 'APPROVED'",
    )
    .bind(case_number)
    .bind(reason)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// The approval's effect is applied everywhere: APPROVED becomes COMPLETED.
pub async fn complete_case(db: impl AnyExecutor<'_>, case_number: &str, now_ms: i64) -> Result<(), Error> {
    sqlx::query(
        "update review_cases set state = 'COMPLETED', updated_at_ms = $2 \
         where case_number = $1 and state = 'APPROVED'",
    )
    .bind(case_number)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}
