//! Password hashes: Argon2id in PHC string form. Hashing is CPU-bound, so it
//! runs off the async workers.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::Error;

pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| Error::internal(format!("hashing a password failed: {e}")))
    })
    .await
    .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .map_err(|e| Error::internal(format!("verifying task failed: {e}")))
}
