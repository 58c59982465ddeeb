//! The services filing-registry calls: verification-codes (its outbox takes the notices
//! that carry new filing passwords, order decisions and transfers; it redeems the proofs of
//! cancel-access, filing-change and transfer codes) and identity-recovery (the accounts on
//! both sides of a transfer, the holder's mobile a cancel-access code went to).

use std::{collections::BTreeMap, time::Duration};

use beian_common::vocabulary::{Channel, Purpose, Site};
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{HostSettings, PeerSettings},
    error::Common,
    status::{ErrorReason, reason_of},
    wire::enums::{required, to_wire},
};
use beian_proto::{
    identity_recovery::v1::{
        self as identity, identity_recovery_internal_service_client::IdentityRecoveryInternalServiceClient,
    },
    verification_codes::v1::{
        self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
    },
};

use crate::error::Error;

/// A notice to hand over. No `Debug`: destination and parameters are personal data.
pub struct Notice<'a> {
    /// Same key, same message: verification-codes never sends a key twice.
    pub idempotency_key: &'a str,
    pub channel: Channel,
    pub destination: &'a str,
    pub template: codes::NoticeTemplate,
    pub locale: &'a str,
    pub params: BTreeMap<String, String>,
}

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

    /// Redeems a code's proof for `purpose` (and, if given, the destination the code went
    /// to); a retry under the same key succeeds again.
    pub async fn redeem_proof(
        &self,
        proof: &str,
        purpose: Purpose,
        destination: Option<&str>,
        redemption_key: &str,
    ) -> Result<(), Error> {
        self.client
            .clone()
            .redeem_proof(codes::RedeemProofRequest {
                proof: proof.to_owned(),
                purpose: to_wire(purpose),
                destination: destination.unwrap_or_default().to_owned(),
                redemption_key: redemption_key.to_owned(),
                notices: Vec::new(),
            })
            .await?;
        Ok(())
    }

    /// Queues a notice in verification-codes' outbox; idempotent on its key.
    pub async fn enqueue_notice(&self, notice: Notice<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .enqueue_notice(codes::EnqueueNoticeRequest {
                idempotency_key: notice.idempotency_key.to_owned(),
                channel: to_wire(notice.channel),
                destination: notice.destination.to_owned(),
                template: notice.template as i32,
                locale: notice.locale.to_owned(),
                params: notice.params.into_iter().collect(),
            })
            .await?;
        Ok(())
    }
}

/// An account as a transfer needs it. No `Debug`: login name and mobile in the clear.
pub struct Account {
    pub account_id: String,
    pub login_name: String,
    pub site: Site,
    pub mobile: String,
}

#[derive(Debug, Clone)]
pub struct IdentityRecovery {
    client: IdentityRecoveryInternalServiceClient<PeerChannel>,
}

impl IdentityRecovery {
    /// Connects lazily, so identity-recovery may start after this service.
    pub fn connect(settings: &PeerSettings, host: &HostSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel =
            peer_channel(&settings.identity_recovery, timeout, &host.internal_token, &host.metrics)?;
        Ok(Self { client: IdentityRecoveryInternalServiceClient::new(channel) })
    }

    /// The account, or None if identity-recovery knows no such account.
    pub async fn account(&self, account_id: &str) -> Result<Option<Account>, Error> {
        let answer = self
            .client
            .clone()
            .get_account_contacts(identity::GetAccountContactsRequest { account_id: account_id.to_owned() })
            .await;
        let account = match answer {
            Ok(answer) => answer.into_inner(),
            Err(status) if reason_of(&status) == Some(ErrorReason::AccountNotFound) => return Ok(None),
            Err(status) => return Err(Common::from_peer(status).into()),
        };
        let site = required("site", account.site)
            .map_err(|_| Error::internal(format!("identity-recovery answered site {}", account.site)))?;
        Ok(Some(Account {
            account_id: account.account_id,
            login_name: account.login_name,
            site,
            mobile: account.mobile,
        }))
    }
}
