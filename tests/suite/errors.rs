use beian_proto::gateway::v1::{
    GetMyAccountRequest, LoginRequest, account_service_client::AccountServiceClient,
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
    suite.stop().await;
}
