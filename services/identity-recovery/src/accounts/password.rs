//! Password hashes (`beian_common::password`, Argon2id), computed off the async
//! workers: hashing is CPU-bound (and takes 19 MiB) on purpose.

use std::time::Duration;

use beian_common::{password, password_policy};
use beian_platform::hashing::HashGate;
use tokio::sync::OwnedSemaphorePermit;

use crate::error::Error;

/// A fresh hash, unbounded: for loading data before the service serves (seeding).
pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || password::hash(&password).map_err(Error::internal))
        .await
        .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
}

/// Argon2 work on the request path, bounded by the platform's [`HashGate`]: beyond its
/// permits a caller is shed with OVERLOADED.
#[derive(Debug, Clone)]
pub struct Hashing {
    gate: HashGate,
}

impl Hashing {
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self { gate: HashGate::new(permits, wait) }
    }

    /// One permit per available core.
    pub fn default_permits() -> usize {
        HashGate::default_permits()
    }

    /// A permit for one hash, or OVERLOADED.
    pub async fn admit(&self) -> Result<OwnedSemaphorePermit, Error> {
        self.gate.admit().await.map_err(|_| Error::Overloaded)
    }

    /// Whether `password` matches `stored`, under `permit`; a malformed stored hash never
    /// matches. The permit moves into the blocking task: a caller that goes away (timeout,
    /// cancel) cannot free it while the hash still runs.
    pub async fn verify(
        permit: OwnedSemaphorePermit,
        password: String,
        stored: String,
    ) -> Result<bool, Error> {
        tokio::task::spawn_blocking(move || {
            let matches = password::verify(&password, &stored);
            drop(permit);
            matches
        })
        .await
        .map_err(|e| Error::internal(format!("verifying task failed: {e}")))
    }

    /// Whether `new` is too close to the password `old_hash` was made from: a bounded
    /// number of Argon2id verifies (`beian_common::password_policy`), under one permit.
    pub async fn similar_to_old(&self, new: String, old_hash: String) -> Result<bool, Error> {
        let permit = self.admit().await?;
        tokio::task::spawn_blocking(move || {
            let similar = password_policy::similar_to_old(&new, &old_hash);
            drop(permit);
            similar
        })
        .await
        .map_err(|e| Error::internal(format!("similarity task failed: {e}")))
    }

    /// A fresh hash, under a permit of its own (or OVERLOADED).
    pub async fn hash(&self, password: String) -> Result<String, Error> {
        let permit = self.admit().await?;
        tokio::task::spawn_blocking(move || {
            let hashed = password::hash(&password).map_err(Error::internal);
            drop(permit);
            hashed
        })
        .await
        .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashing_beyond_the_permits_is_shed_not_queued() {
        let hashing = Hashing::new(1, Duration::ZERO);
        let held = hashing.admit().await.expect("the one permit");
        assert!(matches!(hashing.hash("Secret#2026".to_owned()).await, Err(Error::Overloaded)));
        assert!(matches!(hashing.admit().await, Err(Error::Overloaded)));
        drop(held);
        let stored = hashing.hash("Secret#2026".to_owned()).await.expect("a permit again");
        let permit = hashing.admit().await.expect("released after hashing");
        assert!(Hashing::verify(permit, "Secret#2026".to_owned(), stored).await.expect("verified"));
        // the verify released its permit too
        assert!(hashing.admit().await.is_ok());
    }
}
