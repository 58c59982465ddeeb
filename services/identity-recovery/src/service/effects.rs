//! The worker that applies what decisions owe (`reviews::effects`): an approved
//! ACCOUNT_LOOKUP sends the holder's login name to the applicant, an approved
//! FILING_PASSWORD has filing-registry issue and send a new filing password, an approved
//! OFFLINE_TRANSFER has filing-registry move the subject to the target account, an
//! approved LEGACY_CLAIM has legacy-migration bring the legacy filing into the
//! applicant's account, a rejection sends the applicant the note. Every call is keyed by the case number, so a
//! retry after a crash or a lost answer does nothing twice; a failure is retried with
//! exponential back-off until it succeeds, the case staying APPROVED meanwhile.
//!
//! An approved LEGACY_LOGIN_RESET has legacy-migration replace the filing's legacy login
//! email, then tells the new email; an email another legacy login took meanwhile, or a
//! filing the legacy platform never held, completes the case with that reason.
//!
//! A transfer rule may no longer hold when staff approve (the target took a subject in
//! the meantime): filing-registry's refusal with such a rule's reason is final, so the
//! case is COMPLETED with that reason and the applicant is told, instead of retrying for
//! ever. A claim likewise (the account took a subject, the filing went elsewhere): the
//! case is COMPLETED with the reason, which GetReviewStatus shows.

use std::{sync::Arc, time::Duration};

use beian_platform::{
    backoff,
    error::Common,
    status::{ErrorReason, Failure, reason_name, reason_of},
    storage::{Database, duration_millis, now_millis},
};
use tokio::sync::{Notify, watch};
use tonic::Status;
use tonic_types::{ErrorDetail, StatusExt};

use crate::{
    accounts,
    error::Error,
    locale::Locale,
    peers::{
        self, Channel, ClaimCompletion, FilingPasswordIssue, FilingRegistry, LegacyMigration,
        LoginEmailReplacement, Notice, NoticeContent, SubjectTransfer, VerificationCodes,
    },
    reviews::{
        ReviewCase, ReviewKind,
        audit::{self, AuditAction, AuditEntry},
        effects::{self, Claimed, EffectAction},
        store,
    },
};

/// Longest stored failure reason.
const MAX_REASON_CHARS: usize = 200;

/// filing-registry's refusals of a transfer that a retry cannot change: a transfer rule
/// fails, or the case names no subject or account that exists.
const FINAL_TRANSFER_REFUSALS: &[ErrorReason] = &[
    ErrorReason::TransferTargetHoldsSubject,
    ErrorReason::TransferTargetHasOrderInProgress,
    ErrorReason::TransferSiteNotSupported,
    ErrorReason::TransferTargetNotFound,
    ErrorReason::TransferToSelf,
    ErrorReason::OrderInProgress,
    ErrorReason::FilingNotMatched,
    ErrorReason::NoSubjectHeld,
];

/// filing-registry's refusal of a filing-password issue that a retry cannot change: it
/// holds no filing under the case's number.
const FINAL_FILING_PASSWORD_REFUSALS: &[ErrorReason] = &[ErrorReason::FilingNotMatched];

/// legacy-migration's refusals of a login email replacement that a retry cannot change.
const FINAL_LOGIN_RESET_REFUSALS: &[ErrorReason] =
    &[ErrorReason::LegacyLoginEmailInUse, ErrorReason::LegacyFilingNotFound];
/// legacy-migration's refusals of a claim that a retry cannot change: the account holds a
/// subject, the filing went elsewhere or is not a claim's, a domain is filed already.
const FINAL_CLAIM_REFUSALS: &[ErrorReason] = &[
    ErrorReason::AccountAlreadyHoldsSubject,
    ErrorReason::LegacyAlreadyImported,
    ErrorReason::LegacyFilingNotFound,
    ErrorReason::ClaimNotEligible,
    ErrorReason::DomainAlreadyFiled,
];

/// What an approval's attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Applied,
    /// The owner refused for good; the case is completed with this reason.
    Refused(ErrorReason),
}

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
    legacy: LegacyMigration,
    pace: EffectPace,
    doorbell: Arc<Notify>,
}

impl EffectWorker {
    pub fn new(
        db: Database,
        codes: VerificationCodes,
        registry: FilingRegistry,
        legacy: LegacyMigration,
        pace: EffectPace,
        doorbell: Arc<Notify>,
    ) -> Self {
        Self { db, codes, registry, legacy, pace, doorbell }
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
            let lease_until = now.saturating_add(duration_millis(self.pace.lease));
            let claimed = async {
                let mut writer = self.db.writer().await?;
                effects::claim_due(&mut *writer, now, lease_until, 1).await
            };
            let claimed = match claimed.await {
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
            Ok(outcome) => self.finish(row, outcome).await,
            Err(error) => {
                let delay = backoff::delay(self.pace.retry_base, row.attempts);
                let reason: String = error.to_string().chars().take(MAX_REASON_CHARS).collect();
                tracing::warn!(
                    case_number = %row.case_number,
                    action = row.action.as_str(),
                    attempts = row.attempts,
                    retry_in_ms = duration_millis(delay),
                    %error,
                    "review effect failed; retrying"
                );
                effects::reschedule(
                    &mut *self.db.writer().await?,
                    &row.case_number,
                    now_millis() + duration_millis(delay),
                    &reason,
                )
                .await
            }
        }
    }

    /// Marks the row done and, for an approval, completes the case, in one transaction
    /// (a refused one is completed already, with its reason).
    async fn finish(&self, row: &Claimed, outcome: Outcome) -> Result<(), Error> {
        let now = now_millis();
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !effects::mark_done(&mut *tx, &row.case_number, now).await? {
            // another worker finished it after this one's lease ran out
            tx.rollback().await?;
            drop(writer);
            return Ok(());
        }
        if row.action == EffectAction::Apply {
            effects::complete_case(&mut *tx, &row.case_number, now).await?;
            let entry = AuditEntry {
                at_ms: now,
                actor: String::new(),
                action: AuditAction::EffectApplied,
                document_id: None,
                note: match outcome {
                    Outcome::Applied => None,
                    Outcome::Refused(reason) => Some(format!("refused: {}", reason_name(reason))),
                },
            };
            audit::record(&mut *tx, &row.case_number, &entry).await?;
        }
        tx.commit().await?;
        drop(writer);
        tracing::info!(case_number = %row.case_number, action = row.action.as_str(), "review effect applied");
        Ok(())
    }

    async fn apply(&self, row: &Claimed) -> Result<Outcome, Error> {
        let case = store::find(self.db.reader(), &row.case_number)
            .await?
            .ok_or_else(|| Error::internal(format!("case {} vanished", row.case_number)))?;
        match (row.action, case.kind) {
            (EffectAction::NotifyRejection, _) => {
                let note = case.decision_note.as_deref().unwrap_or_default();
                let content = NoticeContent::ReviewRejected { case_number: &case.case_number, note };
                self.notify_applicant(&case, "rejected", &content).await?;
                Ok(Outcome::Applied)
            }
            (EffectAction::Apply, ReviewKind::OfflineTransfer) => self.transfer(&case).await,
            (EffectAction::Apply, ReviewKind::LegacyLoginReset) => self.replace_legacy_login(&case).await,
            (EffectAction::Apply, ReviewKind::LegacyClaim) => self.claim(&case).await,
            (EffectAction::Apply, ReviewKind::AccountLookup) => {
                let holder = case.subject.account_id.as_deref().ok_or_else(|| {
                    Error::internal(format!("case {} names no holder account", case.case_number))
                })?;
                let account = accounts::store::find_by_id(self.db.reader(), holder)
                    .await?
                    .ok_or_else(|| Error::internal(format!("holder account {holder} of a case vanished")))?;
                // seed 000 step 5: by either method the login name goes to the account's bound
                // mobile and email, never to contacts an applicant typed
                let bound = [
                    (Channel::Sms, Some(account.mobile.as_str())),
                    (Channel::Email, Some(account.email.as_str())),
                ];
                let content = NoticeContent::LoginName { login_name: &account.login_name };
                self.notify(&case, "login-name", bound, &content).await?;
                Ok(Outcome::Applied)
            }
            (EffectAction::Apply, ReviewKind::FilingPassword) => self.issue_filing_password(&case).await,
        }
    }

    /// An approved FILING_PASSWORD: filing-registry issues a new password to the applicant
    /// (keyed by the case number). A filing number it does not hold is final: the case is
    /// completed with the reason, then the applicant is told (as a transfer's).
    async fn issue_filing_password(&self, case: &ReviewCase) -> Result<Outcome, Error> {
        if let Some(reason) = case.failure_reason {
            self.notify_not_completed(case, reason).await?;
            return Ok(Outcome::Refused(reason));
        }
        let filing_number =
            case.subject.filing_number.as_ref().map(ToString::to_string).ok_or_else(|| {
                Error::internal(format!("case {} names no filing number", case.case_number))
            })?;
        let result = self
            .registry
            .issue_filing_password_by_review(FilingPasswordIssue {
                case_number: &case.case_number,
                filing_number: &filing_number,
                mobile: &case.applicant.mobile,
                email: case.applicant.email.as_deref().unwrap_or_default(),
                locale: case.locale,
            })
            .await;
        let reason = match result {
            Ok(()) => return Ok(Outcome::Applied),
            Err(error) => final_refusal(&error, FINAL_FILING_PASSWORD_REFUSALS).ok_or(error)?,
        };
        self.fail_for_good(case, reason, "filing password issue").await?;
        self.notify_not_completed(case, reason).await?;
        Ok(Outcome::Refused(reason))
    }

    /// Completes the case with a final refusal's reason, before the applicant is told:
    /// a crash in between finds the reason stored and only sends the notice.
    async fn fail_for_good(&self, case: &ReviewCase, reason: ErrorReason, effect: &str) -> Result<(), Error> {
        tracing::info!(case_number = %case.case_number, reason = reason_name(reason), effect, "approved case refused for good");
        effects::fail_case(
            &mut *self.db.writer().await?,
            &case.case_number,
            reason_name(reason),
            now_millis(),
        )
        .await
    }

    /// An approved OFFLINE_TRANSFER: filing-registry moves the subject (keyed by the case
    /// number). A final refusal completes the case with its reason before the applicant is
    /// told, so a crash in between finds the reason stored and only sends the notice.
    async fn transfer(&self, case: &ReviewCase) -> Result<Outcome, Error> {
        if let Some(reason) = case.failure_reason {
            self.notify_transfer_refused(case, reason).await?;
            return Ok(Outcome::Refused(reason));
        }
        let missing = |what: &str| Error::internal(format!("case {} names no {what}", case.case_number));
        let filing_number = case.subject.filing_number.as_ref().ok_or_else(|| missing("filing number"))?;
        let result = self
            .registry
            .transfer_subject_by_review(SubjectTransfer {
                case_number: &case.case_number,
                filing_number: &filing_number.to_string(),
                to_account_id: case.subject.target_account_id.as_deref().ok_or_else(|| missing("target"))?,
                staff_id: case.decided_by.as_deref().unwrap_or_default(),
                locale: case.locale,
            })
            .await;
        let reason = match result {
            Ok(()) => return Ok(Outcome::Applied),
            Err(error) => final_refusal(&error, FINAL_TRANSFER_REFUSALS).ok_or(error)?,
        };
        self.fail_for_good(case, reason, "offline transfer").await?;
        self.notify_transfer_refused(case, reason).await?;
        Ok(Outcome::Refused(reason))
    }

    /// An approved LEGACY_LOGIN_RESET: legacy-migration replaces the login email (keyed by
    /// the case number), then the new email is told, keyed `<case>:legacy-login-reset:email`.
    /// A final refusal completes the case with its reason before the applicant's contacts
    /// are told (as a transfer's); nothing is sent to an email that did not become the login.
    async fn replace_legacy_login(&self, case: &ReviewCase) -> Result<Outcome, Error> {
        if let Some(reason) = case.failure_reason {
            self.notify_not_completed(case, reason).await?;
            return Ok(Outcome::Refused(reason));
        }
        let missing = |what: &str| Error::internal(format!("case {} names no {what}", case.case_number));
        let filing_number =
            case.subject.filing_number.as_ref().ok_or_else(|| missing("filing number"))?.to_string();
        let new_email = case.subject.new_login_email.as_deref().ok_or_else(|| missing("new login email"))?;
        let result = self
            .legacy
            .replace_login_email(LoginEmailReplacement {
                case_number: &case.case_number,
                filing_number: &filing_number,
                new_login_email: new_email,
            })
            .await;
        if let Err(error) = result {
            let reason = final_refusal(&error, FINAL_LOGIN_RESET_REFUSALS).ok_or(error)?;
            self.fail_for_good(case, reason, "legacy login reset").await?;
            self.notify_not_completed(case, reason).await?;
            return Ok(Outcome::Refused(reason));
        }
        let content =
            NoticeContent::LegacyLoginReset { case_number: &case.case_number, filing_number: &filing_number };
        self.codes
            .enqueue_notice(Notice {
                idempotency_key: format!(
                    "{}:legacy-login-reset:{}",
                    case.case_number,
                    peers::key_part(Channel::Email)
                ),
                channel: Channel::Email,
                destination: new_email,
                locale: case.locale,
                content,
            })
            .await?;
        Ok(Outcome::Applied)
    }

    /// An approved LEGACY_CLAIM: legacy-migration migrates the filing into the applicant's
    /// account (keyed by the case number). A final refusal completes the case with its reason,
    /// then the applicant is told (as a transfer's).
    async fn claim(&self, case: &ReviewCase) -> Result<Outcome, Error> {
        if let Some(reason) = case.failure_reason {
            self.notify_not_completed(case, reason).await?;
            return Ok(Outcome::Refused(reason));
        }
        let missing = |what: &str| Error::internal(format!("case {} names no {what}", case.case_number));
        let filing_number = case.subject.filing_number.as_ref().ok_or_else(|| missing("filing number"))?;
        let result = self
            .legacy
            .complete_claim(ClaimCompletion {
                case_number: &case.case_number,
                filing_number: &filing_number.to_string(),
                account_id: case.subject.account_id.as_deref().ok_or_else(|| missing("account"))?,
            })
            .await;
        let reason = match result {
            Ok(()) => return Ok(Outcome::Applied),
            Err(error) => final_refusal(&error, FINAL_CLAIM_REFUSALS).ok_or(error)?,
        };
        self.fail_for_good(case, reason, "claim").await?;
        self.notify_not_completed(case, reason).await?;
        Ok(Outcome::Refused(reason))
    }

    /// "Your transfer {case} could not be completed: <the rule that failed>" in the case's language.
    async fn notify_transfer_refused(&self, case: &ReviewCase, reason: ErrorReason) -> Result<(), Error> {
        let words = reason_words(reason, case.locale);
        let content = NoticeContent::TransferFailed { case_number: &case.case_number, reason: &words };
        self.notify_applicant(case, "transfer-refused", &content).await
    }

    /// "Your review {case} was approved but could not be completed: <the rule that failed>".
    async fn notify_not_completed(&self, case: &ReviewCase, reason: ErrorReason) -> Result<(), Error> {
        let words = reason_words(reason, case.locale);
        let content = NoticeContent::ReviewNotCompleted { case_number: &case.case_number, reason: &words };
        self.notify_applicant(case, "not-completed", &content).await
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
        self.notify(case, purpose, contacts, content).await
    }

    /// Queues `content` to each contact given (blank ones skipped), keyed by the case.
    async fn notify(
        &self,
        case: &ReviewCase,
        purpose: &str,
        contacts: [(Channel, Option<&str>); 2],
        content: &NoticeContent<'_>,
    ) -> Result<(), Error> {
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

/// The reason of a refusal no retry can change (one of `finals`); None for anything worth retrying
/// (unreachable, too slow, not implemented yet, an internal failure).
fn final_refusal(error: &Error, finals: &[ErrorReason]) -> Option<ErrorReason> {
    let Error::Common(Common::Refused(status)) = error else { return None };
    reason_of(status).filter(|reason| finals.contains(reason))
}

/// The suite's own words for `reason` in `locale` (the message a refusal carries).
fn reason_words(reason: ErrorReason, locale: Locale) -> String {
    Status::from(Failure::new(reason))
        .get_error_details_vec()
        .into_iter()
        .find_map(|detail| match detail {
            ErrorDetail::LocalizedMessage(message) if message.locale == locale.as_str() => {
                Some(message.message)
            }
            _ => None,
        })
        .unwrap_or_else(|| reason_name(reason).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// verification-codes refuses a notice parameter longer than 128 characters: a final
    /// refusal's words must fit, or its notice would be retried for ever.
    #[test]
    fn every_final_refusal_has_words_a_notice_can_carry() {
        let finals =
            FINAL_TRANSFER_REFUSALS.iter().chain(FINAL_LOGIN_RESET_REFUSALS).chain(FINAL_CLAIM_REFUSALS);
        for &reason in finals {
            for locale in [Locale::ZhCn, Locale::En] {
                let words = reason_words(reason, locale);
                let chars = words.chars().count();
                assert!((1..=128).contains(&chars), "{reason:?} in {locale:?}: {chars} characters: {words}");
            }
        }
    }
}
