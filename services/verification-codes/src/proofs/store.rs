//! SQL over `proofs`.

use sqlx::{AnyExecutor, Row};

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::storage::script::Statement;

use crate::error::Error;

#[derive(Debug, Clone)]
pub struct NewProof<'a> {
    pub proof_hash: &'a str,
    pub code_id: &'a str,
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination_key: &'a str,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

pub fn insert(proof: &NewProof<'_>) -> Statement {
    Statement::new(
        "insert into proofs (proof_hash, code_id, purpose, channel, destination_key, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(proof.proof_hash)
    .bind(proof.code_id)
    .bind(proof.purpose.as_str())
    .bind(proof.channel.as_str())
    .bind(proof.destination_key)
    .bind(proof.created_at_ms)
    .bind(proof.expires_at_ms)
}

/// A proof as stored.
#[derive(Debug, Clone)]
pub struct StoredProof {
    pub code_id: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination_key: String,
    /// The address the code went to (from its code row, in the same statement).
    pub destination: Option<String>,
    pub expires_at_ms: i64,
    pub redeemed: bool,
    pub redemption_key: Option<String>,
}

/// The deciding write of a redemption: spends a live proof of `purpose`
/// (and of `destination_key`, unless empty) and answers it; `None` if any
/// condition fails, which leaves the proof as it was.
pub async fn redeem(
    db: impl AnyExecutor<'_>,
    proof_hash: &str,
    purpose: Purpose,
    destination_key: &str,
    redemption_key: Option<&str>,
    now_ms: i64,
) -> Result<Option<StoredProof>, Error> {
    let row = sqlx::query(
        "update proofs set redeemed_at_ms = $5, redemption_key = $4 \
         where proof_hash = $1 and redeemed_at_ms is null and expires_at_ms > $5 and purpose = $2 \
         and ($3 = '' or destination_key = $3) \
         returning code_id, purpose, channel, destination_key, expires_at_ms, redeemed_at_ms, redemption_key, \
         (select destination from codes where codes.code_id = proofs.code_id) as destination",
    )
    .bind(proof_hash)
    .bind(purpose.as_str())
    .bind(destination_key)
    .bind(redemption_key)
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find(db: impl AnyExecutor<'_>, proof_hash: &str) -> Result<Option<StoredProof>, Error> {
    let row = sqlx::query(
        "select code_id, purpose, channel, destination_key, expires_at_ms, redeemed_at_ms, redemption_key, \
         (select destination from codes where codes.code_id = proofs.code_id) as destination \
         from proofs where proof_hash = $1",
    )
    .bind(proof_hash)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredProof, Error> {
    let purpose: String = row.try_get("purpose")?;
    let channel: String = row.try_get("channel")?;
    Ok(StoredProof {
        code_id: row.try_get("code_id")?,
        purpose: purpose.parse().map_err(Error::internal)?,
        channel: channel.parse().map_err(Error::internal)?,
        destination_key: row.try_get("destination_key")?,
        destination: row.try_get("destination")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        redeemed: row.try_get::<Option<i64>, _>("redeemed_at_ms")?.is_some(),
        redemption_key: row.try_get("redemption_key")?,
    })
}
