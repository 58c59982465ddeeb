//! `beian.gateway.v1.FilingService` (SPEC §6): the logged-in holder's own filing.
//! CheckFilingType is the new-filing stop (`workflows::filing_type`).

use beian_common::{
    contact::{is_resident_id_number, normalise_certificate_number},
    domain_name::normalise_domain,
    filing_number::FilingNumber,
    service_number::normalise_service_number,
};
use beian_platform::wire::{enums::to_wire, required_text, timestamp};
use beian_proto::{
    common::v1 as common,
    gateway::v1::{self as pb, filing_service_server::FilingService},
};
use tonic::{Request, Response, Status};

use super::{caller, convert, new_filing};
use crate::{
    error::Error,
    flows::FlowId,
    model::{
        TypedCode,
        filing::{MyFiling, MyOrder, NewWebsite, SubjectChange, WebsiteChange},
    },
    workflows::{
        filing::{CancelAccess, ClientRequestId, Deregister, Filing, FilingPassword, SubjectChangeAnswer},
        filing_type::FilingTypeCheck,
    },
};

#[derive(Debug, Clone)]
pub struct FilingApi {
    workflow: Filing,
    filing_type: FilingTypeCheck,
}

impl FilingApi {
    pub fn new(workflow: Filing, filing_type: FilingTypeCheck) -> Self {
        Self { workflow, filing_type }
    }
}

/// A website's filing number such as 京ICP备12345678号-1, canonical.
fn website_number(value: &str) -> Result<String, Error> {
    const EXPECTED: &str = "must be a website's filing number such as 京ICP备12345678号-1";
    match FilingNumber::parse(value) {
        Ok(number) if number.is_website() => Ok(number.to_string()),
        _ => Err(Error::invalid("website_number", EXPECTED)),
    }
}

fn filing_password(value: &str) -> Result<FilingPassword, Error> {
    required_text(value, 64)
        .map(|password| FilingPassword(password.to_owned()))
        .map_err(|description| Error::invalid("filing_password", description))
}

impl TryFrom<pb::SubjectChange> for SubjectChange {
    type Error = Error;

    /// The new principal's ID number is checked here; the rest goes on as typed.
    fn try_from(change: pb::SubjectChange) -> Result<Self, Error> {
        let id_number = normalise_certificate_number(&change.principal_id_number);
        let principal_id_number = match id_number.as_str() {
            "" => None,
            number if is_resident_id_number(number) => Some(id_number),
            // never echoed: personal data
            _ => {
                return Err(Error::invalid(
                    "subject.principal_id_number",
                    "must be a valid 18-character resident ID number",
                ));
            }
        };
        Ok(Self {
            principal_name: change.principal_name,
            principal_mobile: change.principal_mobile,
            principal_email: change.principal_email,
            province_code: change.province_code,
            principal_id_suffix: change.principal_id_suffix,
            principal_id_number,
        })
    }
}

impl TryFrom<pb::CancelAccessRequest> for CancelAccess {
    type Error = Error;

    fn try_from(request: pb::CancelAccessRequest) -> Result<Self, Error> {
        Ok(Self {
            flow_id: FlowId::parse(&request.flow_id)?,
            code: TypedCode::parse(&request.code)
                .ok_or_else(|| Error::invalid("code", "must be 6 digits"))?,
            filing_password: filing_password(&request.filing_password)?,
        })
    }
}

/// Domains a new website may have at most.
const MAX_NEW_DOMAINS: usize = 10;

impl TryFrom<pb::AddWebsiteRequest> for NewWebsite {
    type Error = Error;

    fn try_from(request: pb::AddWebsiteRequest) -> Result<Self, Error> {
        let name = required_text(&request.website_name, 64)
            .map_err(|description| Error::invalid("website_name", description))?;
        if request.domains.is_empty() || request.domains.len() > MAX_NEW_DOMAINS {
            return Err(Error::invalid("domains", "must hold 1 to 10 domains"));
        }
        let mut domains = Vec::with_capacity(request.domains.len());
        for (i, value) in request.domains.iter().enumerate() {
            let domain = normalise_domain(value)
                .map_err(|e| Error::invalid(format!("domains[{i}]"), e.to_string()))?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        Ok(Self {
            name: name.to_owned(),
            domains,
            service_number: normalise_service_number(&request.service_number)
                .map_err(|e| Error::invalid("service_number", e.to_string()))?,
        })
    }
}

impl TryFrom<pb::DeregisterRequest> for Deregister {
    type Error = Error;

    fn try_from(request: pb::DeregisterRequest) -> Result<Self, Error> {
        let website = Some(request.website_number.trim()).filter(|number| !number.is_empty());
        Ok(Self {
            website_number: website.map(website_number).transpose()?,
            filing_password: filing_password(&request.filing_password)?,
            request_id: ClientRequestId::parse(&request.request_id)?,
        })
    }
}

fn my_order(order: MyOrder) -> pb::MyOrder {
    pb::MyOrder {
        order_number: order.order_number,
        kind: order.kind,
        state: order.state,
        create_time: Some(timestamp(order.created_at_ms)),
        website_number: order.website_number,
    }
}

fn my_filing(filing: MyFiling) -> pb::MyFiling {
    pb::MyFiling {
        filing_number: filing.filing_number,
        name: filing.name,
        nature: to_wire(filing.nature),
        region: Some(common::Region {
            province_code: filing.province_code,
            city_code: filing.city_code,
            district_code: filing.district_code,
        }),
        masked_principal_mobile: filing.masked_principal_mobile,
        masked_principal_email: filing.masked_principal_email,
        websites: filing
            .websites
            .into_iter()
            .map(|website| pb::MyWebsite {
                website_number: website.website_number,
                name: website.name,
                domains: website.domains,
                state: website.state.to_owned(),
            })
            .collect(),
        order_in_progress: filing.order_in_progress.map(my_order),
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingService for FilingApi {
    async fn get_my_filing(
        &self,
        request: Request<pb::GetMyFilingRequest>,
    ) -> Reply<pb::GetMyFilingResponse> {
        let session = caller::session(&request)?;
        let filing = self.workflow.my_filing(&session).await?;
        Ok(Response::new(pb::GetMyFilingResponse { filing: Some(my_filing(filing)) }))
    }

    async fn check_filing_type(
        &self,
        request: Request<pb::CheckFilingTypeRequest>,
    ) -> Reply<pb::CheckFilingTypeResponse> {
        let session = caller::session(&request)?;
        let request = request.into_inner();
        let details = new_filing::details(
            request.region,
            request.nature,
            request.certificate_type,
            &request.certificate_number,
            &request.domain,
        )?;
        let filing_type = self.filing_type.check(&session, &details).await?;
        Ok(Response::new(pb::CheckFilingTypeResponse {
            filing_type: new_filing::filing_type(filing_type) as i32,
        }))
    }

    async fn change_filing(
        &self,
        request: Request<pb::ChangeFilingRequest>,
    ) -> Reply<pb::ChangeFilingResponse> {
        let client = caller::client(&request)?;
        let session = caller::session(&request)?;
        let request = request.into_inner();
        let request_id = ClientRequestId::parse(&request.request_id)?;
        let order = match request.change {
            Some(pb::change_filing_request::Change::Website(change)) => {
                let change = WebsiteChange {
                    website_number: website_number(&change.website_number)?,
                    principal_mobile: change.principal_mobile,
                    principal_email: change.principal_email,
                    remove_domains: change.remove_domains,
                    add_domains: change.add_domains,
                };
                self.workflow.change_website(&session, change, request_id.as_ref()).await?
            }
            Some(pb::change_filing_request::Change::Subject(change)) => {
                let code = match request.flow_id.trim() {
                    "" => None,
                    flow_id => Some((
                        FlowId::parse(flow_id)?,
                        TypedCode::parse(&request.code)
                            .ok_or_else(|| Error::invalid("code", "must be 6 digits"))?,
                    )),
                };
                let change = SubjectChange::try_from(change)?;
                match self
                    .workflow
                    .change_subject(&session, change, code, request_id.as_ref(), &client)
                    .await?
                {
                    SubjectChangeAnswer::Order(order) => order,
                    SubjectChangeAnswer::CodeSent { flow_id, sent } => {
                        return Ok(Response::new(pb::ChangeFilingResponse {
                            order: None,
                            flow_id: flow_id.as_str().to_owned(),
                            code: Some(convert::code_sent(sent)),
                        }));
                    }
                }
            }
            None => return Err(Error::invalid("change", "a subject or a website change is required").into()),
        };
        Ok(Response::new(pb::ChangeFilingResponse {
            order: Some(my_order(order)),
            flow_id: String::new(),
            code: None,
        }))
    }

    async fn add_website(&self, request: Request<pb::AddWebsiteRequest>) -> Reply<pb::AddWebsiteResponse> {
        let session = caller::session(&request)?;
        let request = request.into_inner();
        let request_id = ClientRequestId::parse(&request.request_id)?;
        let website = NewWebsite::try_from(request)?;
        let order = self.workflow.add_website(&session, website, request_id.as_ref()).await?;
        Ok(Response::new(pb::AddWebsiteResponse { order: Some(my_order(order)) }))
    }

    async fn abandon_order(
        &self,
        request: Request<pb::AbandonOrderRequest>,
    ) -> Reply<pb::AbandonOrderResponse> {
        let session = caller::session(&request)?;
        let order_number = required_text(&request.get_ref().order_number, 32)
            .map_err(|description| Error::invalid("order_number", description))?;
        let order = self.workflow.abandon_order(&session, order_number).await?;
        Ok(Response::new(pb::AbandonOrderResponse { order: Some(my_order(order)) }))
    }

    async fn send_cancel_access_code(
        &self,
        request: Request<pb::SendCancelAccessCodeRequest>,
    ) -> Reply<pb::SendCancelAccessCodeResponse> {
        let client = caller::client(&request)?;
        let session = caller::session(&request)?;
        let website = website_number(&request.get_ref().website_number)?;
        let (flow_id, sent) = self.workflow.send_cancel_access_code(&session, &website, &client).await?;
        Ok(Response::new(pb::SendCancelAccessCodeResponse {
            flow_id: flow_id.as_str().to_owned(),
            code: Some(convert::code_sent(sent)),
        }))
    }

    async fn cancel_access(
        &self,
        request: Request<pb::CancelAccessRequest>,
    ) -> Reply<pb::CancelAccessResponse> {
        let client = caller::client(&request)?;
        let session = caller::session(&request)?;
        let cancel = CancelAccess::try_from(request.into_inner())?;
        let started = self.workflow.cancel_access(&session, cancel, &client).await?;
        Ok(Response::new(pb::CancelAccessResponse {
            order: Some(my_order(started.order)),
            unapproved_tld_domains: started.unapproved_tld_domains,
        }))
    }

    async fn list_my_holder_history(
        &self,
        request: Request<pb::ListMyHolderHistoryRequest>,
    ) -> Reply<pb::ListMyHolderHistoryResponse> {
        let session = caller::session(&request)?;
        let request = request.into_inner();
        let page = self.workflow.my_holder_history(&session, request.page_size, request.page_token).await?;
        Ok(Response::new(pb::ListMyHolderHistoryResponse {
            changes: page.changes.into_iter().map(|change| convert::holder_change(change, false)).collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn deregister(&self, request: Request<pb::DeregisterRequest>) -> Reply<pb::DeregisterResponse> {
        let session = caller::session(&request)?;
        let deregister = Deregister::try_from(request.into_inner())?;
        let started = self.workflow.deregister(&session, deregister).await?;
        Ok(Response::new(pb::DeregisterResponse {
            order: Some(my_order(started.order)),
            unapproved_tld_domains: started.unapproved_tld_domains,
        }))
    }
}
