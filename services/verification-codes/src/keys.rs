//! The service's secrets at rest: codes, proofs and pass tokens are stored
//! only as HMAC-SHA-256 under the secret key, so a copy of the database
//! reveals none of them, and a 6-digit code cannot be brute-forced offline
//! without the key. Proofs themselves are MACs under the key (so a retried
//! check can be answered the same proof), and the key of the outbox's
//! sealed parameters is derived from it.

use beian_platform::config::Secret;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What a keyed hash is for; part of the hashed input, so a hash made for
/// one use never matches another.
#[derive(Debug, Clone, Copy)]
pub enum Use {
    Code,
    /// The stored hash of a proof.
    Proof,
    /// A proof itself, derived from its code id and check request id.
    ProofToken,
    Pass,
    /// The key that seals outbox parameters.
    OutboxParams,
}

impl Use {
    fn label(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Proof => "proof",
            Self::ProofToken => "proof-token",
            Self::Pass => "pass",
            Self::OutboxParams => "outbox-params",
        }
    }
}

/// The HMAC key, ready to hash; during a rotation also the previous one, so
/// what was issued under it (codes, proofs, passes: minutes old at most) still
/// verifies while everything new is made under the current key.
#[derive(Clone)]
pub struct Keys {
    mac: Hmac<Sha256>,
    previous: Option<Hmac<Sha256>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

impl Keys {
    pub fn new(secret: &Secret, previous: Option<&Secret>) -> anyhow::Result<Self> {
        let mac = |secret: &Secret| {
            Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
                .map_err(|e| anyhow::anyhow!("unusable secret key: {e}"))
        };
        Ok(Self { mac: mac(secret)?, previous: previous.map(mac).transpose()? })
    }

    /// The current key, then the previous one if a rotation is under way: to
    /// verify what either may have made. Make new things with `self` alone.
    pub fn generations(&self) -> impl Iterator<Item = Self> {
        let one = |mac: &Hmac<Sha256>| Self { mac: mac.clone(), previous: None };
        std::iter::once(one(&self.mac)).chain(self.previous.as_ref().map(one))
    }

    /// Hex HMAC of `parts` for `usage`. Each part is length-prefixed, so
    /// ("ab", "c") and ("a", "bc") hash differently.
    pub fn digest(&self, usage: Use, parts: &[&str]) -> String {
        hex::encode(self.mac_of(usage, parts))
    }

    /// A 256-bit key for `usage`, derived from the secret key (HMAC as a PRF).
    pub fn subkey(&self, usage: Use) -> [u8; 32] {
        self.mac_of(usage, &[])
    }

    fn mac_of(&self, usage: Use, parts: &[&str]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for part in std::iter::once(usage.label()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

/// A bearer secret handed out once (proof, pass token): 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Equality that takes as long whatever the first differing byte, so timing
/// tells an attacker nothing about a stored hash.
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> Keys {
        Keys::new(&Secret::new(secret), None).expect("key")
    }

    #[test]
    fn digests_depend_on_key_use_and_part_boundaries() {
        let a = keys("k1");
        assert_eq!(a.digest(Use::Code, &["x", "y"]), a.digest(Use::Code, &["x", "y"]));
        assert_ne!(a.digest(Use::Code, &["x", "y"]), keys("k2").digest(Use::Code, &["x", "y"]));
        assert_ne!(a.digest(Use::Code, &["x"]), a.digest(Use::Proof, &["x"]));
        assert_ne!(a.digest(Use::Pass, &["ab", "c"]), a.digest(Use::Pass, &["a", "bc"]));
        assert_eq!(a.digest(Use::Code, &[]).len(), 64);
        assert_ne!(a.subkey(Use::OutboxParams), keys("k2").subkey(Use::OutboxParams));
        assert_ne!(hex::encode(a.subkey(Use::OutboxParams)), a.digest(Use::Proof, &[]));
    }

    #[test]
    fn tokens_are_random_and_compare_exactly() {
        let (t1, t2) = (random_token(), random_token());
        assert_eq!(t1.len(), 64);
        assert_ne!(t1, t2);
        assert!(same(&t1, &t1.clone()));
        assert!(!same(&t1, &t2));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", keys("hunter2")), "Keys(***)");
    }
}
