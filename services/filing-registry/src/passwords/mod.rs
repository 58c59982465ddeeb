//! Filing passwords (备案密码, SPEC §3): stored only as Argon2id hashes; recovered by
//! issuing a new one (the old one stops working) sent to the subject's principal;
//! checked with a temporary lock after repeated wrong ones; issued on an approved
//! FILING_PASSWORD review to the contacts the applicant gave.
//!
//! Since 2020-08-17 the regulator no longer uses the filing password when a new filing
//! is verified (seed 004: any 6 digits pass that step), so nothing on a new-filing path
//! asks for it; cancel access and deregistration do (seed 002), through
//! [`FilingRegistry::check_filing_password`].

mod counters;
mod store;

pub use counters::forget_past_days;

use std::{collections::BTreeMap, fmt, time::Duration};

use beian_common::{
    filing_number::FilingNumber,
    locale::Locale,
    masking::{MaskedIdNumber, mask_email, mask_mobile},
    vocabulary::{CertificateType, Channel},
};
use beian_platform::storage::{duration_millis, now_millis};
use beian_proto::verification_codes::v1::NoticeTemplate;
use rand::Rng;

use crate::{
    error::Error,
    notices::NewNotice,
    service::FilingRegistry,
    subjects::{Subject, store as subjects},
};

/// How wrong filing passwords lock, and how often a filing may be recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Wrong passwords in a row; the last of them locks.
    pub max_failures: u32,
    /// How long a lock lasts; afterwards the count starts again.
    pub lock: Duration,
    /// This long without a wrong password and the count starts again (Keycloak's
    /// "failure reset time"), so a typo a month ago does not count today.
    pub failure_reset: Duration,
    /// Recoveries per filing number (its subject number) per China calendar day.
    pub recoveries_per_filing_per_day: u32,
    /// Recoveries per client address per China calendar day.
    pub recoveries_per_client_per_day: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock: Duration::from_secs(30 * 60),
            failure_reset: Duration::from_secs(24 * 60 * 60),
            recoveries_per_filing_per_day: 5,
            recoveries_per_client_per_day: 20,
        }
    }
}

/// A validated RecoverFilingPassword.
#[derive(Clone)]
pub struct Recovery {
    pub province_code: String,
    pub filing_number: FilingNumber,
    pub certificate_type: CertificateType,
    /// Normalised ([`beian_common::contact::normalise_certificate_number`]).
    pub certificate_number: String,
    /// The gateway's id of this recovery: a retry with it issues nothing new.
    pub request_id: String,
    /// The end user's address, for the per-client cap.
    pub client: String,
    pub locale: Locale,
}

impl fmt::Debug for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recovery")
            .field("province_code", &self.province_code)
            .field("filing_number", &self.filing_number.to_string())
            .field("certificate_type", &self.certificate_type)
            .field("certificate_number", &MaskedIdNumber(&self.certificate_number))
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// A validated IssueFilingPasswordByReview. No `Debug`: contacts in the clear.
pub struct ReviewIssue {
    pub case_number: String,
    pub filing_number: FilingNumber,
    /// Normalised; at least one of the two is set.
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub locale: Locale,
}

/// Where a new password went, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTo(pub Vec<(Channel, String)>);

impl SentTo {
    fn masking(destinations: &[(Channel, String)]) -> Self {
        Self(
            destinations
                .iter()
                .map(|(channel, destination)| {
                    let masked = match channel {
                        Channel::Sms => mask_mobile(destination),
                        Channel::Email => mask_email(destination),
                    };
                    (*channel, masked)
                })
                .collect(),
        )
    }
}

/// Six digits from the thread's CSPRNG (ChaCha, seeded and reseeded from the OS), as
/// the regulator's filing passwords are.
fn new_password() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000_u32))
}

fn until(deadline_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(deadline_ms - now_ms).unwrap_or(0).max(1))
}

/// Whether the typed details are the subject's: every field, so a mismatch never
/// says which one differs.
fn matches(subject: &Subject, recovery: &Recovery) -> bool {
    subject.region.province_code == recovery.province_code
        && subject.certificate_type == recovery.certificate_type
        && beian_common::contact::normalise_certificate_number(&subject.certificate_number)
            == recovery.certificate_number
}

impl FilingRegistry {
    /// RecoverFilingPassword: a match issues a new password to the subject's principal.
    /// A retry of the same request answers the first issue; every attempt counts towards
    /// the caps, matched or not (a mismatch is what the caps are there to slow down).
    pub async fn recover_filing_password(&self, recovery: Recovery) -> Result<SentTo, Error> {
        let key = format!("recover:{}", recovery.request_id);
        if let Some(sent) = store::find_issue(self.db.reader(), &key).await? {
            return Ok(sent);
        }
        let filing = recovery.filing_number.subject_number();
        counters::take_recovery(&self.db, &self.policy, &recovery.client, &filing).await?;
        let website = recovery.filing_number.is_website().then(|| recovery.filing_number.to_string());
        let subject = subjects::find_by_filing_number(self.db.reader(), &filing, website.as_deref())
            .await?
            // a deregistered subject (nobody's) has no password to recover
            .filter(|subject| subject.holder_account_id.is_some() && matches(subject, &recovery))
            .ok_or(Error::FilingNotMatched)?;
        let destinations: Vec<(Channel, String)> =
            [(Channel::Sms, &subject.principal_mobile), (Channel::Email, &subject.principal_email)]
                .into_iter()
                .filter(|(_, destination)| !destination.trim().is_empty())
                .map(|(channel, destination)| (channel, destination.clone()))
                .collect();
        if destinations.is_empty() {
            return Err(Error::FilingContactMissing);
        }
        self.issue(&key, &subject.subject_id, &destinations, recovery.locale).await
    }

    /// IssueFilingPasswordByReview: the effect of an approved FILING_PASSWORD case. Once
    /// per case: a retry answers the same destinations and sends nothing again.
    pub async fn issue_filing_password_by_review(&self, issue: ReviewIssue) -> Result<SentTo, Error> {
        let key = format!("review:{}", issue.case_number);
        if let Some(sent) = store::find_issue(self.db.reader(), &key).await? {
            return Ok(sent);
        }
        let website = issue.filing_number.is_website().then(|| issue.filing_number.to_string());
        let subject = subjects::find_by_filing_number(
            self.db.reader(),
            &issue.filing_number.subject_number(),
            website.as_deref(),
        )
        .await?
        .filter(|subject| subject.holder_account_id.is_some())
        .ok_or(Error::FilingNotMatched)?;
        let destinations: Vec<(Channel, String)> =
            [(Channel::Sms, issue.mobile), (Channel::Email, issue.email)]
                .into_iter()
                .filter_map(|(channel, destination)| destination.map(|d| (channel, d)))
                .collect();
        self.issue(&key, &subject.subject_id, &destinations, issue.locale).await
    }

    /// Checks a subject's filing password. Wrong ones count (one conditional update
    /// each, so concurrent guesses lock exactly at the limit); the last allowed one
    /// locks for a while, whoever tries. A right one resets the count.
    pub async fn check_filing_password(&self, subject_id: &str, password: &str) -> Result<(), Error> {
        let now = now_millis();
        let state = store::password_state(self.db.reader(), subject_id)
            .await?
            .ok_or_else(|| Error::invalid("subject_id", "no such subject"))?;
        if state.locked_until_ms > now {
            return Err(Error::FilingPasswordLocked { retry_after: until(state.locked_until_ms, now) });
        }
        let (typed, stored) = (password.to_owned(), state.hash);
        let right = tokio::task::spawn_blocking(move || beian_common::password::verify(&typed, &stored))
            .await
            .map_err(Error::internal)?;
        let now = now_millis();
        if right {
            if store::record_success(&mut *self.db.writer().await?, subject_id, now).await? {
                return Ok(());
            }
            return Err(self.lock_answer(subject_id, now).await);
        }
        let max = self.policy.max_failures;
        let counted = store::record_failure(
            &mut *self.db.writer().await?,
            subject_id,
            store::Failure {
                now_ms: now,
                restart_before_ms: now - duration_millis(self.policy.failure_reset),
                max: i64::from(max),
                lock_until_ms: now + duration_millis(self.policy.lock),
            },
        )
        .await?;
        match counted {
            Some((_, locked_until_ms)) if locked_until_ms > now => {
                tracing::info!(%subject_id, "filing password locked after repeated wrong passwords");
                Err(Error::FilingPasswordLocked { retry_after: until(locked_until_ms, now) })
            }
            Some((failures, _)) => Err(Error::FilingPasswordIncorrect {
                attempts_left: max.saturating_sub(u32::try_from(failures).unwrap_or(u32::MAX)),
            }),
            None => Err(self.lock_answer(subject_id, now).await),
        }
    }

    /// The subject was locked by a concurrent guess while this one was checked.
    async fn lock_answer(&self, subject_id: &str, now: i64) -> Error {
        match store::password_state(self.db.reader(), subject_id).await {
            Ok(Some(state)) => {
                Error::FilingPasswordLocked { retry_after: until(state.locked_until_ms.max(now), now) }
            }
            Ok(None) => Error::internal(format!("subject {subject_id} vanished")),
            Err(error) => error,
        }
    }

    /// Stores a new password and its notices in one transaction keyed by `key`; if
    /// that key was issued already (a concurrent retry won), answers that issue.
    async fn issue(
        &self,
        key: &str,
        subject_id: &str,
        destinations: &[(Channel, String)],
        locale: Locale,
    ) -> Result<SentTo, Error> {
        let password = new_password();
        let plain = password.clone();
        let hash = tokio::task::spawn_blocking(move || beian_common::password::hash(&plain))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let sent = SentTo::masking(destinations);
        let now = now_millis();
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !store::insert_issue(&mut tx, key, subject_id, &sent, now).await? {
            tx.rollback().await?;
            drop(writer);
            return store::find_issue(self.db.reader(), key)
                .await?
                .ok_or_else(|| Error::internal(format!("issue {key} neither inserted nor found")));
        }
        store::replace_password(&mut tx, subject_id, &hash, now).await?;
        for (channel, destination) in destinations {
            let notice = NewNotice {
                notice_id: format!("filing-password:{key}:{}", channel.as_str().to_ascii_lowercase()),
                channel: *channel,
                destination,
                template: NoticeTemplate::FilingPassword,
                locale,
                params: BTreeMap::from([("filing_password".to_owned(), password.clone())]),
            };
            self.outbox.enqueue(&mut tx, &notice, now).await?;
        }
        tx.commit().await?;
        drop(writer);
        self.outbox.wake_relay();
        tracing::info!(%subject_id, issue = %key, notices = destinations.len(), "new filing password issued");
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_passwords_are_six_digits_and_vary() {
        let passwords: Vec<String> = (0..50).map(|_| new_password()).collect();
        assert!(passwords.iter().all(|p| p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit())));
        let mut distinct = passwords.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 40, "{distinct:?}");
    }
}
