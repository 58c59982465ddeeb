//! The staff queue. Every operation takes a [`Staff`], which only
//! [`StaffReview::authorise`] makes: the one place that checks who is staff.

use crate::{
    error::Error,
    model::{
        account::SessionToken,
        reviews::{QueuePage, QueueQuery, StaffCase, StoredDocument},
    },
    peers::IdentityRecovery,
};

/// Proof that the request's session belongs to review staff.
#[derive(Debug)]
pub struct Staff(());

#[derive(Debug, Clone)]
pub struct StaffReview {
    identity: IdentityRecovery,
}

impl StaffReview {
    pub fn new(identity: IdentityRecovery) -> Self {
        Self { identity }
    }

    /// SESSION_REQUIRED without a live session, STAFF_ONLY for anyone but staff.
    pub async fn authorise(&self, session: &SessionToken) -> Result<Staff, Error> {
        if self.identity.resolve_session(session).await?.staff {
            Ok(Staff(()))
        } else {
            Err(Error::StaffOnly)
        }
    }

    pub async fn queue(&self, _staff: &Staff, query: QueueQuery) -> Result<QueuePage, Error> {
        self.identity.list_review_cases(query).await
    }

    pub async fn case(&self, _staff: &Staff, case_number: &str) -> Result<StaffCase, Error> {
        self.identity.get_review_case(case_number).await
    }

    pub async fn document(
        &self,
        _staff: &Staff,
        case_number: &str,
        document_id: &str,
    ) -> Result<StoredDocument, Error> {
        self.identity.get_review_document(case_number, document_id).await
    }
}
