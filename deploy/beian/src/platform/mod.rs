//! `beian platform load`: the current platform's export (PLATFORM-EXPORT.md) into a
//! deployment's databases with the shared loader (`beian_platform::bulk`): accounts into
//! identity-recovery's, then subjects and websites into filing-registry's, each database
//! keeping its own checkpoints.

pub mod generate;

use std::{collections::HashSet, path::Path};

use beian_platform::{
    bulk::{Load, LoadOptions, LoadReport, Target},
    storage::Database,
};
use filing_registry::subjects::bulk::{self as registry, Holders, Subjects, Websites};
use identity_recovery::accounts::bulk::{self as identity, Accounts};

/// The two databases an export goes into.
#[derive(Clone, Copy)]
pub struct Targets<'a> {
    pub identity_recovery: &'a Database,
    pub filing_registry: &'a Database,
}

/// identity-recovery's accounts, asked for each batch of subjects.
struct AccountsOf<'a>(&'a Database);

impl Holders for AccountsOf<'_> {
    async fn known(&self, account_ids: &[&str]) -> anyhow::Result<HashSet<String>> {
        Ok(identity::known(self.0, account_ids).await?)
    }
}

/// Loads the export in `dir`; run again after a kill it resumes, on a corrected export it
/// updates, on the same export it changes nothing.
pub async fn load(targets: Targets<'_>, dir: &Path, options: &LoadOptions) -> anyhow::Result<LoadReport> {
    let mut load = Load::start(
        dir,
        options,
        &[
            Target { db: targets.identity_recovery, checkpoints: identity::CHECKPOINTS },
            Target { db: targets.filing_registry, checkpoints: registry::CHECKPOINTS },
        ],
    )
    .await?;
    // accounts first: a subject is loaded only for an account that exists
    load.tables(0, &[Accounts]).await?;
    load.tables(1, &[Subjects { holders: AccountsOf(targets.identity_recovery) }]).await?;
    load.tables(1, &[Websites]).await?;
    load.finish().await
}
