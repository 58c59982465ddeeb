//! Password hashes (`beian_common::password`, Argon2id), computed off the async
//! workers: hashing is CPU-bound on purpose.

use beian_common::{password, password_policy};

use crate::error::Error;

pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || password::hash(&password).map_err(Error::internal))
        .await
        .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|e| Error::internal(format!("verifying task failed: {e}")))
}

/// Whether `new` is too close to the password `old_hash` was made from: a bounded
/// number of Argon2id verifies (`beian_common::password_policy`), off the async workers.
pub async fn similar_to_old(new: String, old_hash: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || password_policy::similar_to_old(&new, &old_hash))
        .await
        .map_err(|e| Error::internal(format!("similarity task failed: {e}")))
}
