//! SQL over the filing-password columns of `subjects` and `filing_password_issues`.

use beian_common::vocabulary::Channel;
use sqlx::{Any, AnyExecutor, Row, Transaction};

use super::SentTo;
use crate::error::Error;

/// What a check needs: the hash and the lock. No `Debug`: the hash is a secret.
pub struct PasswordState {
    pub hash: String,
    pub locked_until_ms: i64,
}

pub async fn password_state(
    db: impl AnyExecutor<'_>,
    subject_id: &str,
) -> Result<Option<PasswordState>, Error> {
    let row = sqlx::query(
        "select filing_password_hash, password_locked_until_ms from subjects where subject_id = $1",
    )
    .bind(subject_id)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(PasswordState {
            hash: row.try_get("filing_password_hash")?,
            locked_until_ms: row.try_get("password_locked_until_ms")?,
        })
    })
    .transpose()
}

/// One wrong password, as [`record_failure`] counts it.
#[derive(Debug, Clone, Copy)]
pub struct Failure {
    pub now_ms: i64,
    /// A last failure at or before this starts the count again.
    pub restart_before_ms: i64,
    pub max: i64,
    /// The lock's end, if this failure reaches `max`.
    pub lock_until_ms: i64,
}

/// Counts a wrong password in one conditional update: only while not locked, the
/// count restarting after an expired lock or a quiet period, the lock set by the
/// failure that reaches the limit. Answers (failures, locked until), or None if the
/// subject is locked (a concurrent failure locked it first).
pub async fn record_failure(
    db: impl AnyExecutor<'_>,
    subject_id: &str,
    failure: Failure,
) -> Result<Option<(i64, i64)>, Error> {
    let row = sqlx::query(
        "update subjects set \
         password_failures = case when password_locked_until_ms > 0 or password_last_failure_ms <= $3 \
             then 1 else password_failures + 1 end, \
         password_locked_until_ms = case when (case when password_locked_until_ms > 0 \
             or password_last_failure_ms <= $3 then 1 else password_failures + 1 end) >= $4 \
             then $5 else 0 end, \
         password_last_failure_ms = $2 \
         where subject_id = $1 and password_locked_until_ms <= $2 \
         returning password_failures, password_locked_until_ms",
    )
    .bind(subject_id)
    .bind(failure.now_ms)
    .bind(failure.restart_before_ms)
    .bind(failure.max)
    .bind(failure.lock_until_ms)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((row.try_get("password_failures")?, row.try_get("password_locked_until_ms")?)))
        .transpose()
}

/// A right password resets the count, unless a concurrent failure locked it: false then.
pub async fn record_success(db: impl AnyExecutor<'_>, subject_id: &str, now_ms: i64) -> Result<bool, Error> {
    let done = sqlx::query(
        "update subjects set password_failures = 0, password_locked_until_ms = 0 \
         where subject_id = $1 and password_locked_until_ms <= $2",
    )
    .bind(subject_id)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The new password replaces the old one, and clears any count and lock.
pub async fn replace_password(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    hash: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update subjects set filing_password_hash = $2, password_failures = 0, \
         password_locked_until_ms = 0, version = version + 1, updated_at_ms = $3 where subject_id = $1",
    )
    .bind(subject_id)
    .bind(hash)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records an issue under its key; false if the key was issued already. The first
/// statement of the issuing transaction: of two racing retries, one issues.
pub async fn insert_issue(
    tx: &mut Transaction<'_, Any>,
    key: &str,
    subject_id: &str,
    sent: &SentTo,
    now_ms: i64,
) -> Result<bool, Error> {
    let masked = |wanted: Channel| {
        sent.0.iter().find(|(channel, _)| *channel == wanted).map(|(_, masked)| masked.as_str()).unwrap_or("")
    };
    let inserted = sqlx::query(
        "insert into filing_password_issues (issue_key, subject_id, masked_mobile, masked_email, issued_at_ms) \
         values ($1, $2, $3, $4, $5) on conflict (issue_key) do nothing",
    )
    .bind(key)
    .bind(subject_id)
    .bind(masked(Channel::Sms))
    .bind(masked(Channel::Email))
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn find_issue(db: impl AnyExecutor<'_>, key: &str) -> Result<Option<SentTo>, Error> {
    let row =
        sqlx::query("select masked_mobile, masked_email from filing_password_issues where issue_key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    row.map(|row| {
        let mobile: String = row.try_get("masked_mobile")?;
        let email: String = row.try_get("masked_email")?;
        Ok(SentTo(
            [(Channel::Sms, mobile), (Channel::Email, email)]
                .into_iter()
                .filter(|(_, masked)| !masked.is_empty())
                .collect(),
        ))
    })
    .transpose()
}
