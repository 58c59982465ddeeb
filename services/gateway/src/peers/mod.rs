//! The other services, as the gateway reaches them: one client type per service,
//! over traced, credentialed channels. Each builds its service's request messages
//! and answers the gateway's own model values; generated types stop here.

mod filing_registry;
mod identity_recovery;
mod legacy_migration;
mod verification_codes;

use std::time::Duration;

use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{HostSettings, PeerSettings},
    wire::enums::WireEnum,
};

use crate::error::Error;

pub use self::{
    filing_registry::{FilingRegistry, Transfer},
    identity_recovery::{CompleteLookup, IdentityRecovery, ResetPassword},
    legacy_migration::{LegacyMigration, LegacyPasswordReset},
    verification_codes::VerificationCodes,
};

/// A client of every service the gateway composes.
#[derive(Debug, Clone)]
pub struct Peers {
    pub identity_recovery: IdentityRecovery,
    pub verification_codes: VerificationCodes,
    pub filing_registry: FilingRegistry,
    pub legacy_migration: LegacyMigration,
}

impl Peers {
    pub fn connect(settings: &PeerSettings, host: &HostSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let channel = |url: &str| -> anyhow::Result<PeerChannel> {
            peer_channel(url, timeout, &host.internal_token, &host.metrics)
        };
        Ok(Self {
            identity_recovery: IdentityRecovery::new(channel(&settings.identity_recovery)?),
            verification_codes: VerificationCodes::new(channel(&settings.verification_codes)?),
            filing_registry: FilingRegistry::new(channel(&settings.filing_registry)?),
            legacy_migration: LegacyMigration::new(channel(&settings.legacy_migration)?),
        })
    }
}

/// A region as every peer's contract carries it.
fn region_to_wire(region: &crate::model::new_filing::Region) -> beian_proto::common::v1::Region {
    beian_proto::common::v1::Region {
        province_code: region.province_code.clone(),
        city_code: region.city_code.clone(),
        district_code: region.district_code.clone(),
    }
}

/// An enumeration a peer answered. One the contract lacks (or UNSPECIFIED where a
/// value is due) is a bug between the services, not the caller's: INTERNAL.
fn answered<T: WireEnum>(what: &str, value: i32) -> Result<T, Error> {
    T::from_wire(value).ok_or_else(|| Error::internal(format!("a peer answered {what} {value}")))
}
