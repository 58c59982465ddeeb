//! identity-recovery: logins and sessions, the lookup's last step, review cases.

use beian_common::{
    locale::Locale,
    vocabulary::{Channel, ReviewState},
};
use beian_platform::{
    client::PeerChannel,
    status::{ErrorReason, reason_of},
    wire::{enums::to_wire, millis},
};
use beian_proto::{
    common::v1 as common,
    identity_recovery::v1::{
        self as pb, identity_recovery_internal_service_client::IdentityRecoveryInternalServiceClient,
        identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
};

use super::answered;
use crate::{
    error::Error,
    model::{
        LookupDone, MaskedContact,
        account::{
            AccountContacts, AccountView, Credentials, LoggedIn, NewPassword, ResetTarget, SessionToken,
        },
        client::Client,
        reviews::{
            Application, AuditAction, AuditEntry, ClaimDetails, Decision, DocumentRef, FilingDetails,
            LegacyLoginDetails, MAX_APPLICATION_BYTES, QueuePage, QueueQuery, ReviewTicket, StaffCase,
            StoredDocument, TransferDetails,
        },
    },
};

#[derive(Debug, Clone)]
pub struct IdentityRecovery {
    client: IdentityRecoveryServiceClient<PeerChannel>,
    internal: IdentityRecoveryInternalServiceClient<PeerChannel>,
}

/// What setting a new password needs. No `Debug`: proof and password are secrets.
pub struct ResetPassword<'a> {
    pub account_id: &'a str,
    pub proof: &'a str,
    /// The channel the code went to.
    pub channel: Channel,
    pub new_password: &'a NewPassword,
    /// Names the reset (the flow id): a retry changes nothing twice.
    pub request_id: &'a str,
    pub locale: Locale,
}

/// What completing a lookup needs.
#[derive(Debug, Clone, Copy)]
pub struct CompleteLookup<'a> {
    pub proof: &'a str,
    pub account_id: &'a str,
    /// The filing's mobile the code went to (never logged).
    pub destination: &'a str,
    /// Names the lookup: a retry sends nothing twice.
    pub request_id: &'a str,
    pub locale: Locale,
}

impl IdentityRecovery {
    pub fn new(channel: PeerChannel) -> Self {
        // documents travel through: up to the largest application, both ways
        Self {
            internal: IdentityRecoveryInternalServiceClient::new(channel.clone()),
            client: IdentityRecoveryServiceClient::new(channel)
                .max_encoding_message_size(MAX_APPLICATION_BYTES)
                .max_decoding_message_size(MAX_APPLICATION_BYTES),
        }
    }

    pub async fn login(&self, credentials: Credentials, client: &Client) -> Result<LoggedIn, Error> {
        let reply = self
            .client
            .clone()
            .login(pb::LoginRequest {
                login_name: credentials.login_name,
                password: credentials.password,
                client_ip: client.ip.to_string(),
                locale: client.locale.as_str().to_owned(),
            })
            .await?
            .into_inner();
        Ok(LoggedIn {
            session_token: SessionToken::new(reply.session_token),
            expires_at_ms: reply.expire_time.as_ref().map_or(0, millis),
            account: account_view(reply.account)?,
        })
    }

    pub async fn logout(&self, session: &SessionToken) -> Result<(), Error> {
        self.client.clone().logout(pb::LogoutRequest { session_token: session.expose().to_owned() }).await?;
        Ok(())
    }

    pub async fn resolve_session(&self, session: &SessionToken) -> Result<AccountView, Error> {
        let reply = self
            .client
            .clone()
            .resolve_session(pb::ResolveSessionRequest { session_token: session.expose().to_owned() })
            .await
            .map_err(|status| match reason_of(&status) {
                Some(ErrorReason::SessionRequired) => Error::SessionRequired,
                _ => Error::from(status),
            })?
            .into_inner();
        account_view(reply.account)
    }

    /// The account a password reset is for, with its contacts masked; None when no account
    /// has that login name.
    pub async fn find_reset_target(&self, login_name: &str) -> Result<Option<ResetTarget>, Error> {
        let found = self
            .client
            .clone()
            .find_account(pb::FindAccountRequest { login_name: login_name.to_owned() })
            .await;
        let summary = match found {
            Ok(reply) => reply.into_inner().account,
            Err(status) if reason_of(&status) == Some(ErrorReason::AccountNotFound) => return Ok(None),
            Err(status) => return Err(status.into()),
        };
        let summary = summary.ok_or_else(|| Error::internal("identity-recovery answered no account"))?;
        let contacts = [(Channel::Sms, summary.masked_mobile), (Channel::Email, summary.masked_email)]
            .into_iter()
            .filter(|(_, masked)| !masked.is_empty())
            .map(|(channel, masked)| MaskedContact { channel, masked })
            .collect();
        Ok(Some(ResetTarget { account_id: summary.account_id, contacts }))
    }

    /// The account of a login name, masked; None when no account has it.
    pub async fn find_account(&self, login_name: &str) -> Result<Option<AccountView>, Error> {
        let found = self
            .client
            .clone()
            .find_account(pb::FindAccountRequest { login_name: login_name.to_owned() })
            .await;
        match found {
            Ok(reply) => account_view(reply.into_inner().account).map(Some),
            Err(status) if reason_of(&status) == Some(ErrorReason::AccountNotFound) => Ok(None),
            Err(status) => Err(status.into()),
        }
    }

    /// An account's full mobile and email, for sending it a code (never stored in a flow).
    pub async fn account_contacts(&self, account_id: &str) -> Result<AccountContacts, Error> {
        let reply = self
            .internal
            .clone()
            .get_account_contacts(pb::GetAccountContactsRequest { account_id: account_id.to_owned() })
            .await?
            .into_inner();
        Ok(AccountContacts { mobile: reply.mobile, email: reply.email })
    }

    /// Sets the new password; answers where the "password changed" notice went.
    pub async fn reset_password(&self, request: ResetPassword<'_>) -> Result<Vec<MaskedContact>, Error> {
        let reply = self
            .client
            .clone()
            .reset_password(pb::ResetPasswordRequest {
                account_id: request.account_id.to_owned(),
                proof: request.proof.to_owned(),
                new_password: request.new_password.expose().to_owned(),
                channel: to_wire(request.channel),
                request_id: request.request_id.to_owned(),
                locale: request.locale.as_str().to_owned(),
            })
            .await?
            .into_inner();
        reply.notified.into_iter().map(masked_contact).collect()
    }

    pub async fn complete_account_lookup(&self, request: CompleteLookup<'_>) -> Result<LookupDone, Error> {
        let reply = self
            .client
            .clone()
            .complete_account_lookup(pb::CompleteAccountLookupRequest {
                proof: request.proof.to_owned(),
                account_id: request.account_id.to_owned(),
                locale: request.locale.as_str().to_owned(),
                destination: request.destination.to_owned(),
                request_id: request.request_id.to_owned(),
            })
            .await?
            .into_inner();
        Ok(LookupDone {
            masked_login_name: reply.masked_login_name,
            sent_to: reply.sent_to.into_iter().map(masked_contact).collect::<Result<_, _>>()?,
        })
    }

    /// Opens a case, idempotent on `request_id`. A pending duplicate answers
    /// REVIEW_CASE_ALREADY_OPEN, never its number.
    pub async fn open_review_case(
        &self,
        request_id: &str,
        application: Application,
        locale: Locale,
    ) -> Result<ReviewTicket, Error> {
        let applicant = application.applicant;
        let reply = self
            .client
            .clone()
            .open_review_case(pb::OpenReviewCaseRequest {
                kind: to_wire(application.kind),
                applicant: Some(common::Applicant {
                    name: applicant.name,
                    certificate_type: applicant.certificate_type.map_or(0, to_wire),
                    certificate_number: applicant.certificate_number,
                    mobile: applicant.mobile,
                    email: applicant.email,
                }),
                subject: Some(review_subject(
                    application.domain,
                    application.holder_account_id,
                    application.description,
                    application.filing,
                    application.transfer,
                    application.claim,
                    application.legacy_login,
                )),
                documents: application
                    .documents
                    .into_iter()
                    .map(|d| common::Document {
                        kind: to_wire(d.kind),
                        content_type: d.content_type.as_str().to_owned(),
                        content: d.content,
                    })
                    .collect(),
                locale: locale.as_str().to_owned(),
                request_id: request_id.to_owned(),
            })
            .await
            .map_err(|status| match reason_of(&status) {
                Some(ErrorReason::ReviewCaseAlreadyOpen) => Error::ReviewCaseAlreadyOpen,
                _ => Error::from(status),
            })?
            .into_inner();
        let case = reply.review_case.ok_or_else(|| Error::internal("identity-recovery answered no case"))?;
        ticket(&case)
    }

    pub async fn list_review_cases(&self, query: QueueQuery) -> Result<QueuePage, Error> {
        let reply = self
            .client
            .clone()
            .list_review_cases(pb::ListReviewCasesRequest {
                kind: query.kind.map_or(0, to_wire),
                state: query.state.map_or(0, to_wire),
                page_size: query.page_size,
                page_token: query.page_token,
                overdue_only: query.overdue_only,
            })
            .await?
            .into_inner();
        Ok(QueuePage {
            cases: reply.review_cases.into_iter().map(staff_case).collect::<Result<_, _>>()?,
            next_page_token: reply.next_page_token,
        })
    }

    /// One case; the view is recorded under `staff_id`.
    pub async fn get_review_case(&self, case_number: &str, staff_id: &str) -> Result<StaffCase, Error> {
        let reply = self
            .client
            .clone()
            .get_review_case(pb::GetReviewCaseRequest {
                case_number: case_number.to_owned(),
                staff_id: staff_id.to_owned(),
            })
            .await?
            .into_inner();
        staff_case(reply.review_case.ok_or_else(|| Error::internal("identity-recovery answered no case"))?)
    }

    /// One document's bytes; the view is recorded under `staff_id`.
    pub async fn get_review_document(
        &self,
        case_number: &str,
        document_id: &str,
        staff_id: &str,
    ) -> Result<StoredDocument, Error> {
        let reply = self
            .client
            .clone()
            .get_review_document(pb::GetReviewDocumentRequest {
                case_number: case_number.to_owned(),
                document_id: document_id.to_owned(),
                staff_id: staff_id.to_owned(),
            })
            .await?
            .into_inner();
        let document =
            reply.document.ok_or_else(|| Error::internal("identity-recovery answered no document"))?;
        Ok(StoredDocument {
            kind: answered("document kind", document.kind)?,
            content_type: document.content_type,
            content: document.content,
        })
    }
}

impl IdentityRecovery {
    /// Approves or rejects; REVIEW_CASE_ALREADY_DECIDED passes through unchanged.
    pub async fn decide_review_case(&self, decision: Decision, staff_id: &str) -> Result<StaffCase, Error> {
        let reply = self
            .client
            .clone()
            .decide_review_case(pb::DecideReviewCaseRequest {
                case_number: decision.case_number,
                staff_id: staff_id.to_owned(),
                approve: decision.approve,
                note: decision.note,
            })
            .await?
            .into_inner();
        staff_case(reply.review_case.ok_or_else(|| Error::internal("identity-recovery answered no case"))?)
    }

    pub async fn list_review_audit(&self, case_number: &str) -> Result<Vec<AuditEntry>, Error> {
        let reply = self
            .client
            .clone()
            .list_review_audit(pb::ListReviewAuditRequest { case_number: case_number.to_owned() })
            .await?
            .into_inner();
        reply
            .entries
            .into_iter()
            .map(|entry| {
                let action = match pb::ReviewAuditAction::try_from(entry.action) {
                    Ok(pb::ReviewAuditAction::ViewCase) => AuditAction::ViewCase,
                    Ok(pb::ReviewAuditAction::ViewDocument) => AuditAction::ViewDocument,
                    Ok(pb::ReviewAuditAction::Approve) => AuditAction::Approve,
                    Ok(pb::ReviewAuditAction::Reject) => AuditAction::Reject,
                    Ok(pb::ReviewAuditAction::EffectApplied) => AuditAction::EffectApplied,
                    _ => {
                        return Err(Error::internal(format!(
                            "a peer answered audit action {}",
                            entry.action
                        )));
                    }
                };
                Ok(AuditEntry {
                    at_ms: entry.time.as_ref().map_or(0, millis),
                    actor: entry.actor,
                    action,
                    document_id: entry.document_id,
                    note: entry.note,
                })
            })
            .collect()
    }

    /// A case for its applicant; a wrong mobile is REVIEW_CASE_NOT_FOUND like an unknown case.
    pub async fn get_review_status(
        &self,
        case_number: &str,
        applicant_mobile: &str,
    ) -> Result<ReviewTicket, Error> {
        let reply = self
            .client
            .clone()
            .get_review_status(pb::GetReviewStatusRequest {
                case_number: case_number.to_owned(),
                applicant_mobile: applicant_mobile.to_owned(),
            })
            .await?
            .into_inner();
        let status = reply.status.ok_or_else(|| Error::internal("identity-recovery answered no status"))?;
        let state = answered("review state", status.state)?;
        Ok(ReviewTicket {
            case_number: status.case_number,
            kind: answered("review kind", status.kind)?,
            state,
            submitted_at_ms: status.submit_time.as_ref().map_or(0, millis),
            deadline_at_ms: status.deadline.as_ref().map_or(0, millis),
            rejection_note: (state == ReviewState::Rejected).then_some(status.rejection_note),
            failure_reason: failure_reason(status.failure_reason),
        })
    }
}

/// What the case is about: the fields the application has, the rest unset.
fn review_subject(
    domain: String,
    holder_account_id: Option<String>,
    description: String,
    filing: Option<FilingDetails>,
    transfer: Option<TransferDetails>,
    claim: Option<ClaimDetails>,
    legacy_login: Option<LegacyLoginDetails>,
) -> pb::ReviewSubject {
    let mut subject = pb::ReviewSubject {
        domain,
        account_id: holder_account_id.unwrap_or_default(),
        description,
        ..pb::ReviewSubject::default()
    };
    if let Some(filing) = filing {
        subject.filing_number = filing.filing_number;
        subject.region =
            Some(common::Region { province_code: filing.province_code, ..common::Region::default() });
        subject.certificate_type = to_wire(filing.certificate_type);
        subject.certificate_number = filing.certificate_number;
    }
    if let Some(transfer) = transfer {
        subject.filing_number = transfer.filing_number;
        subject.nature = to_wire(transfer.nature);
        subject.target_account_id = transfer.target_account_id;
    }
    if let Some(claim) = claim {
        subject.filing_number = claim.filing_number;
        subject.nature = to_wire(claim.nature);
        subject.region = Some(common::Region {
            province_code: claim.region.province_code,
            city_code: claim.region.city_code,
            district_code: claim.region.district_code,
        });
        subject.certificate_type = to_wire(claim.certificate_type);
        subject.certificate_number = claim.certificate_number;
    }
    if let Some(legacy) = legacy_login {
        let region = subject.region.get_or_insert_with(common::Region::default);
        region.city_code = legacy.city_code;
        region.district_code = legacy.district_code;
        subject.nature = to_wire(legacy.nature);
        subject.new_login_email = legacy.new_login_email;
        subject.applicant_is_principal = legacy.applicant_is_principal;
    }
    subject
}

/// A completed case's failure reason; unset (or one this build does not know) is none.
fn failure_reason(wire: i32) -> Option<ErrorReason> {
    ErrorReason::try_from(wire).ok().filter(|reason| *reason != ErrorReason::Unspecified)
}

fn masked_contact(contact: common::MaskedContact) -> Result<MaskedContact, Error> {
    Ok(MaskedContact { channel: answered("channel", contact.channel)?, masked: contact.masked_destination })
}

fn account_view(summary: Option<pb::AccountSummary>) -> Result<AccountView, Error> {
    let summary = summary.ok_or_else(|| Error::internal("identity-recovery answered no account"))?;
    Ok(AccountView {
        account_id: summary.account_id,
        masked_login_name: summary.masked_login_name,
        site: answered("site", summary.site)?,
        masked_mobile: summary.masked_mobile,
        masked_email: summary.masked_email,
        staff: summary.staff,
    })
}

/// A case as its applicant sees it: staff's note only on a rejection.
fn ticket(case: &pb::ReviewCase) -> Result<ReviewTicket, Error> {
    let state = answered("review state", case.state)?;
    Ok(ReviewTicket {
        case_number: case.case_number.clone(),
        kind: answered("review kind", case.kind)?,
        state,
        submitted_at_ms: case.submit_time.as_ref().map_or(0, millis),
        deadline_at_ms: case.deadline.as_ref().map_or(0, millis),
        rejection_note: (state == ReviewState::Rejected).then(|| case.decision_note.clone()),
        failure_reason: failure_reason(case.failure_reason),
    })
}

fn staff_case(case: pb::ReviewCase) -> Result<StaffCase, Error> {
    let ticket = ticket(&case)?;
    let subject = case.subject.unwrap_or_default();
    Ok(StaffCase {
        ticket,
        masked_applicant_name: case.masked_applicant_name,
        masked_applicant_mobile: case.masked_applicant_mobile,
        masked_applicant_email: case.masked_applicant_email,
        masked_certificate_number: case.masked_certificate_number,
        domain: subject.domain,
        filing_number: subject.filing_number,
        masked_new_login_email: subject.new_login_email,
        description: subject.description,
        documents: case
            .documents
            .into_iter()
            .map(|d| {
                Ok(DocumentRef {
                    document_id: d.document_id,
                    kind: answered("document kind", d.kind)?,
                    content_type: d.content_type,
                    size_bytes: d.size_bytes,
                })
            })
            .collect::<Result<_, Error>>()?,
        decided_by: case.decided_by,
        decided_at_ms: case.decide_time.as_ref().map(millis),
        overdue: case.overdue,
    })
}
