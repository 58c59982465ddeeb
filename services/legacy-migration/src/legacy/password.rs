//! Legacy password hashes, each checked in the format it was stored in (DUMP.md:
//! `md5`, `md5-salted`, `sha1-salted`, `bcrypt`, and the suite's own Argon2id
//! `suite`). Digests are compared in constant time. CPU-bound (bcrypt, Argon2id) on
//! purpose: async callers run [`verify`] off their workers.

use md5::{Digest, Md5};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// How a stored hash was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `md5(password)`, lower-case hex.
    Md5,
    /// `md5(salt ‖ password)`.
    Md5Salted,
    /// `sha1(salt ‖ password)`.
    Sha1Salted,
    /// Modular crypt `$2a$`/`$2b$`/`$2y$`.
    Bcrypt,
    /// `beian_common::password` (Argon2id, PHC string): what every check leaves behind.
    Suite,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "md5" => Some(Self::Md5),
            "md5-salted" => Some(Self::Md5Salted),
            "sha1-salted" => Some(Self::Sha1Salted),
            "bcrypt" => Some(Self::Bcrypt),
            "suite" => Some(Self::Suite),
            _ => None,
        }
    }
}

/// A stored legacy password: format, hash and salt as the row holds them.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPassword {
    pub format: String,
    pub hash: String,
    pub salt: Option<String>,
}

impl std::fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPassword").field("format", &self.format).finish_non_exhaustive()
    }
}

impl StoredPassword {
    /// Whether the row is already in the suite's own format (nothing to re-hash).
    pub fn is_suite(&self) -> bool {
        Format::parse(&self.format) == Some(Format::Suite)
    }
}

/// Whether `password` matches `stored`. An unknown format, a missing salt or a
/// malformed hash never matches.
pub fn verify(password: &str, stored: &StoredPassword) -> bool {
    let salt = stored.salt.as_deref();
    match (Format::parse(&stored.format), salt) {
        (Some(Format::Md5), _) => digest_matches(&Md5::digest(password.as_bytes()), &stored.hash),
        (Some(Format::Md5Salted), Some(salt)) => {
            digest_matches(&Md5::new().chain_update(salt).chain_update(password).finalize(), &stored.hash)
        }
        (Some(Format::Sha1Salted), Some(salt)) => {
            digest_matches(&Sha1::new().chain_update(salt).chain_update(password).finalize(), &stored.hash)
        }
        (Some(Format::Bcrypt), _) => bcrypt::verify(password, &stored.hash).unwrap_or(false),
        (Some(Format::Suite), _) => beian_common::password::verify(password, &stored.hash),
        (Some(Format::Md5Salted | Format::Sha1Salted), None) | (None, _) => false,
    }
}

/// Compares a digest with stored hex (either case) in constant time.
fn digest_matches(digest: &[u8], stored_hex: &str) -> bool {
    hex::decode(stored_hex.trim()).is_ok_and(|stored| bool::from(stored.as_slice().ct_eq(digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(format: &str, hash: &str, salt: Option<&str>) -> StoredPassword {
        StoredPassword { format: format.into(), hash: hash.into(), salt: salt.map(str::to_owned) }
    }

    // digests computed independently (coreutils md5sum/sha1sum of salt ‖ password)
    #[test]
    fn unsalted_md5() {
        let s = stored("md5", "5f4dcc3b5aa765d61d8327deb882cf99", None);
        assert!(verify("password", &s));
        assert!(verify("password", &stored("md5", "5F4DCC3B5AA765D61D8327DEB882CF99", None)));
        assert!(!verify("Password", &s));
        assert!(!verify("password", &stored("md5", "5f4dcc3b5aa765d61d8327deb882cf9", None)));
    }

    #[test]
    fn salted_md5_puts_the_salt_first() {
        let s = stored("md5-salted", "276bc8c84fa6f1d57b6070c613870880", Some("a1b2c3d4"));
        assert!(verify("password", &s));
        // md5(password ‖ salt), the other order, is not this format
        assert!(!verify(
            "password",
            &stored("md5-salted", "2ac3e5043fc96ab54f15ec3ecc9a6977", Some("a1b2c3d4"))
        ));
        assert!(!verify("password", &stored("md5-salted", &s.hash, None)), "no salt, no match");
        assert!(!verify("password", &stored("md5", &s.hash, None)));
    }

    #[test]
    fn salted_sha1_puts_the_salt_first() {
        let s = stored("sha1-salted", "c973c0b1ed2f7a1def9080ac4ccc9990c8b29f4c", Some("a1b2c3d4"));
        assert!(verify("password", &s));
        assert!(!verify("passwort", &s));
        assert!(!verify("password", &stored("sha1-salted", &s.hash, Some("a1b2c3d5"))));
    }

    #[test]
    fn bcrypt_in_its_modular_crypt_form() {
        // OpenBSD's published vector for "U*U", and the synthetic dumps' cost-10 hash
        let s = stored("bcrypt", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", None);
        assert!(verify("U*U", &s));
        assert!(!verify("U*V", &s));
        let generated =
            stored("bcrypt", "$2a$10$TAt3waRxTLkgmwj3j.d/gelNhhF2SCeZ/ynL/5Zl9N8C5FFfkIcXy", None);
        assert!(verify(crate::bulk::generate::BCRYPT_PASSWORD, &generated));
        assert!(!verify("password", &stored("bcrypt", "not-a-hash", None)));
    }

    #[test]
    fn the_suites_own_argon2id() {
        let hash = beian_common::password::hash("Legacy#2012pass").expect("hashes");
        let s = stored("suite", &hash, None);
        assert!(s.is_suite());
        assert!(verify("Legacy#2012pass", &s));
        assert!(!verify("Legacy#2012Pass", &s));
    }

    #[test]
    fn an_unknown_format_never_matches() {
        assert!(!verify("password", &stored("plain", "password", None)));
        assert_eq!(Format::parse("MD5"), None);
    }
}
