//! The domain operations of legacy-migration, free of any wire format.

mod claim;
mod import;
mod matching;

use beian_platform::{hashing::HashGate, storage::Database};
use chrono::NaiveDate;

pub use self::{
    claim::ClaimCompletion,
    import::{ImportRequest, Imported},
    matching::{DetailsMatch, FilingDetails},
};
use crate::{
    eligibility::{self, LegacyAction},
    error::Error,
    legacy::{guard::GuardPolicy, password::StoredPassword, store},
    saga::Saga,
};

#[derive(Debug, Clone)]
pub struct LegacyMigration {
    pub(crate) db: Database,
    saga: Saga,
    guard: GuardPolicy,
    /// What an unknown email's password is checked against, so it takes as long as a
    /// known one's Argon2id (the suite's own format).
    decoy: StoredPassword,
    /// Bounds the legacy password checks running at once.
    hashing: HashGate,
}

/// What the legacy platform holds of a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub action: LegacyAction,
    pub submitted_on: NaiveDate,
    /// The legacy login's email in the clear: masked at the wire.
    pub login_email: String,
}

impl LegacyMigration {
    pub fn new(db: Database, saga: Saga, guard: GuardPolicy, decoy_hash: String, hashing: HashGate) -> Self {
        Self {
            db,
            saga,
            guard,
            decoy: StoredPassword { format: "suite".into(), hash: decoy_hash, salt: None },
            hashing,
        }
    }

    /// What a (normalised) domain's legacy filing needs; None if the legacy platform never held it.
    pub async fn classify_domain(&self, domain: &str) -> Result<Option<Classification>, Error> {
        let Some(filing) = store::filing_of_domain(self.db.reader(), domain).await? else {
            return Ok(None);
        };
        let submitted_on = NaiveDate::parse_from_str(&filing.submitted_on, "%Y-%m-%d")
            .map_err(|e| Error::internal(format!("stored submission date: {e}")))?;
        Ok(Some(Classification {
            action: eligibility::action(submitted_on, filing.moved_away, filing.migrated),
            submitted_on,
            login_email: filing.login_email,
        }))
    }
}

/// What a stored filing needs by its submission date (and whether it moved or migrated).
fn action_of(filing: &store::LoginFiling) -> Result<LegacyAction, Error> {
    let submitted_on = NaiveDate::parse_from_str(&filing.submitted_on, "%Y-%m-%d")
        .map_err(|e| Error::internal(format!("stored submission date: {e}")))?;
    Ok(eligibility::action(submitted_on, filing.moved_away, filing.migration.is_some()))
}
