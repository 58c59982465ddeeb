//! Staff review cases: opened for applicants, worked by staff through the queue.
//! Staff-only access is the gateway's check; this service trusts its suite callers.

use beian_platform::storage::now_millis;

use super::IdentityRecovery;
use crate::{
    accounts,
    error::Error,
    reviews::{
        self, NewCase, ReviewCase,
        audit::{self, AuditAction, AuditEntry},
        decisions::{self, Decision},
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
        let mut cases = store::queue(self.db.reader(), &page, now_millis()).await?;
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

    /// One case for `staff_id`; the view is recorded in the case's audit.
    pub async fn review_case(&self, case_number: &str, staff_id: &str) -> Result<ReviewCase, Error> {
        let case = store::find(self.db.reader(), case_number).await?.ok_or(Error::ReviewCaseNotFound)?;
        self.record_view(case_number, staff_id, AuditAction::ViewCase, None).await?;
        Ok(case)
    }

    /// One document's bytes for `staff_id`; the view is recorded in the case's audit.
    pub async fn review_document(
        &self,
        case_number: &str,
        document_id: &str,
        staff_id: &str,
    ) -> Result<StoredDocument, Error> {
        let document = store::document(self.db.reader(), case_number, document_id)
            .await?
            .ok_or(Error::ReviewCaseNotFound)?
            .ok_or(Error::ReviewDocumentNotFound)?;
        self.record_view(case_number, staff_id, AuditAction::ViewDocument, Some(document_id)).await?;
        Ok(document)
    }

    async fn record_view(
        &self,
        case_number: &str,
        staff_id: &str,
        action: AuditAction,
        document_id: Option<&str>,
    ) -> Result<(), Error> {
        let entry = AuditEntry {
            at_ms: now_millis(),
            actor: staff_id.to_owned(),
            action,
            document_id: document_id.map(ToOwned::to_owned),
            note: None,
        };
        audit::record(&mut *self.db.writer().await?, case_number, &entry).await
    }

    /// Approves or rejects a pending case; the effect it owes is applied by the worker,
    /// woken here.
    pub async fn decide_review_case(&self, decision: Decision) -> Result<ReviewCase, Error> {
        let decided = decisions::decide(&self.db, &decision, now_millis()).await?;
        self.effects_doorbell.notify_one();
        Ok(decided)
    }

    /// Every audit entry of a case, oldest first.
    pub async fn review_audit(&self, case_number: &str) -> Result<Vec<AuditEntry>, Error> {
        if store::find(self.db.reader(), case_number).await?.is_none() {
            return Err(Error::ReviewCaseNotFound);
        }
        audit::entries(self.db.reader(), case_number).await
    }

    /// A case for its applicant: only with the mobile the application gave (normalised);
    /// any other mobile answers like an unknown case, so a case number alone reveals nothing.
    pub async fn review_status(
        &self,
        case_number: &str,
        applicant_mobile: &str,
    ) -> Result<ReviewCase, Error> {
        store::find(self.db.reader(), case_number)
            .await?
            .filter(|case| case.applicant.mobile == applicant_mobile)
            .ok_or(Error::ReviewCaseNotFound)
    }
}
