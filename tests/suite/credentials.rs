use beian_proto::{
    gateway::v1::{LoginRequest as GatewayLogin, account_service_client::AccountServiceClient},
    identity_recovery::v1::{
        FindAccountRequest, identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use tonic::{Code, Request};

use crate::reason;

#[tokio::test]
async fn internal_services_refuse_callers_without_the_credential() {
    let suite = TestSuite::start().await;
    let mut identity =
        IdentityRecoveryServiceClient::new(suite.channel(suite.addresses().identity_recovery).await);
    let find = || FindAccountRequest { login_name: "nobody".into() };

    let anonymous = identity.find_account(find()).await.expect_err("no credential");
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    assert_eq!(reason(&anonymous), "CALLER_UNAUTHENTICATED");

    let mut forged = Request::new(find());
    forged.metadata_mut().insert("x-beian-internal-token", "not-the-token".parse().unwrap());
    let forged = identity.find_account(forged).await.expect_err("wrong credential");
    assert_eq!(reason(&forged), "CALLER_UNAUTHENTICATED");

    // with the credential the call reaches the handler
    let admitted = identity.find_account(with_credential(&suite, find())).await.expect_err("unknown account");
    assert_eq!(reason(&admitted), "ACCOUNT_NOT_FOUND");

    // the public gateway needs no credential, and holds it for its own calls
    let mut gateway = AccountServiceClient::new(suite.gateway().await);
    let refused = gateway
        .login(GatewayLogin { login_name: "nobody".into(), password: "whatever".into() })
        .await
        .expect_err("unknown login");
    assert_eq!(reason(&refused), "LOGIN_FAILED");
    suite.stop().await;
}
