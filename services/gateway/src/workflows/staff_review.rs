//! The staff queue and decisions. Every operation takes a [`Staff`], which only
//! [`StaffReview::authorise`] makes: the one place that checks who is staff. Views and
//! decisions are recorded under the staff account in the case's audit (identity-recovery).

use crate::{
    error::Error,
    model::{
        account::SessionToken,
        client::Client,
        reviews::{AuditEntry, Decision, QueuePage, QueueQuery, ReviewTicket, StaffCase, StoredDocument},
        transfer::{HistoryPage, HistoryQuery},
    },
    peers::{FilingRegistry, IdentityRecovery},
    quota::DailyQuota,
};

/// Proof that the request's session belongs to review staff, and which account.
#[derive(Debug)]
pub struct Staff {
    account_id: String,
}

#[derive(Debug, Clone)]
pub struct StaffReview {
    identity: IdentityRecovery,
    registry: FilingRegistry,
}

impl StaffReview {
    pub fn new(identity: IdentityRecovery, registry: FilingRegistry) -> Self {
        Self { identity, registry }
    }

    /// SESSION_REQUIRED without a live session, STAFF_ONLY for anyone but staff.
    pub async fn authorise(&self, session: &SessionToken) -> Result<Staff, Error> {
        let account = self.identity.resolve_session(session).await?;
        if account.staff { Ok(Staff { account_id: account.account_id }) } else { Err(Error::StaffOnly) }
    }

    pub async fn queue(&self, _staff: &Staff, query: QueueQuery) -> Result<QueuePage, Error> {
        self.identity.list_review_cases(query).await
    }

    pub async fn case(&self, staff: &Staff, case_number: &str) -> Result<StaffCase, Error> {
        self.identity.get_review_case(case_number, &staff.account_id).await
    }

    pub async fn document(
        &self,
        staff: &Staff,
        case_number: &str,
        document_id: &str,
    ) -> Result<StoredDocument, Error> {
        self.identity.get_review_document(case_number, document_id, &staff.account_id).await
    }

    /// Approves or rejects once; the approval's effect follows in identity-recovery.
    pub async fn decide(&self, staff: &Staff, decision: Decision) -> Result<StaffCase, Error> {
        self.identity.decide_review_case(decision, &staff.account_id).await
    }

    pub async fn audit(&self, _staff: &Staff, case_number: &str) -> Result<Vec<AuditEntry>, Error> {
        self.identity.list_review_audit(case_number).await
    }

    /// Holder changes of a filing, or every change an account took part in.
    pub async fn holder_history(&self, _staff: &Staff, query: HistoryQuery) -> Result<HistoryPage, Error> {
        self.registry.holder_history(query).await
    }
}

/// The applicant's view of a case (LegacyLoginService/GetReviewStatus, every kind): no
/// login, the case number and the mobile given on the application. Every lookup counts
/// against a daily quota per client, so nobody can sweep case numbers and mobiles.
#[derive(Debug, Clone)]
pub struct ReviewStatus {
    identity: IdentityRecovery,
    quota: DailyQuota,
}

impl ReviewStatus {
    pub fn new(identity: IdentityRecovery, quota: DailyQuota) -> Self {
        Self { identity, quota }
    }

    pub async fn status(
        &self,
        case_number: &str,
        applicant_mobile: &str,
        client: &Client,
    ) -> Result<ReviewTicket, Error> {
        self.quota.take(client.ip).await?;
        self.identity.get_review_status(case_number, applicant_mobile).await
    }
}
