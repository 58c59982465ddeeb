//! The domain operations of filing-registry, free of any wire format.

use beian_platform::storage::Database;

use crate::{
    error::Error,
    notices::Outbox,
    orders::{self, Order},
    passwords::PasswordPolicy,
    peers::{IdentityRecovery, VerificationCodes},
    subjects::{Subject, store},
};

#[derive(Debug, Clone)]
pub struct FilingRegistry {
    pub(crate) db: Database,
    pub(crate) policy: PasswordPolicy,
    /// Where new filing passwords' notices are queued.
    pub(crate) outbox: Outbox,
    /// Redeems transfer proofs.
    pub(crate) codes: VerificationCodes,
    /// The accounts on both sides of a transfer; the holder's mobile for cancel access.
    pub(crate) identity: IdentityRecovery,
}

/// The filing that holds a domain, as an account lookup needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainFiling {
    pub subject: Subject,
    pub website_number: String,
}

/// What transfer and import checks need to know about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFilingState {
    pub holds_subject: bool,
    pub order_in_progress: bool,
}

impl FilingRegistry {
    pub fn new(
        db: Database,
        policy: PasswordPolicy,
        outbox: Outbox,
        codes: VerificationCodes,
        identity: IdentityRecovery,
    ) -> Self {
        Self { db, policy, outbox, codes, identity }
    }

    /// The live filing of a normalised domain; DOMAIN_NOT_FILED if none.
    pub async fn filing_of_domain(&self, domain: &str) -> Result<DomainFiling, Error> {
        let (subject, website_number) =
            store::find_by_domain(self.db.reader(), domain).await?.ok_or(Error::DomainNotFiled)?;
        if subject.holder_account_id.is_none() {
            return Err(Error::internal(format!("subject {} has no holder", subject.subject_id)));
        }
        Ok(DomainFiling { subject, website_number })
    }

    /// The subject an account holds, with its websites.
    pub async fn held_subject(&self, account_id: &str) -> Result<Subject, Error> {
        let mut subject =
            store::find_by_holder(self.db.reader(), account_id).await?.ok_or(Error::NoSubjectHeld)?;
        subject.websites = store::websites_of(self.db.reader(), &subject.subject_id).await?;
        Ok(subject)
    }

    /// The subject an account holds, with its websites and its order in progress.
    pub async fn held_subject_with_order(&self, account_id: &str) -> Result<(Subject, Option<Order>), Error> {
        let subject = self.held_subject(account_id).await?;
        let order = orders::store::in_progress(self.db.reader(), &subject.subject_id).await?;
        Ok((subject, order))
    }

    pub async fn account_filing_state(&self, account_id: &str) -> Result<AccountFilingState, Error> {
        Ok(match store::find_by_holder(self.db.reader(), account_id).await? {
            Some(subject) => {
                AccountFilingState { holds_subject: true, order_in_progress: subject.order_in_progress }
            }
            None => AccountFilingState { holds_subject: false, order_in_progress: false },
        })
    }
}
