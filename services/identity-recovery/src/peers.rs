//! The other services identity-recovery calls, through generated clients over traced,
//! credentialed channels. Their answers become domain types here; a refusal meant for
//! the user passes through, an outage becomes DEPENDENCY_UNAVAILABLE (see `Error`).

use std::time::Duration;

pub use beian_common::vocabulary::Channel;
use beian_common::vocabulary::Purpose;
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{PeerSettings, Secret},
    wire::enums::to_wire,
};
use beian_proto::verification_codes::v1::{
    self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
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
    /// "Your login name is {login_name}" (SPEC §1): the one template this service sends today.
    pub login_name: &'a str,
}

/// verification-codes' internal API: proofs and the outbox.
#[derive(Debug, Clone)]
pub struct VerificationCodes {
    client: VerificationCodesInternalServiceClient<PeerChannel>,
}

impl VerificationCodes {
    /// Connects lazily, so verification-codes may start after this service.
    pub fn connect(settings: &PeerSettings, token: &Secret) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = peer_channel(&settings.verification_codes, timeout, token)?;
        Ok(Self { client: VerificationCodesInternalServiceClient::new(channel) })
    }

    /// Redeems an ACCOUNT_LOOKUP proof for the code sent to `destination`. Idempotent on
    /// `redemption_key`: the retry of one lookup succeeds again, another use is refused.
    pub async fn redeem_lookup_proof(
        &self,
        proof: &str,
        destination: &str,
        redemption_key: &str,
    ) -> Result<(), Error> {
        self.client
            .clone()
            .redeem_proof(codes::RedeemProofRequest {
                proof: proof.to_owned(),
                purpose: to_wire(Purpose::AccountLookup),
                destination: destination.to_owned(),
                redemption_key: redemption_key.to_owned(),
            })
            .await?;
        Ok(())
    }

    /// Queues a notice in the outbox; idempotent on its key.
    pub async fn enqueue_login_name(&self, notice: Notice<'_>) -> Result<(), Error> {
        self.client
            .clone()
            .enqueue_notice(codes::EnqueueNoticeRequest {
                idempotency_key: notice.idempotency_key,
                channel: to_wire(notice.channel),
                destination: notice.destination.to_owned(),
                template: codes::NoticeTemplate::LoginName as i32,
                locale: notice.locale.as_str().to_owned(),
                params: [("login_name".to_owned(), notice.login_name.to_owned())].into(),
            })
            .await?;
        Ok(())
    }

    /// Queues "your account {masked_login_name} was locked" in the outbox; idempotent on `key`.
    pub async fn enqueue_account_locked(
        &self,
        key: String,
        channel: Channel,
        destination: &str,
        locale: Locale,
        masked_login_name: &str,
    ) -> Result<(), Error> {
        self.client
            .clone()
            .enqueue_notice(codes::EnqueueNoticeRequest {
                idempotency_key: key,
                channel: to_wire(channel),
                destination: destination.to_owned(),
                template: codes::NoticeTemplate::AccountLocked as i32,
                locale: locale.as_str().to_owned(),
                params: [("masked_login_name".to_owned(), masked_login_name.to_owned())].into(),
            })
            .await?;
        Ok(())
    }
}
