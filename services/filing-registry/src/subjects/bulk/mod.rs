//! The subjects and websites files of the current platform's export (`beian platform load`,
//! deploy/beian/PLATFORM-EXPORT.md): each line validated into rows as the registry stores
//! them (filing passwords as Argon2id hashes), each batch written as upserts of only the
//! rows that are new or differ.

mod subjects;
mod websites;

use std::{collections::HashSet, future::Future};

use beian_common::filing_number::FilingNumber;
use beian_platform::bulk::Reason;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use self::{
    subjects::{SubjectRow, Subjects},
    websites::{WebsiteRow, Websites},
};

/// Where a load's checkpoints are kept in this service's database (migration 0007).
pub const CHECKPOINTS: &str = "platform_load_checkpoints";

/// Which accounts exist: a subject is loaded only for an account of identity-recovery,
/// which whoever runs the load asks (this service never reads another's database).
pub trait Holders: Sync {
    fn known(&self, account_ids: &[&str]) -> impl Future<Output = anyhow::Result<HashSet<String>>> + Send;
}

fn json<'a, T: Deserialize<'a>>(line: &'a str) -> Result<T, Reason> {
    serde_json::from_str(line).map_err(|_| "malformed_json")
}

/// Trimmed, 1–`max` characters, no control characters.
fn text(value: &str, max: usize) -> Result<String, Reason> {
    let value = value.trim();
    let ok = !value.is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control);
    if ok { Ok(value.to_owned()) } else { Err("invalid_text") }
}

/// A subject's number (`京ICP备12345678号`), canonical.
fn subject_number(value: &str) -> Result<String, Reason> {
    FilingNumber::parse(value)
        .ok()
        .filter(|number| !number.is_website())
        .map(|number| number.to_string())
        .ok_or("invalid_filing_number")
}

/// The same id for the same key on every run, so a resumed load writes the rows a clean
/// one does; shaped as the uuids the registry makes.
fn stable_id(kind: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("platform-load:{kind}:{key}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}
