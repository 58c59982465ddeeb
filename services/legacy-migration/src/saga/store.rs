//! The `migrations` rows the saga drives: PENDING (inserted; the subject may or may not
//! exist in filing-registry yet) → DONE (filing-registry answered the subject). One row
//! per legacy filing (`unique(filing_number)`): of two imports of one filing, the second
//! insert finds the first's row. Leases as review effects and the outbox do: claiming a
//! row pushes `next_attempt_at_ms` past the lease.

use sqlx::{AnyExecutor, Row};

use super::{Kind, Migration, State};
use crate::error::Error;

/// A row to insert: the request driving it holds it until `lease_until_ms`.
#[derive(Debug, Clone)]
pub struct NewMigration<'a> {
    pub migration_id: &'a str,
    pub filing_number: &'a str,
    pub kind: Kind,
    pub account_id: &'a str,
    pub case_number: Option<&'a str>,
    pub now_ms: i64,
    pub lease_until_ms: i64,
}

/// Inserts the PENDING row unless the filing has one already (or the case started one):
/// answers whether this call made it.
pub async fn insert_pending(db: impl AnyExecutor<'_>, new: &NewMigration<'_>) -> Result<bool, Error> {
    let result = sqlx::query(
        "insert into migrations (migration_id, filing_number, kind, account_id, state, case_number, \
         attempts, next_attempt_at_ms, created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, 'PENDING', $5, 1, $6, $7, $7) on conflict do nothing",
    )
    .bind(new.migration_id)
    .bind(new.filing_number)
    .bind(new.kind.as_str())
    .bind(new.account_id)
    .bind(new.case_number.map(str::to_owned))
    .bind(new.lease_until_ms)
    .bind(new.now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The columns every read answers (a macro, so the SQL stays static text).
macro_rules! columns {
    () => {
        "migration_id, filing_number, kind, account_id, state, subject_id, case_number, attempts, \
         created_at_ms, updated_at_ms"
    };
}

fn migration(row: &sqlx::any::AnyRow) -> Result<Migration, Error> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    Ok(Migration {
        migration_id: row.try_get("migration_id")?,
        filing_number: row.try_get("filing_number")?,
        kind: Kind::parse(&kind).ok_or_else(|| Error::internal(format!("stored migration kind {kind:?}")))?,
        account_id: row.try_get("account_id")?,
        state: State::parse(&state)
            .ok_or_else(|| Error::internal(format!("stored migration state {state:?}")))?,
        subject_id: row.try_get("subject_id")?,
        case_number: row.try_get("case_number")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

pub async fn by_filing(db: impl AnyExecutor<'_>, filing_number: &str) -> Result<Option<Migration>, Error> {
    let row = sqlx::query(concat!("select ", columns!(), " from migrations where filing_number = $1"))
        .bind(filing_number)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(migration).transpose()
}

pub async fn by_case(db: impl AnyExecutor<'_>, case_number: &str) -> Result<Option<Migration>, Error> {
    let row = sqlx::query(concat!("select ", columns!(), " from migrations where case_number = $1"))
        .bind(case_number)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(migration).transpose()
}

/// PENDING → DONE with the subject filing-registry made; answers the row as it stands
/// (a concurrent driver may have marked it first: same subject, same key).
pub async fn mark_done(
    db: impl AnyExecutor<'_>,
    migration_id: &str,
    subject_id: &str,
    now_ms: i64,
) -> Result<Option<Migration>, Error> {
    let row = sqlx::query(concat!(
        "update migrations set state = 'DONE', subject_id = coalesce(subject_id, $2), updated_at_ms = \
         case when state = 'DONE' then updated_at_ms else $3 end, last_error = null \
         where migration_id = $1 returning ",
        columns!()
    ))
    .bind(migration_id)
    .bind(subject_id)
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(migration).transpose()
}

/// filing-registry refused the adoption for good: the PENDING row goes, so the filing
/// stays free for an import that can succeed.
pub async fn abandon(db: impl AnyExecutor<'_>, migration_id: &str) -> Result<(), Error> {
    sqlx::query("delete from migrations where migration_id = $1 and state = 'PENDING'")
        .bind(migration_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Takes up to `limit` due PENDING rows, the longest waiting first, leasing them until
/// `lease_until_ms` and counting the attempt. The due condition stands outside the
/// subquery too, so on PostgreSQL a worker that waited for another's claim re-checks it.
pub async fn claim_due(
    db: impl AnyExecutor<'_>,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<Migration>, Error> {
    let rows = sqlx::query(concat!(
        "update migrations set next_attempt_at_ms = $2, attempts = attempts + 1 \
         where state = 'PENDING' and next_attempt_at_ms <= $1 and migration_id in ( \
           select migration_id from migrations where state = 'PENDING' and next_attempt_at_ms <= $1 \
           order by next_attempt_at_ms limit $3) \
         returning ",
        columns!()
    ))
    .bind(now_ms)
    .bind(lease_until_ms)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter().map(migration).collect()
}

/// Another attempt at `at_ms`; `reason` says why this one failed (no personal data).
pub async fn reschedule(
    db: impl AnyExecutor<'_>,
    migration_id: &str,
    at_ms: i64,
    reason: &str,
) -> Result<(), Error> {
    sqlx::query(
        "update migrations set next_attempt_at_ms = $2, last_error = $3 \
         where migration_id = $1 and state = 'PENDING'",
    )
    .bind(migration_id)
    .bind(at_ms)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(())
}
