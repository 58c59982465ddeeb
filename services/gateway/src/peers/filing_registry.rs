//! filing-registry: who holds a domain's filing, and its contact; an account's subject
//! and its transfer.

use beian_platform::{
    client::PeerChannel,
    status::{ErrorReason, reason_of},
};
use beian_proto::filing_registry::v1::{
    self as pb, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
    filing_registry_service_client::FilingRegistryServiceClient,
};

use beian_platform::wire::{enums::to_wire, millis};

use super::answered;
use crate::{
    error::Error,
    model::{FilingFound, MaskedContact, client::Client, transfer::HeldFiling},
    workflows::filing_password::Recover,
};

#[derive(Debug, Clone)]
pub struct FilingRegistry {
    public: FilingRegistryServiceClient<PeerChannel>,
    internal: FilingRegistryInternalServiceClient<PeerChannel>,
}

/// What moving a subject needs. No `Debug`: the proof is a secret.
pub struct Transfer<'a> {
    pub from_account_id: &'a str,
    pub to_account_id: &'a str,
    pub proof: &'a str,
    /// Names the transfer (the flow id): a retry changes nothing twice.
    pub request_id: &'a str,
    pub client: &'a Client,
}

impl FilingRegistry {
    /// The subject an account holds; NO_SUBJECT_HELD (passed on) if none.
    pub async fn held_filing(&self, account_id: &str) -> Result<HeldFiling, Error> {
        let subject = self
            .public
            .clone()
            .get_held_subject(pb::GetHeldSubjectRequest { account_id: account_id.to_owned() })
            .await?
            .into_inner()
            .subject
            .ok_or_else(|| Error::internal("filing-registry answered no subject"))?;
        Ok(HeldFiling { filing_number: subject.filing_number, order_in_progress: subject.order_in_progress })
    }

    /// Moves the holder's subject to the target at once; answers when (unix ms).
    pub async fn transfer_subject(&self, transfer: Transfer<'_>) -> Result<i64, Error> {
        let change = self
            .public
            .clone()
            .transfer_subject(pb::TransferSubjectRequest {
                from_account_id: transfer.from_account_id.to_owned(),
                to_account_id: transfer.to_account_id.to_owned(),
                proof: transfer.proof.to_owned(),
                reason: "online transfer".to_owned(),
                request_id: transfer.request_id.to_owned(),
                locale: transfer.client.locale.as_str().to_owned(),
            })
            .await?
            .into_inner()
            .change
            .ok_or_else(|| Error::internal("filing-registry answered no change"))?;
        Ok(change.change_time.as_ref().map_or(0, millis))
    }

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
