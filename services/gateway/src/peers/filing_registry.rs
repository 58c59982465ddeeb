//! filing-registry: who holds a domain's filing, and its contact; the caller's own
//! filing, its orders and its transfer.

mod details;

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
    model::{
        FilingFound, MaskedContact,
        client::Client,
        filing::{MyFiling, MyOrder, MyWebsite, NewWebsite, OrderStarted, SubjectChange, WebsiteChange},
        transfer::{ChangeActor, HeldFiling, HistoryOf, HistoryPage, HistoryQuery, HolderChange},
    },
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

    /// A page of holder changes, oldest first.
    pub async fn holder_history(&self, query: HistoryQuery) -> Result<HistoryPage, Error> {
        let (filing_number, party_account_id) = match query.of {
            HistoryOf::FilingNumber(number) => (number, String::new()),
            HistoryOf::Party(account_id) => (String::new(), account_id),
        };
        let reply = self
            .public
            .clone()
            .list_holder_history(pb::ListHolderHistoryRequest {
                filing_number,
                party_account_id,
                page_size: query.page_size,
                page_token: query.page_token,
                ..Default::default()
            })
            .await?
            .into_inner();
        Ok(HistoryPage {
            changes: reply.changes.into_iter().map(holder_change).collect(),
            next_page_token: reply.next_page_token,
        })
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

    /// The subject an account holds, with its websites and order in progress.
    pub async fn held_subject(&self, account_id: &str) -> Result<MyFiling, Error> {
        let subject = self
            .public
            .clone()
            .get_held_subject(pb::GetHeldSubjectRequest { account_id: account_id.to_owned() })
            .await?
            .into_inner()
            .subject
            .ok_or_else(|| Error::internal("GetHeldSubject answered no subject"))?;
        let region = subject.region.unwrap_or_default();
        Ok(MyFiling {
            filing_number: subject.filing_number,
            name: subject.name,
            nature: answered("nature", subject.nature)?,
            province_code: region.province_code,
            city_code: region.city_code,
            district_code: region.district_code,
            masked_principal_mobile: subject.masked_principal_mobile,
            masked_principal_email: subject.masked_principal_email,
            websites: subject.websites.into_iter().map(website).collect::<Result<_, _>>()?,
            order_in_progress: subject.current_order.map(order).transpose()?,
            changes_need_sms: subject.changes_need_sms,
        })
    }

    /// Ends the account's order in progress; a retry answers the abandoned order.
    pub async fn abandon_order(&self, account_id: &str, order_number: &str) -> Result<MyOrder, Error> {
        let reply = self
            .public
            .clone()
            .abandon_order(pb::AbandonOrderRequest {
                account_id: account_id.to_owned(),
                order_number: order_number.to_owned(),
            })
            .await?;
        order(reply.into_inner().order.ok_or_else(|| Error::internal("AbandonOrder answered no order"))?)
    }

    /// Starts a cancel-access order: filing-registry checks the filing password (with its
    /// lock) and redeems the code's proof. A retry with `request_id` answers the same order.
    pub async fn cancel_access(
        &self,
        account_id: &str,
        website_number: &str,
        proof: &str,
        filing_password: &str,
        request_id: &str,
    ) -> Result<OrderStarted, Error> {
        let reply = self
            .public
            .clone()
            .cancel_access(pb::CancelAccessRequest {
                account_id: account_id.to_owned(),
                website_number: website_number.to_owned(),
                proof: proof.to_owned(),
                filing_password: filing_password.to_owned(),
                request_id: request_id.to_owned(),
            })
            .await?;
        let reply = reply.into_inner();
        Ok(OrderStarted {
            order: order(reply.order.ok_or_else(|| Error::internal("CancelAccess answered no order"))?)?,
            unapproved_tld_domains: reply.unapproved_tld_domains,
        })
    }

    /// Starts a CHANGE_WEBSITE order, applied when approved; `request_id` as for cancel access
    /// (empty: none).
    pub async fn change_website(
        &self,
        account_id: &str,
        change: WebsiteChange,
        request_id: &str,
    ) -> Result<MyOrder, Error> {
        self.create_order(pb::CreateOrderRequest {
            account_id: account_id.to_owned(),
            kind: pb::OrderKind::ChangeWebsite as i32,
            proof: String::new(),
            change: Some(pb::create_order_request::Change::WebsiteChange(pb::WebsiteChange {
                website_number: change.website_number,
                principal_mobile: change.principal_mobile,
                principal_email: change.principal_email,
                remove_domains: change.remove_domains,
                add_domains: change.add_domains,
            })),
            request_id: request_id.to_owned(),
        })
        .await
    }

    /// Starts a NEW_WEBSITE order, its service number held until the order is decided.
    pub async fn add_website(
        &self,
        account_id: &str,
        website: NewWebsite,
        request_id: &str,
    ) -> Result<MyOrder, Error> {
        self.create_order(pb::CreateOrderRequest {
            account_id: account_id.to_owned(),
            kind: pb::OrderKind::NewWebsite as i32,
            proof: String::new(),
            change: Some(pb::create_order_request::Change::NewWebsite(pb::NewWebsite {
                name: website.name,
                domains: website.domains,
                service_number: website.service_number,
            })),
            request_id: request_id.to_owned(),
        })
        .await
    }

    /// Starts a CHANGE_SUBJECT order; `proof` of a FILING_CHANGE code where the province asks.
    pub async fn change_subject(
        &self,
        account_id: &str,
        change: SubjectChange,
        proof: Option<&str>,
        request_id: &str,
    ) -> Result<MyOrder, Error> {
        self.create_order(pb::CreateOrderRequest {
            account_id: account_id.to_owned(),
            kind: pb::OrderKind::ChangeSubject as i32,
            proof: proof.unwrap_or_default().to_owned(),
            change: Some(pb::create_order_request::Change::SubjectChange(pb::SubjectChange {
                principal_name: change.principal_name,
                principal_mobile: change.principal_mobile,
                principal_email: change.principal_email,
                province_code: change.province_code,
                principal_id_suffix: change.principal_id_suffix,
                principal_id_number: change.principal_id_number.unwrap_or_default(),
            })),
            request_id: request_id.to_owned(),
        })
        .await
    }

    async fn create_order(&self, request: pb::CreateOrderRequest) -> Result<MyOrder, Error> {
        let reply = self.public.clone().create_order(request).await?;
        order(reply.into_inner().order.ok_or_else(|| Error::internal("CreateOrder answered no order"))?)
    }

    /// Starts a deregistration order of the subject (no website) or one website.
    pub async fn deregister(
        &self,
        account_id: &str,
        website_number: Option<&str>,
        filing_password: &str,
        request_id: &str,
    ) -> Result<OrderStarted, Error> {
        let reply = self
            .public
            .clone()
            .deregister(pb::DeregisterRequest {
                account_id: account_id.to_owned(),
                website_number: website_number.unwrap_or_default().to_owned(),
                filing_password: filing_password.to_owned(),
                request_id: request_id.to_owned(),
            })
            .await?;
        let reply = reply.into_inner();
        Ok(OrderStarted {
            order: order(reply.order.ok_or_else(|| Error::internal("Deregister answered no order"))?)?,
            unapproved_tld_domains: reply.unapproved_tld_domains,
        })
    }
}

/// An enum value's name without its prefix; an unknown value is INTERNAL.
fn name_of(what: &str, name: Option<&'static str>, prefix: &str) -> Result<String, Error> {
    name.and_then(|name| name.strip_prefix(prefix))
        .filter(|name| *name != "UNSPECIFIED")
        .map(str::to_owned)
        .ok_or_else(|| Error::internal(format!("a peer answered an unknown {what}")))
}

fn website(website: pb::Website) -> Result<MyWebsite, Error> {
    let state = match pb::WebsiteState::try_from(website.state) {
        Ok(pb::WebsiteState::Active) => "ACTIVE",
        Ok(pb::WebsiteState::AccessCancelled) => "ACCESS_CANCELLED",
        Ok(pb::WebsiteState::Deregistered) => "DEREGISTERED",
        _ => return Err(Error::internal(format!("a peer answered website state {}", website.state))),
    };
    Ok(MyWebsite {
        website_number: website.website_number,
        name: website.name,
        domains: website.domains,
        state,
    })
}

fn order(order: pb::Order) -> Result<MyOrder, Error> {
    let kind = pb::OrderKind::try_from(order.kind).ok().map(|kind| kind.as_str_name());
    let state = pb::OrderState::try_from(order.state).ok().map(|state| state.as_str_name());
    Ok(MyOrder {
        kind: name_of("order kind", kind, "ORDER_KIND_")?,
        state: name_of("order state", state, "ORDER_STATE_")?,
        created_at_ms: order.create_time.as_ref().map_or(0, beian_platform::wire::millis),
        order_number: order.order_number,
        website_number: order.website_number,
    })
}

/// filing-registry records the actor as the account that moved it (the old holder),
/// a staff id, or `system`.
fn holder_change(change: pb::HolderChange) -> HolderChange {
    let from_account_id = Some(change.from_account_id).filter(|from| !from.is_empty());
    let actor = if change.actor == "system" {
        ChangeActor::System
    } else if from_account_id.as_deref() == Some(change.actor.as_str()) {
        ChangeActor::Holder
    } else {
        ChangeActor::Staff(change.actor)
    };
    HolderChange {
        changed_at_ms: change.change_time.as_ref().map_or(0, beian_platform::wire::millis),
        filing_number: change.filing_number,
        from_account_id,
        to_account_id: change.to_account_id,
        actor,
        reason: change.reason,
    }
}
