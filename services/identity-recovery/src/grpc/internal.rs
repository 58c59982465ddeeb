//! `beian.identity_recovery.v1.IdentityRecoveryInternalService`: suite callers only.

use beian_proto::identity_recovery::v1::{
    self as pb, identity_recovery_internal_service_server::IdentityRecoveryInternalService,
};
use tonic::{Request, Response, Status};

use super::convert;
use crate::service::IdentityRecovery;

#[derive(Debug, Clone)]
pub struct InternalApi {
    service: IdentityRecovery,
}

impl InternalApi {
    pub fn new(service: IdentityRecovery) -> Self {
        Self { service }
    }
}

#[tonic::async_trait]
impl IdentityRecoveryInternalService for InternalApi {
    async fn get_account_contacts(
        &self,
        request: Request<pb::GetAccountContactsRequest>,
    ) -> Result<Response<pb::GetAccountContactsResponse>, Status> {
        let account_id = convert::account_id(&request.get_ref().account_id)?;
        let account = self.service.account(account_id).await?;
        Ok(Response::new(pb::GetAccountContactsResponse {
            account_id: account.account_id,
            login_name: account.login_name,
            site: beian_platform::wire::enums::to_wire(account.site),
            mobile: account.mobile,
            email: account.email,
        }))
    }
}
