//! SQL over `human_checks` (challenges) and `human_passes`.

use sqlx::{AnyConnection, AnyExecutor, Row};

use crate::error::Error;

/// A challenge row to insert.
#[derive(Debug, Clone)]
pub struct NewChallenge<'a> {
    pub challenge_id: &'a str,
    pub answer_x: i64,
    pub client_ip: &'a str,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

pub async fn insert_challenge(db: impl AnyExecutor<'_>, challenge: &NewChallenge<'_>) -> Result<(), Error> {
    sqlx::query(
        "insert into human_checks (challenge_id, answer_x, client_ip, created_at_ms, expires_at_ms) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(challenge.challenge_id)
    .bind(challenge.answer_x)
    .bind(challenge.client_ip)
    .bind(challenge.created_at_ms)
    .bind(challenge.expires_at_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a live, unanswered challenge answered and answers where its gap is;
/// `None` if it is unknown, expired or answered already. The conditional
/// update decides: of two concurrent answers, one gets the row.
pub async fn take_answer(
    conn: &mut AnyConnection,
    challenge_id: &str,
    now_ms: i64,
) -> Result<Option<i64>, Error> {
    let row = sqlx::query(
        "update human_checks set answered_at_ms = $2 \
         where challenge_id = $1 and answered_at_ms is null and expires_at_ms > $2 returning answer_x",
    )
    .bind(challenge_id)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| row.try_get("answer_x")).transpose()?)
}

pub async fn insert_pass(
    conn: &mut AnyConnection,
    token_hash: &str,
    client_ip: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into human_passes (token_hash, client_ip, created_at_ms, expires_at_ms) values ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(client_ip)
    .bind(now_ms)
    .bind(expires_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Spends a live pass; false if unknown, expired or spent.
pub async fn redeem_pass(db: impl AnyExecutor<'_>, token_hash: &str, now_ms: i64) -> Result<bool, Error> {
    let result = sqlx::query(
        "update human_passes set redeemed_at_ms = $2 \
         where token_hash = $1 and redeemed_at_ms is null and expires_at_ms > $2",
    )
    .bind(token_hash)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Where an unanswered challenge's piece fits (development aid, see `crate::dev`).
pub async fn unanswered_answer(db: impl AnyExecutor<'_>, challenge_id: &str) -> Result<Option<i64>, Error> {
    let row =
        sqlx::query("select answer_x from human_checks where challenge_id = $1 and answered_at_ms is null")
            .bind(challenge_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|row| row.try_get("answer_x")).transpose()?)
}
