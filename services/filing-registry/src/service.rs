//! The domain operations of filing-registry, free of any wire format.

use beian_platform::storage::Database;

use crate::{
    error::Error,
    subjects::{Subject, store},
};

#[derive(Debug, Clone)]
pub struct FilingRegistry {
    db: Database,
}

/// What transfer and import checks need to know about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFilingState {
    pub holds_subject: bool,
    pub order_in_progress: bool,
}

impl FilingRegistry {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The subject an account holds, with its websites.
    pub async fn held_subject(&self, account_id: &str) -> Result<Subject, Error> {
        let mut subject =
            store::find_by_holder(self.db.pool(), account_id).await?.ok_or(Error::NoSubjectHeld)?;
        subject.websites = store::websites_of(self.db.pool(), &subject.subject_id).await?;
        Ok(subject)
    }

    pub async fn account_filing_state(&self, account_id: &str) -> Result<AccountFilingState, Error> {
        Ok(match store::find_by_holder(self.db.pool(), account_id).await? {
            Some(subject) => {
                AccountFilingState { holds_subject: true, order_in_progress: subject.order_in_progress }
            }
            None => AccountFilingState { holds_subject: false, order_in_progress: false },
        })
    }
}
