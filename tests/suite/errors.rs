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

/// Sends `bytes` as the request message of `path`, as a client with another (or a
/// broken) copy of the contract would.
pub async fn call_raw(
    channel: tonic::transport::Channel,
    path: &'static str,
    bytes: Vec<u8>,
) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("the gateway is ready");
    grpc.unary(
        tonic::Request::new(bytes::Bytes::from(bytes)),
        http::uri::PathAndQuery::from_static(path),
        RawBytes,
    )
    .await
    .expect_err("a refusal")
}

/// The message bytes as they are: no protobuf on this side.
#[derive(Debug, Clone, Copy)]
struct RawBytes;

impl tonic::codec::Codec for RawBytes {
    type Encode = bytes::Bytes;
    type Decode = bytes::Bytes;
    type Encoder = RawBytes;
    type Decoder = RawBytes;

    fn encoder(&mut self) -> Self::Encoder {
        RawBytes
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawBytes
    }
}

impl tonic::codec::Encoder for RawBytes {
    type Item = bytes::Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Self::Item, dst: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), Self::Error> {
        bytes::BufMut::put(dst, item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawBytes {
    type Item = bytes::Bytes;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut tonic::codec::DecodeBuf<'_>) -> Result<Option<Self::Item>, Self::Error> {
        let len = bytes::Buf::remaining(src);
        Ok(Some(bytes::Buf::copy_to_bytes(src, len)))
    }
}

/// What tonic answers before a handler runs gets the suite's error shape too.
#[tokio::test]
async fn requests_no_handler_sees_are_refused_with_a_reason() {
    let suite = TestSuite::start().await;

    // LoginRequest.login_name (field 1, a string) holding bytes that are not UTF-8
    let undecodable = call_raw(
        suite.gateway().await,
        "/beian.gateway.v1.AccountService/Login",
        vec![0x0a, 0x02, 0xff, 0xfe],
    )
    .await;
    assert_eq!(undecodable.code(), Code::InvalidArgument, "{undecodable:?}");
    assert_eq!(reason(&undecodable), "INVALID_ARGUMENT");
    let violations = undecodable.get_details_bad_request().expect("BadRequest").field_violations;
    assert_eq!(violations[0].field, "request");
    assert!(!messages(&undecodable).0.is_empty());

    let unknown =
        call_raw(suite.gateway().await, "/beian.gateway.v1.AccountService/NoSuchMethod", vec![]).await;
    assert_eq!(unknown.code(), Code::Unimplemented, "{unknown:?}");
    assert_eq!(reason(&unknown), "NOT_IMPLEMENTED");
    assert!(!messages(&unknown).1.is_empty());
    suite.stop().await;
}
