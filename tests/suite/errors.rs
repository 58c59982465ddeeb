use beian_proto::gateway::v1::{
    GetMyAccountRequest, ImportLegacyFilingRequest, LoginRequest,
    account_service_client::AccountServiceClient, legacy_filing_service_client::LegacyFilingServiceClient,
};
use beian_tests::TestSuite;
use tonic::Code;
use tonic_types::StatusExt;

use crate::{messages, reason};

#[tokio::test]
async fn errors_carry_a_reason_and_messages_in_both_languages() {
    let suite = TestSuite::start().await;
    let mut accounts = AccountServiceClient::new(suite.gateway().await);

    // bad input names the field
    let bad = accounts
        .login(LoginRequest { login_name: "   ".into(), password: "x".into() })
        .await
        .expect_err("blank login name");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert_eq!(reason(&bad), "INVALID_ARGUMENT");
    let violations = bad.get_details_bad_request().expect("BadRequest").field_violations;
    assert_eq!(violations[0].field, "login_name");

    // no session
    let anonymous = accounts.get_my_account(GetMyAccountRequest {}).await.expect_err("no session");
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");
    assert_eq!(messages(&anonymous).0, "请先登录");

    // a contract RPC that a later issue delivers
    let mut legacy = LegacyFilingServiceClient::new(suite.gateway().await);
    let later = legacy.import_legacy_filing(ImportLegacyFilingRequest::default()).await.expect_err("not yet");
    assert_eq!(later.code(), Code::Unimplemented);
    assert_eq!(reason(&later), "NOT_IMPLEMENTED");
    let (zh, en) = messages(&later);
    assert_eq!(zh, "该功能暂未开放");
    assert_eq!(en, "This function is not available yet");
    suite.stop().await;
}
