//! verification-codes, the one service filing-registry calls: its outbox takes the
//! notices that carry new filing passwords and order decisions; it redeems the proofs
//! of cancel-access and filing-change codes.

use std::{collections::BTreeMap, time::Duration};

use beian_common::vocabulary::{Channel, Purpose};
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{PeerSettings, Secret},
    wire::enums::to_wire,
};
use beian_proto::verification_codes::v1::{
    self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
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
    pub fn connect(settings: &PeerSettings, token: &Secret) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = peer_channel(&settings.verification_codes, timeout, token)?;
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
