//! Staff review cases: opened for applicants, worked by staff through the queue.
//! Staff-only access is the gateway's check; this service trusts its suite callers.

use beian_platform::storage::now_millis;

use super::IdentityRecovery;
use crate::{
    accounts,
    error::Error,
    reviews::{
        self, NewCase, ReviewCase,
        page::{Cursor, PageRequest},
        store::{self, StoredDocument},
    },
};

/// One page of the queue and the token of the next, if any.
#[derive(Debug)]
pub struct QueuePage {
    pub cases: Vec<ReviewCase>,
    pub next_page_token: Option<String>,
}

impl IdentityRecovery {
    /// Opens a case now, its deadline counted in business days from today (China time).
    pub async fn open_review_case(&self, case: NewCase) -> Result<ReviewCase, Error> {
        let named_accounts = [
            ("subject.account_id", case.subject.account_id.as_deref()),
            ("subject.target_account_id", case.subject.target_account_id.as_deref()),
        ];
        for (field, account_id) in named_accounts {
            let Some(account_id) = account_id else { continue };
            if accounts::store::find_by_id(self.db.reader(), account_id).await?.is_none() {
                return Err(Error::NamedAccountNotFound { field });
            }
        }
        reviews::open(&self.db, &self.calendar, case, now_millis()).await
    }

    pub async fn review_queue(&self, page: PageRequest) -> Result<QueuePage, Error> {
        let mut cases = store::queue(self.db.reader(), &page).await?;
        let next_page_token = if cases.len() > page.size {
            cases.truncate(page.size);
            cases.last().map(|last| {
                Cursor { deadline_at_ms: last.deadline_at_ms, case_number: last.case_number.clone() }
                    .token(page.filter)
            })
        } else {
            None
        };
        Ok(QueuePage { cases, next_page_token })
    }

    pub async fn review_case(&self, case_number: &str) -> Result<ReviewCase, Error> {
        store::find(self.db.reader(), case_number).await?.ok_or(Error::ReviewCaseNotFound)
    }

    pub async fn review_document(
        &self,
        case_number: &str,
        document_id: &str,
    ) -> Result<StoredDocument, Error> {
        store::document(self.db.reader(), case_number, document_id)
            .await?
            .ok_or(Error::ReviewCaseNotFound)?
            .ok_or(Error::ReviewDocumentNotFound)
    }
}
