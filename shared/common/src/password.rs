//! Password hashes: Argon2id with a random salt, in PHC string form
//! (`$argon2id$v=19$…`), so the parameters travel with each hash. Hashing is
//! CPU-bound on purpose: async callers run it off their workers.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Hashing failed (never for a password of sane length).
#[derive(Debug, thiserror::Error)]
#[error("hashing a password failed: {0}")]
pub struct HashError(String);

/// A fresh hash of `password`.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("Secret-123").expect("hashes");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("Secret-123", &stored));
        assert!(!verify("secret-123", &stored));
        assert!(!verify("Secret-123", "not a hash"));
    }

    #[test]
    fn equal_passwords_hash_apart() {
        assert_ne!(hash("same").expect("hashes"), hash("same").expect("hashes"));
    }
}
