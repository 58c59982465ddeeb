//! The worker that applies what decisions owe (`reviews::effects`): an approved
//! ACCOUNT_LOOKUP sends the holder's login name to the applicant, an approved
//! FILING_PASSWORD has filing-registry issue and send a new filing password, a
//! rejection sends the applicant the note. Every call is keyed by the case number, so a
//! retry after a crash or a lost answer does nothing twice; a failure is retried with
//! exponential back-off until it succeeds, the case staying APPROVED meanwhile.

use std::{sync::Arc, time::Duration};

use beian_platform::{
    backoff,
    storage::{Database, now_millis},
};
use tokio::sync::{Notify, watch};

use crate::{
    accounts,
    error::Error,
    peers::{self, Channel, FilingPasswordIssue, FilingRegistry, Notice, NoticeContent, VerificationCodes},
    reviews::{
        ReviewCase, ReviewKind,
        audit::{self, AuditAction, AuditEntry},
        effects::{self, Claimed, EffectAction},
        store,
    },
};

/// Longest stored failure reason.
const MAX_REASON_CHARS: usize = 200;

/// How often and how persistently effects are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectPace {
    /// Due rows are looked for this often (and at once after a decision here).
    pub poll_interval: Duration,
    /// How long a claim holds a row; longer than any attempt (two peer calls at most),
    /// so a row is claimed again only when its worker died.
    pub lease: Duration,
    /// The wait after the first failure, doubled after each further one.
    pub retry_base: Duration,
}

impl Default for EffectPace {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            retry_base: Duration::from_secs(1),
        }
    }
}

#[derive(Debug)]
pub struct EffectWorker {
    db: Database,
    codes: VerificationCodes,
    registry: FilingRegistry,
    pace: EffectPace,
    doorbell: Arc<Notify>,
}

impl EffectWorker {
    pub fn new(
        db: Database,
        codes: VerificationCodes,
        registry: FilingRegistry,
        pace: EffectPace,
        doorbell: Arc<Notify>,
    ) -> Self {
        Self { db, codes, registry, pace, doorbell }
    }

    /// Applies due effects until `stop` turns true. An attempt cut off by the stop keeps
    /// its lease and is tried again once the lease runs out.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("review effect worker started");
        loop {
            tokio::select! {
                () = self.apply_due() => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            tokio::select! {
                () = self.doorbell.notified() => {}
                () = tokio::time::sleep(self.pace.poll_interval) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::info!("review effect worker stopped");
    }

    /// One row at a time until none is due: decisions are few, and each attempt ends
    /// well within the lease it was claimed with.
    async fn apply_due(&self) {
        loop {
            let now = now_millis();
            let lease_until = now.saturating_add(millis(self.pace.lease));
            let claimed = match effects::claim_due(self.db.writer(), now, lease_until, 1).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "review effects not claimed");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            for row in claimed {
                if let Err(error) = self.attempt(&row).await {
                    tracing::warn!(case_number = %row.case_number, %error, "review effect not recorded");
                }
            }
        }
    }

    async fn attempt(&self, row: &Claimed) -> Result<(), Error> {
        match self.apply(row).await {
            Ok(()) => self.finish(row).await,
            Err(error) => {
                let delay = backoff::delay(self.pace.retry_base, row.attempts);
                let reason: String = error.to_string().chars().take(MAX_REASON_CHARS).collect();
                tracing::warn!(
                    case_number = %row.case_number,
                    action = row.action.as_str(),
                    attempts = row.attempts,
                    retry_in_ms = millis(delay),
                    %error,
                    "review effect failed; retrying"
                );
                effects::reschedule(self.db.writer(), &row.case_number, now_millis() + millis(delay), &reason)
                    .await
            }
        }
    }

    /// Marks the row done and, for an approval, completes the case, in one transaction.
    async fn finish(&self, row: &Claimed) -> Result<(), Error> {
        let now = now_millis();
        let mut tx = self.db.begin().await?;
        if !effects::mark_done(&mut *tx, &row.case_number, now).await? {
            // another worker finished it after this one's lease ran out
            tx.rollback().await?;
            return Ok(());
        }
        if row.action == EffectAction::Apply {
            effects::complete_case(&mut *tx, &row.case_number, now).await?;
            let entry = AuditEntry {
                at_ms: now,
                actor: String::new(),
                action: AuditAction::EffectApplied,
                document_id: None,
                note: None,
            };
            audit::record(&mut *tx, &row.case_number, &entry).await?;
        }
        tx.commit().await?;
        tracing::info!(case_number = %row.case_number, action = row.action.as_str(), "review effect applied");
        Ok(())
    }

    async fn apply(&self, row: &Claimed) -> Result<(), Error> {
        let case = store::find(self.db.reader(), &row.case_number)
            .await?
            .ok_or_else(|| Error::internal(format!("case {} vanished", row.case_number)))?;
        match (row.action, case.kind) {
            (EffectAction::NotifyRejection, _) => {
                let note = case.decision_note.as_deref().unwrap_or_default();
                let content = NoticeContent::ReviewRejected { case_number: &case.case_number, note };
                self.notify_applicant(&case, "rejected", &content).await
            }
            (EffectAction::Apply, ReviewKind::AccountLookup) => {
                let holder = case.subject.account_id.as_deref().ok_or_else(|| {
                    Error::internal(format!("case {} names no holder account", case.case_number))
                })?;
                let account = accounts::store::find_by_id(self.db.reader(), holder)
                    .await?
                    .ok_or_else(|| Error::internal(format!("holder account {holder} of a case vanished")))?;
                let content = NoticeContent::LoginName { login_name: &account.login_name };
                self.notify_applicant(&case, "login-name", &content).await
            }
            (EffectAction::Apply, ReviewKind::FilingPassword) => {
                let filing_number =
                    case.subject.filing_number.as_ref().map(ToString::to_string).ok_or_else(|| {
                        Error::internal(format!("case {} names no filing number", case.case_number))
                    })?;
                self.registry
                    .issue_filing_password_by_review(FilingPasswordIssue {
                        case_number: &case.case_number,
                        filing_number: &filing_number,
                        mobile: &case.applicant.mobile,
                        email: case.applicant.email.as_deref().unwrap_or_default(),
                        locale: case.locale,
                    })
                    .await
            }
            (EffectAction::Apply, kind) => {
                Err(Error::internal(format!("no effect for an approved {} case", kind.as_str())))
            }
        }
    }

    /// The notice to the applicant's mobile and, if given, email, keyed
    /// `<case number>:<purpose>:<channel>`.
    async fn notify_applicant(
        &self,
        case: &ReviewCase,
        purpose: &str,
        content: &NoticeContent<'_>,
    ) -> Result<(), Error> {
        let applicant = &case.applicant;
        let contacts =
            [(Channel::Sms, Some(applicant.mobile.as_str())), (Channel::Email, applicant.email.as_deref())];
        for (channel, destination) in contacts {
            let Some(destination) = destination.filter(|d| !d.trim().is_empty()) else { continue };
            self.codes
                .enqueue_notice(Notice {
                    idempotency_key: format!("{}:{purpose}:{}", case.case_number, peers::key_part(channel)),
                    channel,
                    destination,
                    locale: case.locale,
                    content: *content,
                })
                .await?;
        }
        Ok(())
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
