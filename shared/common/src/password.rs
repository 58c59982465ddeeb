//! Password hashes: Argon2id with a random salt, in PHC string form
//! (`$argon2id$v=19$…`), so the parameters travel with each hash. Hashing is
//! CPU-bound on purpose: async callers run it off their workers.

use std::sync::{Mutex, PoisonError};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString, rand_core::OsRng},
};

/// Hashing failed (never for a password of sane length).
#[derive(Debug, thiserror::Error)]
#[error("hashing a password failed: {0}")]
pub struct HashError(String);

/// A fresh hash of `password`.
pub fn hash(password: &str) -> Result<String, HashError> {
    let failed = |e: &dyn std::fmt::Display| HashError(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let params = Params::DEFAULT;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut output, memory)
    })
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
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

/// Whether `password` matches `stored` (any Argon2 variant, with the parameters
/// it carries); a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.version.map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut output = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut output, memory)
    });
    // Output compares in constant time
    computed.is_ok() && Output::new(&output).is_ok_and(|output| output == expected)
}

/// Argon2's working memory (19 MiB at the default parameters), kept for the next
/// hash. Allocated afresh each time, it is freed into the malloc arena of the
/// thread that hashed, which glibc keeps: identity-recovery held 19 MiB for every
/// blocking thread that ever hashed (482 MiB after a login load, README "Resident
/// memory"). Pooled, the process holds one per hash that ran at once, at most.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let pooled = MEMORY.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let mut memory = pooled.unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let result = work(&mut memory[..blocks]);
    // a stored hash with larger parameters than ours borrows memory once, never keeps it
    if memory.len() <= Params::DEFAULT.block_count() {
        MEMORY.lock().unwrap_or_else(PoisonError::into_inner).push(memory);
    }
    result
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_are_the_argon2_crates_own_format_both_ways() {
        let ours = hash("Secret-123").expect("hashes");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(Argon2::default().verify_password(b"Secret-123", &parsed).is_ok());
        let theirs = Argon2::default()
            .hash_password(b"Secret-123", &SaltString::generate(&mut OsRng))
            .expect("hashes")
            .to_string();
        assert!(verify("Secret-123", &theirs));
        assert!(!verify("Secret-124", &theirs));
        assert_eq!(ours.split('$').nth(3), theirs.split('$').nth(3), "the same parameters");
    }

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
