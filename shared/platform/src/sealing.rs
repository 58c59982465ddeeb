//! Message parameters at rest: codes, login names and filing passwords wait in
//! a service's outbox until delivered or handed off, so they are stored sealed
//! (XChaCha20-Poly1305, a random 192-bit nonce per message) under a key derived
//! from the service's secret key. The message id is the associated data: a
//! sealed value copied onto another row does not open there.

use std::collections::BTreeMap;

use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::config::Secret;

/// Marks the format, so a later change of scheme can tell old rows apart.
const PREFIX: &str = "xc1:";
const NONCE_BYTES: usize = 24;

/// Sealing failed (never for parameters that serialise).
#[derive(Debug, thiserror::Error)]
#[error("cannot seal message parameters")]
pub struct SealError;

/// Seals and opens the parameters of outbox messages. During a rotation of the
/// secret key it seals under the new key and opens under either, so messages queued
/// before the switch are still delivered.
#[derive(Clone)]
pub struct Sealer {
    aead: XChaCha20Poly1305,
    /// The key being rotated out: opens, never seals.
    previous: Option<XChaCha20Poly1305>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

impl Sealer {
    /// Under a 256-bit key the caller derived.
    pub fn new(key: [u8; 32]) -> Self {
        Self { aead: XChaCha20Poly1305::new(&key.into()), previous: None }
    }

    /// Also opens what `previous` (the sealer of the key being rotated out) sealed.
    #[must_use]
    pub fn also_opening(mut self, previous: Option<Self>) -> Self {
        self.previous = previous.map(|sealer| sealer.aead);
        self
    }

    /// Under a key derived from `secret` for `label` (HMAC-SHA-256 as a PRF), so one
    /// secret key seals different services' outboxes apart.
    pub fn derived(secret: &Secret, label: &str) -> anyhow::Result<Self> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
            .map_err(|e| anyhow::anyhow!("unusable secret key: {e}"))?;
        mac.update(&(label.len() as u64).to_be_bytes());
        mac.update(label.as_bytes());
        Ok(Self::new(mac.finalize().into_bytes().into()))
    }

    /// The stored form of `params` for message `message_id`.
    pub fn seal(&self, message_id: &str, params: &BTreeMap<String, String>) -> Result<String, SealError> {
        let plain = serde_json::to_vec(params).map_err(|_| SealError)?;
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(&XNonce::from(nonce), Payload { msg: &plain, aad: message_id.as_bytes() })
            .map_err(|_| SealError)?;
        Ok(format!("{PREFIX}{}{}", hex::encode(nonce), hex::encode(sealed)))
    }

    /// The parameters of message `message_id`; the error names no value.
    pub fn open(&self, message_id: &str, stored: &str) -> Result<BTreeMap<String, String>, String> {
        let unreadable = || "the parameters cannot be opened (was the secret key changed?)".to_owned();
        let bytes =
            stored.strip_prefix(PREFIX).and_then(|hex| hex::decode(hex).ok()).ok_or_else(unreadable)?;
        if bytes.len() < NONCE_BYTES {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce = XNonce::try_from(nonce).map_err(|_| unreadable())?;
        let payload = || Payload { msg: sealed, aad: message_id.as_bytes() };
        let plain = self
            .aead
            .decrypt(&nonce, payload())
            .or_else(|error| {
                self.previous.as_ref().map_or(Err(error), |previous| previous.decrypt(&nonce, payload()))
            })
            .map_err(|_| unreadable())?;
        serde_json::from_slice(&plain).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_parameters_open_only_for_their_message_and_key() {
        let params = BTreeMap::from([("code".to_owned(), "123456".to_owned())]);
        let a = Sealer::new([1; 32]);
        let stored = a.seal("m1", &params).expect("seals");
        assert!(!stored.contains("123456"));
        assert_ne!(stored, a.seal("m1", &params).expect("seals"), "a fresh nonce each time");
        assert_eq!(a.open("m1", &stored), Ok(params));
        assert!(a.open("m2", &stored).is_err(), "bound to its message");
        assert!(Sealer::new([2; 32]).open("m1", &stored).is_err(), "bound to its key");
        assert!(a.open("m1", "").is_err());
        assert!(a.open("m1", "xc1:00").is_err());
        assert!(a.open("m1", r#"{"code":"123456"}"#).is_err());
    }

    #[test]
    fn during_a_rotation_what_the_old_key_sealed_still_opens() {
        let params = BTreeMap::from([("code".to_owned(), "123456".to_owned())]);
        let (old, new) = (Sealer::new([1; 32]), Sealer::new([2; 32]));
        let queued_before = old.seal("m1", &params).expect("seals");
        let rotating = new.clone().also_opening(Some(old));
        assert_eq!(rotating.open("m1", &queued_before), Ok(params.clone()));
        let sealed_now = rotating.seal("m2", &params).expect("seals");
        assert_eq!(new.open("m2", &sealed_now), Ok(params), "new messages under the new key only");
        assert!(new.open("m1", &queued_before).is_err(), "once rotated, the old key's rows no longer open");
    }

    #[test]
    fn derived_keys_differ_by_secret_and_label() {
        let params = BTreeMap::from([("filing_password".to_owned(), "483920".to_owned())]);
        let secret = Secret::new("s".repeat(32));
        let stored = Sealer::derived(&secret, "a").expect("key").seal("m", &params).expect("seals");
        assert_eq!(Sealer::derived(&secret, "a").expect("key").open("m", &stored), Ok(params));
        assert!(Sealer::derived(&secret, "b").expect("key").open("m", &stored).is_err());
        let other = Secret::new("t".repeat(32));
        assert!(Sealer::derived(&other, "a").expect("key").open("m", &stored).is_err());
        assert_eq!(format!("{:?}", Sealer::new([0; 32])), "Sealer(***)");
    }
}
