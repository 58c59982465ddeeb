//! The other services identity-recovery calls, through generated clients over traced,
//! credentialed channels. Their answers become domain types here; a refusal meant for
//! the user passes through, an outage becomes DEPENDENCY_UNAVAILABLE (see `Error`).

use std::time::Duration;

pub use beian_common::vocabulary::Channel;
use beian_common::vocabulary::Purpose;
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{HostSettings, PeerSettings},
    wire::enums::to_wire,
};
use beian_proto::{
    filing_registry::v1::{
        self as registry, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
    },
    legacy_migration::v1::{
        self as legacy, legacy_migration_internal_service_client::LegacyMigrationInternalServiceClient,
    },
    verification_codes::v1::{
        self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
    },
};

use crate::{error::Error, locale::Locale};

/// Names a channel inside idempotency keys.
pub fn key_part(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

/// A notice to queue. No `Debug`: destination and parameters are personal data.
pub struct Notice<'a> {
    /// Same key, same message: verification-codes never sends a key twice.
    pub idempotency_key: String,
    pub channel: Channel,
    pub destination: &'a str,
    pub locale: Locale,
    pub content: NoticeContent<'a>,
}

/// Which notice, with its parameters. No `Debug`: login names and notes are personal.
#[derive(Clone, Copy)]
pub enum NoticeContent<'a> {
    /// "Your login name is {login_name}" (SPEC §1, and an approved ACCOUNT_LOOKUP review).
    LoginName { login_name: &'a str },
    /// "Your review {case_number} was not approved: {note}".
    ReviewRejected { case_number: &'a str, note: &'a str },
    /// "Your review {case_number} was approved but could not be completed: {reason}".
    ReviewNotCompleted { case_number: &'a str, reason: &'a str },
    /// "Your offline transfer {case_number} could not be completed: {reason}".
    TransferFailed { case_number: &'a str, reason: &'a str },
    /// "Your password was changed".
    PasswordChanged,
    /// "Your account {masked_login_name} was locked".
    AccountLocked { masked_login_name: &'a str },
    /// "Your legacy login reset {case_number} for {filing_number} was approved: this email
    /// is the legacy login now" (SPEC §2), to the new email.
    LegacyLoginReset { case_number: &'a str, filing_number: &'a str },
}

impl Notice<'_> {
    fn into_request(self) -> codes::EnqueueNoticeRequest {
        let (template, params) = self.content.template_and_params();
        codes::EnqueueNoticeRequest {
            idempotency_key: self.idempotency_key,
            channel: to_wire(self.channel),
            destination: self.destination.to_owned(),
            template: template as i32,
            locale: self.locale.as_str().to_owned(),
            params: params.into_iter().map(|(name, value)| (name.to_owned(), value)).collect(),
        }
    }
}

impl NoticeContent<'_> {
    fn template_and_params(&self) -> (codes::NoticeTemplate, Vec<(&'static str, String)>) {
        match self {
            Self::LoginName { login_name } => {
                (codes::NoticeTemplate::LoginName, vec![("login_name", (*login_name).to_owned())])
            }
            Self::ReviewRejected { case_number, note } => (
                codes::NoticeTemplate::ReviewDecided,
                vec![
                    ("case_number", (*case_number).to_owned()),
                    ("decision", "REJECTED".to_owned()),
                    ("note", (*note).to_owned()),
                ],
            ),
            Self::ReviewNotCompleted { case_number, reason } => (
                codes::NoticeTemplate::ReviewDecided,
                vec![
                    ("case_number", (*case_number).to_owned()),
                    ("decision", "NOT_COMPLETED".to_owned()),
                    ("note", (*reason).to_owned()),
                ],
            ),
            Self::TransferFailed { case_number, reason } => (
                codes::NoticeTemplate::TransferFailed,
                vec![("case_number", (*case_number).to_owned()), ("reason", (*reason).to_owned())],
            ),
            Self::PasswordChanged => (codes::NoticeTemplate::PasswordChanged, Vec::new()),
            Self::AccountLocked { masked_login_name } => (
                codes::NoticeTemplate::AccountLocked,
                vec![("masked_login_name", (*masked_login_name).to_owned())],
            ),
            Self::LegacyLoginReset { case_number, filing_number } => (
                codes::NoticeTemplate::LegacyLoginReset,
                vec![
                    ("case_number", (*case_number).to_owned()),
                    ("filing_number", (*filing_number).to_owned()),
                ],
            ),
        }
    }
}

/// verification-codes' internal API: proofs and the outbox.
#[derive(Debug, Clone)]
pub struct VerificationCodes {
    client: VerificationCodesInternalServiceClient<PeerChannel>,
}

impl VerificationCodes {
    /// Connects lazily, so verification-codes may start after this service.
    pub fn connect(settings: &PeerSettings, host: &HostSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel =
            peer_channel(&settings.verification_codes, timeout, &host.internal_token, &host.metrics)?;
        Ok(Self { client: VerificationCodesInternalServiceClient::new(channel) })
    }

    /// Redeems an ACCOUNT_LOOKUP proof for the code sent to `destination` and queues
    /// `notices` in the same transaction: they go out exactly when the proof is spent.
    /// Idempotent on `redemption_key`: the retry of one lookup succeeds again (queuing
    /// nothing twice), another use is refused.
    pub async fn redeem_lookup_proof(
        &self,
        proof: &str,
        destination: &str,
        redemption_key: &str,
        notices: Vec<Notice<'_>>,
    ) -> Result<(), Error> {
        self.redeem(Purpose::AccountLookup, proof, destination, redemption_key, notices).await
    }

    /// Redeems a PASSWORD_RESET proof for the code sent to `destination` (the account's
    /// mobile or email). Idempotent on `redemption_key`, as for lookups.
    pub async fn redeem_reset_proof(
        &self,
        proof: &str,
        destination: &str,
        redemption_key: &str,
    ) -> Result<(), Error> {
        self.redeem(Purpose::PasswordReset, proof, destination, redemption_key, Vec::new()).await
    }

    async fn redeem(
        &self,
        purpose: Purpose,
        proof: &str,
        destination: &str,
        redemption_key: &str,
        notices: Vec<Notice<'_>>,
    ) -> Result<(), Error> {
        self.client
            .clone()
            .redeem_proof(codes::RedeemProofRequest {
                proof: proof.to_owned(),
                purpose: to_wire(purpose),
                destination: destination.to_owned(),
                redemption_key: redemption_key.to_owned(),
                notices: notices.into_iter().map(Notice::into_request).collect(),
            })
            .await?;
        Ok(())
    }

    /// Queues a notice in the outbox; idempotent on its key.
    pub async fn enqueue_notice(&self, notice: Notice<'_>) -> Result<(), Error> {
        self.client.clone().enqueue_notice(notice.into_request()).await?;
        Ok(())
    }
}

/// A new filing password for an approved FILING_PASSWORD review. No `Debug`: the
/// contacts are personal data.
pub struct FilingPasswordIssue<'a> {
    /// The idempotency key: filing-registry issues and sends once per case.
    pub case_number: &'a str,
    pub filing_number: &'a str,
    /// The applicant's contacts from the case; the email may be empty.
    pub mobile: &'a str,
    pub email: &'a str,
    pub locale: Locale,
}

/// An approved OFFLINE_TRANSFER: the subject the filing number names moves to the target.
#[derive(Debug, Clone, Copy)]
pub struct SubjectTransfer<'a> {
    /// The idempotency key: filing-registry moves the subject once per case.
    pub case_number: &'a str,
    /// Subject or website number, as given in the case; filing-registry resolves it.
    pub filing_number: &'a str,
    pub to_account_id: &'a str,
    /// Who approved it, for the holder-change record.
    pub staff_id: &'a str,
    /// The language of the notices to both sides.
    pub locale: Locale,
}

/// filing-registry's internal API: the effects of reviews it owns.
#[derive(Debug, Clone)]
pub struct FilingRegistry {
    client: FilingRegistryInternalServiceClient<PeerChannel>,
}

impl FilingRegistry {
    /// Connects lazily, so filing-registry may start after this service.
    pub fn connect(settings: &PeerSettings, host: &HostSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = peer_channel(&settings.filing_registry, timeout, &host.internal_token, &host.metrics)?;
        Ok(Self { client: FilingRegistryInternalServiceClient::new(channel) })
    }

    /// Issues a new filing password and sends it to the case's contacts; idempotent on
    /// the case number.
    pub async fn issue_filing_password_by_review(&self, issue: FilingPasswordIssue<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .issue_filing_password_by_review(registry::IssueFilingPasswordByReviewRequest {
                case_number: issue.case_number.to_owned(),
                filing_number: issue.filing_number.to_owned(),
                mobile: issue.mobile.to_owned(),
                email: issue.email.to_owned(),
                locale: issue.locale.as_str().to_owned(),
            })
            .await?;
        Ok(())
    }

    /// Moves the subject to the target account under the transfer rules (same record and
    /// notices as an online transfer); idempotent on the case number.
    pub async fn transfer_subject_by_review(&self, transfer: SubjectTransfer<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .transfer_subject_by_review(registry::TransferSubjectByReviewRequest {
                case_number: transfer.case_number.to_owned(),
                subject_id: String::new(),
                to_account_id: transfer.to_account_id.to_owned(),
                staff_id: transfer.staff_id.to_owned(),
                filing_number: transfer.filing_number.to_owned(),
                locale: transfer.locale.as_str().to_owned(),
            })
            .await?;
        Ok(())
    }
}

/// An approved LEGACY_LOGIN_RESET. No `Debug`: the email is personal data.
pub struct LoginEmailReplacement<'a> {
    /// The idempotency key: legacy-migration replaces the email once per case.
    pub case_number: &'a str,
    /// Subject or website number, as given in the case.
    pub filing_number: &'a str,
    pub new_login_email: &'a str,
}

/// An approved LEGACY_CLAIM: the legacy filing joins the applicant's account.
#[derive(Debug, Clone, Copy)]
pub struct ClaimCompletion<'a> {
    /// The idempotency key: legacy-migration migrates the filing once per case.
    pub case_number: &'a str,
    pub filing_number: &'a str,
    pub account_id: &'a str,
}

/// legacy-migration's internal API: the effects of reviews it owns.
#[derive(Debug, Clone)]
pub struct LegacyMigration {
    client: LegacyMigrationInternalServiceClient<PeerChannel>,
}

impl LegacyMigration {
    /// Connects lazily, so legacy-migration may start after this service.
    pub fn connect(settings: &PeerSettings, host: &HostSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = peer_channel(&settings.legacy_migration, timeout, &host.internal_token, &host.metrics)?;
        Ok(Self { client: LegacyMigrationInternalServiceClient::new(channel) })
    }

    /// Replaces the filing's legacy login email; idempotent on the case number.
    pub async fn replace_login_email(&self, change: LoginEmailReplacement<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .replace_login_email(legacy::ReplaceLoginEmailRequest {
                case_number: change.case_number.to_owned(),
                filing_number: change.filing_number.to_owned(),
                new_login_email: change.new_login_email.to_owned(),
            })
            .await?;
        Ok(())
    }

    /// The claimed subject enters the account (filing-registry adopts it); idempotent on
    /// the case number.
    pub async fn complete_claim(&self, claim: ClaimCompletion<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .complete_claim(legacy::CompleteClaimRequest {
                case_number: claim.case_number.to_owned(),
                filing_number: claim.filing_number.to_owned(),
                account_id: claim.account_id.to_owned(),
            })
            .await?;
        Ok(())
    }
}
