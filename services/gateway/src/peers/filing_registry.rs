//! filing-registry: who holds a domain's filing, and its contact.

use beian_platform::{
    client::PeerChannel,
    status::{ErrorReason, reason_of},
};
use beian_proto::filing_registry::v1::{
    self as pb, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
    filing_registry_service_client::FilingRegistryServiceClient,
};

use beian_platform::wire::enums::to_wire;

use super::answered;
use crate::{
    error::Error,
    model::{FilingFound, MaskedContact, client::Client},
    workflows::filing_password::Recover,
};

#[derive(Debug, Clone)]
pub struct FilingRegistry {
    public: FilingRegistryServiceClient<PeerChannel>,
    internal: FilingRegistryInternalServiceClient<PeerChannel>,
}

impl FilingRegistry {
    pub fn new(channel: PeerChannel) -> Self {
        Self {
            public: FilingRegistryServiceClient::new(channel.clone()),
            internal: FilingRegistryInternalServiceClient::new(channel),
        }
    }

    /// The current filing of a normalised domain, if any.
    pub async fn find_filing(&self, domain: &str) -> Result<Option<FilingFound>, Error> {
        let reply = self
            .public
            .clone()
            .find_filing_by_domain(pb::FindFilingByDomainRequest { domain: domain.to_owned() })
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

    /// The filing principal's mobile (in the clear: it never leaves the gateway, nor is it stored).
    pub async fn filing_mobile(&self, domain: &str) -> Result<String, Error> {
        let reply = self
            .internal
            .clone()
            .get_filing_contact(pb::GetFilingContactRequest { domain: domain.to_owned() })
            .await?
            .into_inner();
        Ok(reply.principal_mobile)
    }

    /// Issues a new filing password to the principal if the details match. Idempotent
    /// on `request_id`: a retry answers the first issue and sends nothing again.
    pub async fn recover_filing_password(
        &self,
        request: &Recover,
        request_id: &str,
        client: &Client,
    ) -> Result<Vec<MaskedContact>, Error> {
        let reply = self
            .public
            .clone()
            .recover_filing_password(pb::RecoverFilingPasswordRequest {
                province_code: request.province_code.clone(),
                filing_number: request.filing_number.clone(),
                certificate_type: to_wire(request.certificate_type),
                certificate_number: request.certificate_number.clone(),
                locale: client.locale.as_str().to_owned(),
                request_id: request_id.to_owned(),
                client_address: client.ip.to_string(),
            })
            .await?
            .into_inner();
        reply
            .sent_to
            .into_iter()
            .map(|contact| {
                Ok(MaskedContact {
                    channel: answered("channel", contact.channel)?,
                    masked: contact.masked_destination,
                })
            })
            .collect()
    }
}
