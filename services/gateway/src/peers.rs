//! The other services, as the gateway reaches them: generated clients over
//! traced, credentialed channels. Their answers become domain types here.

use std::time::Duration;

use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{PeerSettings, Secret},
    status::{ErrorReason, reason_of},
};
use beian_proto::{
    common::v1 as common,
    filing_registry::v1::{
        self as registry, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
        filing_registry_service_client::FilingRegistryServiceClient,
    },
    identity_recovery::v1::{
        self as identity, identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
    legacy_migration::v1::{self as legacy, legacy_migration_service_client::LegacyMigrationServiceClient},
    verification_codes::v1::{
        self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
        verification_codes_service_client::VerificationCodesServiceClient,
    },
};
use prost_types::Timestamp;

use crate::{
    account::{AccountView, LoggedIn, Site},
    context::Client,
    error::Error,
    model::{
        Channel, CodePurpose, CodeSent, FilingFound, HumanAnswer, HumanChallenge, HumanPass, LegacyAction,
        LegacyStatus, LookupDone, MaskedContact,
    },
};

/// Clients of every service the gateway composes.
#[derive(Debug, Clone)]
pub struct Peers {
    pub(crate) identity_recovery: IdentityRecoveryServiceClient<PeerChannel>,
    verification_codes: VerificationCodesServiceClient<PeerChannel>,
    verification_codes_internal: VerificationCodesInternalServiceClient<PeerChannel>,
    filing_registry: FilingRegistryServiceClient<PeerChannel>,
    filing_registry_internal: FilingRegistryInternalServiceClient<PeerChannel>,
    legacy_migration: LegacyMigrationServiceClient<PeerChannel>,
}

impl Peers {
    pub fn connect(settings: &PeerSettings, token: &Secret) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = |url: &str| peer_channel(url, timeout, token);
        Ok(Self {
            // documents travel through: up to the gateway's own request limit, both ways
            identity_recovery: IdentityRecoveryServiceClient::new(channel(&settings.identity_recovery)?)
                .max_encoding_message_size(crate::grpc::MAX_REQUEST_BYTES)
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
            verification_codes: VerificationCodesServiceClient::new(channel(&settings.verification_codes)?),
            verification_codes_internal: VerificationCodesInternalServiceClient::new(channel(
                &settings.verification_codes,
            )?),
            filing_registry: FilingRegistryServiceClient::new(channel(&settings.filing_registry)?),
            filing_registry_internal: FilingRegistryInternalServiceClient::new(channel(
                &settings.filing_registry,
            )?),
            legacy_migration: LegacyMigrationServiceClient::new(channel(&settings.legacy_migration)?),
        })
    }

    pub async fn login(&self, login_name: &str, password: &str, client_ip: &str) -> Result<LoggedIn, Error> {
        let reply = self
            .identity_recovery
            .clone()
            .login(identity::LoginRequest {
                login_name: login_name.to_owned(),
                password: password.to_owned(),
                client_ip: client_ip.to_owned(),
            })
            .await?
            .into_inner();
        Ok(LoggedIn {
            session_token: reply.session_token,
            expires_at_ms: millis(reply.expire_time),
            account: account_view(reply.account)?,
        })
    }

    pub async fn logout(&self, session_token: &str) -> Result<(), Error> {
        self.identity_recovery
            .clone()
            .logout(identity::LogoutRequest { session_token: session_token.to_owned() })
            .await?;
        Ok(())
    }

    pub async fn resolve_session(&self, session_token: &str) -> Result<AccountView, Error> {
        let reply = self
            .identity_recovery
            .clone()
            .resolve_session(identity::ResolveSessionRequest { session_token: session_token.to_owned() })
            .await
            .map_err(|status| match reason_of(&status) {
                Some(ErrorReason::SessionRequired) => Error::SessionRequired,
                _ => Error::from(status),
            })?
            .into_inner();
        account_view(reply.account)
    }

    pub async fn create_human_check(&self, client: &Client) -> Result<HumanChallenge, Error> {
        let reply = self
            .verification_codes
            .clone()
            .create_human_check(codes::CreateHumanCheckRequest { client_ip: client.ip.clone() })
            .await?
            .into_inner();
        Ok(HumanChallenge {
            challenge_id: reply.challenge_id,
            background_png: reply.background_png,
            piece_png: reply.piece_png,
            piece_y: reply.piece_y,
            width: reply.width,
            height: reply.height,
            expires_at_ms: millis(reply.expire_time),
        })
    }

    pub async fn answer_human_check(&self, client: &Client, answer: HumanAnswer) -> Result<HumanPass, Error> {
        let answer = match answer {
            HumanAnswer::Slider { challenge_id, x, drag_millis } => {
                codes::answer_human_check_request::Answer::Slider(codes::SliderAnswer {
                    challenge_id,
                    x,
                    drag_millis,
                })
            }
            HumanAnswer::VendorToken(token) => codes::answer_human_check_request::Answer::VendorToken(token),
        };
        let reply = self
            .verification_codes
            .clone()
            .answer_human_check(codes::AnswerHumanCheckRequest {
                client_ip: client.ip.clone(),
                answer: Some(answer),
            })
            .await?
            .into_inner();
        Ok(HumanPass { token: reply.pass_token, expires_at_ms: millis(reply.expire_time) })
    }

    /// Spends a human-check pass; each passes one step once.
    pub async fn redeem_human_pass(&self, pass_token: &str) -> Result<(), Error> {
        self.verification_codes_internal
            .clone()
            .redeem_human_check_pass(codes::RedeemHumanCheckPassRequest { pass_token: pass_token.to_owned() })
            .await?;
        Ok(())
    }

    /// The current filing of a normalised domain, if any.
    pub async fn find_filing(&self, domain: &str) -> Result<Option<FilingFound>, Error> {
        let reply = self
            .filing_registry
            .clone()
            .find_filing_by_domain(registry::FindFilingByDomainRequest { domain: domain.to_owned() })
            .await;
        match reply {
            Ok(reply) => {
                let reply = reply.into_inner();
                Ok(Some(FilingFound {
                    holder_account_id: reply.holder_account_id,
                    masked_mobile: reply.masked_principal_mobile,
                }))
            }
            Err(status) if reason_of(&status) == Some(ErrorReason::DomainNotFiled) => Ok(None),
            Err(status) => Err(status.into()),
        }
    }

    /// The legacy filing of a normalised domain, if the legacy platform held it.
    pub async fn classify_legacy(&self, domain: &str) -> Result<Option<LegacyStatus>, Error> {
        let reply = self
            .legacy_migration
            .clone()
            .classify_domain(legacy::ClassifyDomainRequest { domain: domain.to_owned() })
            .await?
            .into_inner();
        if !reply.found {
            return Ok(None);
        }
        let action = match common::LegacyAction::try_from(reply.action) {
            Ok(common::LegacyAction::Claim) => LegacyAction::Claim,
            Ok(common::LegacyAction::Import) => LegacyAction::Import,
            Ok(common::LegacyAction::AlreadyMigrated) => LegacyAction::AlreadyMigrated,
            Ok(common::LegacyAction::MovedAway) => LegacyAction::MovedAway,
            Ok(common::LegacyAction::None) => LegacyAction::None,
            _ => return Err(Error::internal(format!("legacy action {}", reply.action))),
        };
        let date = reply.submitted_on.unwrap_or_default();
        Ok(Some(LegacyStatus { action, submitted_on: (date.year, date.month, date.day) }))
    }

    /// The filing principal's mobile (in the clear: it never leaves the gateway).
    pub async fn filing_mobile(&self, domain: &str) -> Result<String, Error> {
        let reply = self
            .filing_registry_internal
            .clone()
            .get_filing_contact(registry::GetFilingContactRequest { domain: domain.to_owned() })
            .await?
            .into_inner();
        Ok(reply.principal_mobile)
    }

    pub async fn send_sms_code(
        &self,
        mobile: &str,
        purpose: CodePurpose,
        client: &Client,
    ) -> Result<CodeSent, Error> {
        let reply = self
            .verification_codes
            .clone()
            .send_code(codes::SendCodeRequest {
                channel: common::Channel::Sms as i32,
                destination: mobile.to_owned(),
                purpose: match purpose {
                    CodePurpose::AccountLookup => common::Purpose::AccountLookup,
                } as i32,
                client_ip: client.ip.clone(),
                locale: client.locale.as_str().to_owned(),
                request_id: String::new(),
            })
            .await?
            .into_inner();
        Ok(CodeSent {
            code_id: reply.code_id,
            masked_destination: reply.masked_destination,
            expires_at_ms: millis(reply.expire_time),
            resend_at_ms: millis(reply.resend_time),
        })
    }

    /// Checks a code; answers the one-time proof.
    pub async fn check_code(&self, code_id: &str, code: &str, client: &Client) -> Result<String, Error> {
        let reply = self
            .verification_codes
            .clone()
            .check_code(codes::CheckCodeRequest {
                code_id: code_id.to_owned(),
                code: code.to_owned(),
                client_ip: client.ip.clone(),
                request_id: String::new(),
            })
            .await?
            .into_inner();
        Ok(reply.proof)
    }

    pub async fn complete_account_lookup(
        &self,
        request: CompleteLookup<'_>,
        client: &Client,
    ) -> Result<LookupDone, Error> {
        let reply = self
            .identity_recovery
            .clone()
            .complete_account_lookup(identity::CompleteAccountLookupRequest {
                proof: request.proof.to_owned(),
                account_id: request.account_id.to_owned(),
                locale: client.locale.as_str().to_owned(),
                destination: request.destination.to_owned(),
                request_id: request.request_id.to_owned(),
            })
            .await?
            .into_inner();
        Ok(LookupDone {
            masked_login_name: reply.masked_login_name,
            sent_to: reply.sent_to.into_iter().map(masked_contact).collect(),
        })
    }
}

/// What completing a lookup needs.
#[derive(Debug, Clone, Copy)]
pub struct CompleteLookup<'a> {
    pub proof: &'a str,
    pub account_id: &'a str,
    pub destination: &'a str,
    pub request_id: &'a str,
}

fn masked_contact(contact: common::MaskedContact) -> MaskedContact {
    MaskedContact {
        channel: if contact.channel == common::Channel::Email as i32 { Channel::Email } else { Channel::Sms },
        masked: contact.masked_destination,
    }
}

fn millis(time: Option<Timestamp>) -> i64 {
    time.map_or(0, |t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
}

fn account_view(summary: Option<identity::AccountSummary>) -> Result<AccountView, Error> {
    let summary = summary.ok_or_else(|| Error::internal("identity-recovery answered no account"))?;
    Ok(AccountView {
        masked_login_name: summary.masked_login_name,
        site: match common::Site::try_from(summary.site) {
            Ok(common::Site::Cn) => Site::Cn,
            Ok(common::Site::Intl) => Site::Intl,
            _ => return Err(Error::internal(format!("unknown site {}", summary.site))),
        },
        masked_mobile: summary.masked_mobile,
        masked_email: summary.masked_email,
        staff: summary.staff,
    })
}
