//! verification-codes, whose proofs a legacy password reset redeems.

use std::time::Duration;

use beian_common::vocabulary::Purpose;
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{HostSettings, PeerSettings},
    wire::enums::to_wire,
};
use beian_proto::verification_codes::v1::{
    self as codes, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
};

use crate::error::Error;

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

    /// Redeems a LEGACY_PASSWORD_RESET proof of a code sent to `destination` (the legacy
    /// login's email). Idempotent on `redemption_key`: the same reset redeems again,
    /// nothing else can.
    pub async fn redeem_legacy_reset_proof(
        &self,
        proof: &str,
        destination: &str,
        redemption_key: &str,
    ) -> Result<(), Error> {
        self.client
            .clone()
            .redeem_proof(codes::RedeemProofRequest {
                proof: proof.to_owned(),
                purpose: to_wire(Purpose::LegacyPasswordReset),
                destination: destination.to_owned(),
                redemption_key: redemption_key.to_owned(),
                notices: Vec::new(),
            })
            .await?;
        Ok(())
    }
}
