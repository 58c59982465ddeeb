//! Aids for a developer's local suite and for tests — never called by the
//! service: `beian dev slider-answer` prints where a slider piece fits so a
//! person can walk the workflows with grpcurl, which cannot drag a slider.
//! Reading it needs the service's database, which already holds everything.

use beian_platform::storage::Database;

use crate::human_check::store;

/// The answer of a challenge not answered yet, from the service's database
/// (opened with [`crate::open_database`]).
pub async fn slider_answer(db: &Database, challenge_id: &str) -> anyhow::Result<Option<i32>> {
    let answer = store::unanswered_answer(db.reader(), challenge_id).await?;
    Ok(answer.map(|x| i32::try_from(x).unwrap_or(i32::MAX)))
}
