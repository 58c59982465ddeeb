//! `beian.filing_registry.v1.FilingRegistryService`.

use beian_proto::filing_registry::v1::{self as pb, filing_registry_service_server::FilingRegistryService};
use tonic::{Request, Response, Status};

use super::convert;
use crate::service::FilingRegistry;

#[derive(Debug, Clone)]
pub struct PublicApi {
    service: FilingRegistry,
}

impl PublicApi {
    pub fn new(service: FilingRegistry) -> Self {
        Self { service }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FilingRegistryService for PublicApi {
    async fn find_filing_by_domain(
        &self,
        request: Request<pb::FindFilingByDomainRequest>,
    ) -> Reply<pb::FindFilingByDomainResponse> {
        let domain = convert::domain(&request.get_ref().domain)?;
        let found = self.service.filing_of_domain(&domain).await?;
        Ok(Response::new(convert::found_filing(found)))
    }

    async fn get_held_subject(
        &self,
        request: Request<pb::GetHeldSubjectRequest>,
    ) -> Reply<pb::GetHeldSubjectResponse> {
        let account_id = convert::account_id(&request.get_ref().account_id)?;
        let (subject, order) = self.service.held_subject_with_order(account_id).await?;
        Ok(Response::new(pb::GetHeldSubjectResponse { subject: Some(convert::subject(subject, order)) }))
    }

    async fn recover_filing_password(
        &self,
        request: Request<pb::RecoverFilingPasswordRequest>,
    ) -> Reply<pb::RecoverFilingPasswordResponse> {
        let recovery = convert::recovery(request.into_inner())?;
        let sent = self.service.recover_filing_password(recovery).await?;
        Ok(Response::new(pb::RecoverFilingPasswordResponse { sent_to: convert::sent_to(sent) }))
    }

    async fn create_order(&self, request: Request<pb::CreateOrderRequest>) -> Reply<pb::CreateOrderResponse> {
        let order = match convert::create_order(request.into_inner())? {
            convert::Change::Subject(change) => self.service.change_subject(change).await?,
            convert::Change::Website(change) => self.service.change_website(change).await?,
            convert::Change::NewWebsite(website) => self.service.add_website(website).await?,
        };
        Ok(Response::new(pb::CreateOrderResponse { order: Some(convert::order(order)) }))
    }

    async fn abandon_order(
        &self,
        request: Request<pb::AbandonOrderRequest>,
    ) -> Reply<pb::AbandonOrderResponse> {
        let (account_id, order_number) = convert::abandon(request.get_ref())?;
        let order = self.service.abandon_order(account_id, order_number).await?;
        Ok(Response::new(pb::AbandonOrderResponse { order: Some(convert::order(order)) }))
    }

    async fn cancel_access(
        &self,
        request: Request<pb::CancelAccessRequest>,
    ) -> Reply<pb::CancelAccessResponse> {
        let cancel = convert::cancel_access(request.into_inner())?;
        let started = self.service.cancel_access(cancel).await?;
        Ok(Response::new(pb::CancelAccessResponse {
            order: Some(convert::order(started.order)),
            unapproved_tld_domains: started.unapproved_tld_domains,
        }))
    }

    async fn deregister(&self, request: Request<pb::DeregisterRequest>) -> Reply<pb::DeregisterResponse> {
        let deregistration = convert::deregistration(request.into_inner())?;
        let started = self.service.deregister(deregistration).await?;
        Ok(Response::new(pb::DeregisterResponse {
            order: Some(convert::order(started.order)),
            unapproved_tld_domains: started.unapproved_tld_domains,
        }))
    }

    async fn transfer_subject(
        &self,
        request: Request<pb::TransferSubjectRequest>,
    ) -> Reply<pb::TransferSubjectResponse> {
        let transfer = convert::online_transfer(request.into_inner())?;
        let change = self.service.transfer_subject(transfer).await?;
        Ok(Response::new(pb::TransferSubjectResponse { change: Some(convert::holder_change(change)) }))
    }

    async fn list_holder_history(
        &self,
        request: Request<pb::ListHolderHistoryRequest>,
    ) -> Reply<pb::ListHolderHistoryResponse> {
        let query = convert::history_query(request.into_inner())?;
        let page = self.service.holder_history(query).await?;
        Ok(Response::new(pb::ListHolderHistoryResponse {
            changes: page.changes.into_iter().map(convert::holder_change).collect(),
            filing_number: page.filing_number.unwrap_or_default(),
            next_page_token: page.next_page_token.unwrap_or_default(),
        }))
    }
}
