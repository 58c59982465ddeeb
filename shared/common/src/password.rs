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

/// Whether `stored` is an Argon2id hash in PHC string form (version 19, parameters,
/// salt and output) that [`verify`] can check: what an export of stored hashes must hold.
pub fn is_argon2id_phc(stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        parsed.algorithm == argon2::ARGON2ID_IDENT
            && parsed.version == Some(0x13)
            && parsed.salt.is_some()
            && parsed.hash.is_some()
            && argon2::Params::try_from(&parsed).is_ok()
    })
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
    fn only_argon2id_phc_strings_pass_as_stored_hashes() {
        assert!(is_argon2id_phc(&hash("Secret-123").expect("hashes")));
        // another platform's parameters pass, and verify
        let params = argon2::Params::new(8192, 3, 2, None).expect("params");
        let other = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"Secret-123", &SaltString::generate(&mut OsRng))
            .expect("hashes")
            .to_string();
        assert!(other.contains("m=8192,t=3,p=2") && is_argon2id_phc(&other));
        assert!(verify("Secret-123", &other));
        assert!(!is_argon2id_phc(
            "$argon2i$v=19$m=8192,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$wB8WBzT4Yw9QwSeaGsMPuy8zESS4kUGSIdyEZUHKVD4"
        ));
        assert!(!is_argon2id_phc(
            "$argon2id$v=16$m=8192,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$wB8WBzT4Yw9QwSeaGsMPuy8zESS4kUGSIdyEZUHKVD4"
        ));
        assert!(!is_argon2id_phc("$argon2id$v=19$m=8192,t=3,p=2$c29tZXNhbHRzb21lc2FsdA"));
        assert!(!is_argon2id_phc("Secret-123"));
        assert!(!is_argon2id_phc("$2a$10$TAt3waRxTLkgmwj3j.d/gelNhhF2SCeZ/ynL/5Zl9N8C5FFfkIcXy"));
    }

    #[test]
    fn equal_passwords_hash_apart() {
        assert_ne!(hash("same").expect("hashes"), hash("same").expect("hashes"));
    }
}
