//! A stand-in for identity-recovery's GetAccountContacts over a fixed set of accounts,
//! answering ACCOUNT_NOT_FOUND for any other id, like the real one.

use std::net::SocketAddr;

use beian_platform::status::{ErrorReason, Failure};
use beian_proto::{
    common::v1::Site,
    identity_recovery::v1::{
        GetAccountContactsRequest, GetAccountContactsResponse,
        identity_recovery_internal_service_server::{
            IdentityRecoveryInternalService, IdentityRecoveryInternalServiceServer,
        },
    },
};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

/// Account id, login name, site, mobile.
pub const ACCOUNTS: &[(&str, &str, Site, &str)] = &[
    ("acc-t1", "zhangwei2019", Site::Cn, "15212341234"),
    ("acc-t2", "lisi-new", Site::Cn, "13900002222"),
    ("acc-t3", "zhao-busy", Site::Cn, "13900003333"),
    ("acc-t4", "qian-cn", Site::Cn, "13900004444"),
    ("acc-intl", "wang-intl", Site::Intl, "13900005555"),
    ("acc-intl2", "sun-intl", Site::Intl, "13900006666"),
];

#[derive(Clone)]
struct Service;

pub struct FakeIdentity {
    address: SocketAddr,
}

impl FakeIdentity {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(IdentityRecoveryInternalServiceServer::new(Service))
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        Self { address }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

#[tonic::async_trait]
impl IdentityRecoveryInternalService for Service {
    async fn get_account_contacts(
        &self,
        request: Request<GetAccountContactsRequest>,
    ) -> Result<Response<GetAccountContactsResponse>, Status> {
        let wanted = request.into_inner().account_id;
        let (account_id, login_name, site, mobile) = ACCOUNTS
            .iter()
            .find(|(id, ..)| *id == wanted)
            .ok_or_else(|| Status::from(Failure::new(ErrorReason::AccountNotFound)))?;
        Ok(Response::new(GetAccountContactsResponse {
            account_id: (*account_id).to_owned(),
            login_name: (*login_name).to_owned(),
            site: *site as i32,
            mobile: (*mobile).to_owned(),
            email: String::new(),
        }))
    }
}
