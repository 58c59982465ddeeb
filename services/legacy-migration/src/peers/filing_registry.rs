//! filing-registry, as legacy-migration's saga reaches it.

use std::time::Duration;

use beian_common::vocabulary::{CertificateType, Nature};
use beian_platform::{
    client::{PeerChannel, peer_channel},
    config::{HostSettings, PeerSettings},
    wire::enums::to_wire,
};
use beian_proto::{
    common::v1 as common,
    filing_registry::v1::{
        self as registry, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
    },
};

use crate::{error::Error, legacy::store::LegacySubject, saga::Kind};

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

    /// Whether the account holds a subject on the current platform.
    pub async fn holds_subject(&self, account_id: &str) -> Result<bool, Error> {
        let reply = self
            .client
            .clone()
            .get_account_filing_state(registry::GetAccountFilingStateRequest {
                account_id: account_id.to_owned(),
            })
            .await?;
        Ok(reply.into_inner().holds_subject)
    }

    /// The legacy subject with its websites enters the account; idempotent on the
    /// migration id. Answers the subject id.
    pub async fn adopt(
        &self,
        migration_id: &str,
        account_id: &str,
        subject: &LegacySubject,
        kind: Kind,
    ) -> Result<String, Error> {
        let nature = Nature::parse(&subject.nature)
            .ok_or_else(|| Error::internal(format!("stored nature {:?}", subject.nature)))?;
        let certificate_type = CertificateType::parse(&subject.certificate_type).ok_or_else(|| {
            Error::internal(format!("stored certificate type {:?}", subject.certificate_type))
        })?;
        let [province_code, city_code, district_code] = subject.region.clone();
        let reply = self
            .client
            .clone()
            .adopt_legacy_subject(registry::AdoptLegacySubjectRequest {
                migration_id: migration_id.to_owned(),
                account_id: account_id.to_owned(),
                subject: Some(registry::LegacySubject {
                    filing_number: subject.filing_number.clone(),
                    name: subject.name.clone(),
                    nature: to_wire(nature),
                    region: Some(common::Region { province_code, city_code, district_code }),
                    certificate_type: to_wire(certificate_type),
                    certificate_number: subject.certificate_number.clone(),
                    principal_name: subject.principal_name.clone(),
                    principal_mobile: subject.principal_mobile.clone(),
                    principal_email: subject.principal_email.clone(),
                    websites: subject
                        .websites
                        .iter()
                        .map(|website| registry::LegacyWebsite {
                            website_number: website.website_number.clone(),
                            name: website.name.clone(),
                            domains: website.domains.clone(),
                            principal_name: String::new(),
                            principal_mobile: String::new(),
                        })
                        .collect(),
                }),
                reason: match kind {
                    Kind::Import => "import",
                    Kind::Claim => "claim",
                }
                .to_owned(),
            })
            .await?;
        Ok(reply.into_inner().subject_id)
    }
}
