//! Moving a subject to another account (备案信息转移, SPEC §5): online by its holder
//! (`TransferSubject`, with a proof of an SMS code to the holder's mobile) or on an
//! approved offline-transfer review (`TransferSubjectByReview`, keyed by the case).
//! Both run [`FilingRegistry::transfer`]: the same rules, the same record, the same
//! notices.
//!
//! The rules that depend on other rows are decided inside one transaction whose first
//! statement is the conditional move of `holder_account_id` (from the holder read
//! before): two transfers of one subject cannot both move it, and
//! `unique(holder_account_id)` refuses a second subject to one target. Order creation
//! takes the same subject row first, so the check for an order in progress, the next
//! statement, sees every order committed before the move; an order started after it
//! waits for the transfer and then finds the subject gone. Websites and
//! orders hang off the subject, so they move with it. The accounts' sites and mobiles
//! belong to identity-recovery and never change in a way a transfer races with, so
//! they are read before the transaction.

pub mod adoption;
pub mod history;
pub mod store;

use std::collections::BTreeMap;

use beian_common::{
    locale::Locale,
    masking::mask_login_name,
    vocabulary::{Channel, Purpose, Site},
};
use beian_platform::storage::now_millis;
use beian_proto::verification_codes::v1::NoticeTemplate;

use crate::{
    error::Error,
    notices::NewNotice,
    peers::Account,
    service::FilingRegistry,
    subjects::{Subject, store as subjects},
};

/// One change of who holds a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderChange {
    pub change_id: String,
    pub subject_id: String,
    pub filing_number: String,
    /// None when the subject entered the registry (import, claim, seed).
    pub from_account_id: Option<String>,
    /// None when the subject was deregistered.
    pub to_account_id: Option<String>,
    /// The account, the staff member (or the regulator's reviewer) or `system`.
    pub actor: String,
    pub reason: String,
    pub changed_at_ms: i64,
}

/// A validated TransferSubject. No `Debug`: it holds a proof.
pub struct OnlineTransfer {
    pub from_account_id: String,
    pub to_account_id: String,
    /// Of a FILING_TRANSFER code sent to the holder's mobile.
    pub proof: String,
    pub reason: String,
    /// The gateway's id of this transfer: a retry with it changes nothing twice.
    pub request_id: String,
    pub locale: Locale,
}

/// Which subject an offline transfer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectRef {
    Id(String),
    /// A subject or website filing number.
    FilingNumber(beian_common::filing_number::FilingNumber),
}

/// A validated TransferSubjectByReview.
#[derive(Debug, Clone)]
pub struct ReviewTransfer {
    pub case_number: String,
    pub subject: SubjectRef,
    pub to_account_id: String,
    pub staff_id: String,
    pub locale: Locale,
}

/// What [`FilingRegistry::transfer`] needs, whoever asked.
struct Transfer<'a> {
    /// `holder_changes.idempotency_key`: `transfer:<request id>` or `review:<case number>`.
    key: String,
    subject: Subject,
    to_account_id: &'a str,
    actor: &'a str,
    reason: &'a str,
    /// The online transfer's proof; an approved review needs none.
    proof: Option<&'a str>,
    locale: Locale,
}

impl FilingRegistry {
    /// TransferSubject: the caller's own subject to another account.
    pub async fn transfer_subject(&self, request: OnlineTransfer) -> Result<HolderChange, Error> {
        let key = format!("transfer:{}", request.request_id);
        if let Some(change) = store::change_by_key(self.db.reader(), &key).await? {
            return Ok(change);
        }
        let subject = subjects::find_by_holder(self.db.reader(), &request.from_account_id)
            .await?
            .ok_or(Error::NoSubjectHeld)?;
        self.transfer(Transfer {
            key,
            subject,
            to_account_id: &request.to_account_id,
            actor: &request.from_account_id,
            reason: &request.reason,
            proof: Some(&request.proof),
            locale: request.locale,
        })
        .await
    }

    /// TransferSubjectByReview: the effect of an approved offline transfer, from whoever
    /// holds the subject now. Once per case: a retry answers the first change.
    pub async fn transfer_subject_by_review(&self, request: ReviewTransfer) -> Result<HolderChange, Error> {
        let key = format!("review:{}", request.case_number);
        if let Some(change) = store::change_by_key(self.db.reader(), &key).await? {
            return Ok(change);
        }
        let subject = match &request.subject {
            SubjectRef::Id(subject_id) => subjects::find_by_id(self.db.reader(), subject_id).await?,
            SubjectRef::FilingNumber(number) => {
                let website = number.is_website().then(|| number.to_string());
                subjects::find_by_filing_number(
                    self.db.reader(),
                    &number.subject_number(),
                    website.as_deref(),
                )
                .await?
            }
        }
        .ok_or(Error::FilingNotMatched)?;
        let reason = format!("offline transfer {}", request.case_number);
        self.transfer(Transfer {
            key,
            subject,
            to_account_id: &request.to_account_id,
            actor: &request.staff_id,
            reason: &reason,
            proof: None,
            locale: request.locale,
        })
        .await
    }

    /// Checks every rule, then moves the subject, records the change and queues both
    /// notices in one transaction.
    async fn transfer(&self, transfer: Transfer<'_>) -> Result<HolderChange, Error> {
        let subject = &transfer.subject;
        let from = subject.holder_account_id.as_deref().ok_or(Error::NoSubjectHeld)?;
        if from == transfer.to_account_id {
            return Err(Error::TransferToSelf);
        }
        if subject.order_in_progress {
            return Err(Error::OrderInProgress);
        }
        let (holder, target) =
            tokio::try_join!(self.identity.account(from), self.identity.account(transfer.to_account_id))?;
        let holder = holder.ok_or_else(|| {
            Error::internal(format!("the holder of subject {} is no account", subject.subject_id))
        })?;
        let target = target.ok_or(Error::TransferTargetNotFound)?;
        if holder.site != Site::Cn || target.site != Site::Cn {
            return Err(Error::TransferSiteNotSupported);
        }
        if let Some(held) = subjects::find_by_holder(self.db.reader(), &target.account_id).await? {
            return Err(if held.order_in_progress {
                Error::TransferTargetHasOrderInProgress
            } else {
                Error::TransferTargetHoldsSubject
            });
        }
        if let Some(proof) = transfer.proof {
            self.codes
                .redeem_proof(proof, Purpose::FilingTransfer, Some(&holder.mobile), &transfer.key)
                .await?;
        }
        self.commit_transfer(&transfer, from, &holder, &target).await
    }

    async fn commit_transfer(
        &self,
        transfer: &Transfer<'_>,
        from: &str,
        holder: &Account,
        target: &Account,
    ) -> Result<HolderChange, Error> {
        let subject = &transfer.subject;
        let now = now_millis();
        let change = HolderChange {
            change_id: uuid::Uuid::new_v4().to_string(),
            subject_id: subject.subject_id.clone(),
            filing_number: subject.filing_number.clone(),
            from_account_id: Some(from.to_owned()),
            to_account_id: Some(target.account_id.clone()),
            actor: transfer.actor.to_owned(),
            reason: transfer.reason.to_owned(),
            changed_at_ms: now,
        };
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        let moved =
            match store::move_subject(&mut tx, &subject.subject_id, from, &target.account_id, now).await {
                Ok(moved) => moved,
                Err(error) if error.as_database_error().is_some_and(|e| e.is_unique_violation()) => {
                    tx.rollback().await?;
                    drop(writer);
                    return Err(Error::TransferTargetHoldsSubject);
                }
                Err(error) => return Err(error.into()),
            };
        if !moved {
            tx.rollback().await?;
            drop(writer);
            return self.why_not_moved(transfer, from).await;
        }
        if store::order_in_progress(&mut tx, &subject.subject_id).await? {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::OrderInProgress);
        }
        subjects::insert_holder_change(
            &mut tx,
            &subjects::HolderChangeRecord {
                change_id: &change.change_id,
                subject_id: &change.subject_id,
                from_account_id: Some(from),
                to_account_id: Some(&target.account_id),
                actor: &change.actor,
                reason: &change.reason,
                idempotency_key: Some(&transfer.key),
                changed_at_ms: now,
            },
        )
        .await?;
        let params = BTreeMap::from([
            ("filing_number".to_owned(), subject.filing_number.clone()),
            ("masked_login_name".to_owned(), mask_login_name(&target.login_name)),
        ]);
        for (side, mobile) in [("from", &holder.mobile), ("to", &target.mobile)] {
            if mobile.trim().is_empty() {
                continue;
            }
            let notice = NewNotice {
                notice_id: format!("{}:{side}", transfer.key),
                channel: Channel::Sms,
                destination: mobile,
                template: NoticeTemplate::TransferCompleted,
                locale: transfer.locale,
                params: params.clone(),
            };
            self.outbox.enqueue(&mut tx, &notice, now).await?;
        }
        tx.commit().await?;
        drop(writer);
        self.outbox.wake_relay();
        tracing::info!(
            subject_id = %change.subject_id,
            change_id = %change.change_id,
            key = %transfer.key,
            "subject transferred"
        );
        Ok(change)
    }

    /// The deciding update moved nothing: a retry of the same request won (answer its
    /// change), or the subject changed hands meanwhile.
    async fn why_not_moved(&self, transfer: &Transfer<'_>, from: &str) -> Result<HolderChange, Error> {
        if let Some(change) = store::change_by_key(self.db.reader(), &transfer.key).await? {
            return Ok(change);
        }
        let now = subjects::find_by_id(self.db.reader(), &transfer.subject.subject_id)
            .await?
            .ok_or_else(|| Error::internal(format!("subject {} vanished", transfer.subject.subject_id)))?;
        if now.holder_account_id.as_deref() != Some(from) {
            return Err(Error::NoSubjectHeld);
        }
        Err(Error::internal(format!("subject {} neither moved nor changed", now.subject_id)))
    }
}
