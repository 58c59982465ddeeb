//! The domain operations of legacy-migration, free of any wire format.

mod matching;

pub use matching::{DetailsMatch, FilingDetails};

use beian_platform::storage::Database;
use chrono::NaiveDate;

use crate::{
    eligibility::{self, LegacyAction},
    error::Error,
    legacy::store,
};

#[derive(Debug, Clone)]
pub struct LegacyMigration {
    pub(crate) db: Database,
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
    pub fn new(db: Database) -> Self {
        Self { db }
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
