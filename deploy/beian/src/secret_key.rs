//! `beian up`'s secret key, kept in its data directory: codes, proofs and sealed
//! notices made before a restart still verify and open after it.

use std::{
    fs::{self, OpenOptions},
    io::{ErrorKind, Write},
    os::unix::fs::OpenOptionsExt,
    path::Path,
};

use anyhow::Context;
use beian_platform::config::Secret;

/// The file under the data directory that holds the key (owner-only).
pub const FILE: &str = "secret-key";

/// Shortest key read back: what [`Secret::generate`] makes is 64 characters.
const MIN_LEN: usize = 32;

/// The key `data_dir` holds, or a fresh one written there first.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Secret> {
    let path = data_dir.join(FILE);
    fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let fresh = Secret::generate();
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
        Ok(mut file) => {
            file.write_all(fresh.expose().as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(fresh)
        }
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            let key = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let key = key.trim();
            anyhow::ensure!(
                key.len() >= MIN_LEN,
                "{} holds no usable key (at least {MIN_LEN} characters); delete it to make a new one",
                path.display()
            );
            Ok(Secret::new(key))
        }
        Err(error) => Err(error).with_context(|| format!("creating {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_is_made_once_owner_only_and_read_back_after() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let first = load_or_create(&data_dir).unwrap();
        let mode = fs::metadata(data_dir.join(FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create(&data_dir).unwrap(), first);
    }

    #[test]
    fn a_damaged_key_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE), "short\n").unwrap();
        let error = load_or_create(dir.path()).unwrap_err();
        assert!(error.to_string().contains("no usable key"), "{error}");
        assert_eq!(fs::read_to_string(dir.path().join(FILE)).unwrap(), "short\n");
    }
}
