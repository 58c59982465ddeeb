//! Per-RPC message limits: 4 MiB for every RPC, a whole application (ten 5 MiB
//! documents) only where documents travel. A message over its limit is refused
//! from its declared length, before the gateway reads — let alone buffers — it.

use std::time::Duration;

use beian_proto::gateway::v1::{
    StartAccountLookupRequest, account_lookup_service_client::AccountLookupServiceClient,
};
use beian_tests::TestSuite;
use bytes::Bytes;
use tonic::Code;
use tonic_types::StatusExt;

use crate::reason;

/// Opens a raw HTTP/2 stream to `path`, declares a message of `declared` bytes, sends
/// 64 KiB of it and never the rest: only a gateway that refuses early answers.
async fn declare(suite: &TestSuite, path: &str, declared: u32) -> tonic::Status {
    let address = suite.addresses().gateway;
    let tcp = tokio::net::TcpStream::connect(address).await.expect("connects");
    let (client, connection) = h2::client::handshake(tcp).await.expect("HTTP/2");
    let connection = tokio::spawn(connection);
    let mut client = client.ready().await.expect("ready");
    let request = http::Request::post(format!("http://{address}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request");
    let (response, mut body) = client.send_request(request, false).expect("sent");
    let mut prefix = vec![0u8];
    prefix.extend_from_slice(&declared.to_be_bytes());
    body.send_data(Bytes::from(prefix), false).expect("prefix");
    body.send_data(Bytes::from(vec![0u8; 64 * 1024]), false).expect("some of the message");
    let response = tokio::time::timeout(Duration::from_secs(20), response)
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer while the message was incomplete"))
        .expect("a response");
    let status = tonic::Status::from_header_map(response.headers()).expect("a trailers-only answer");
    drop(body);
    connection.abort();
    status
}

const FOUR_MIB: u32 = 4 * 1024 * 1024;

#[tokio::test]
async fn a_message_over_four_mib_is_refused_unread_on_every_ordinary_rpc() {
    let suite = TestSuite::start().await;
    for path in [
        // on a service with a document RPC
        "/beian.gateway.v1.AccountLookupService/StartAccountLookup",
        // on a service whose RPCs all answer UNIMPLEMENTED yet
        "/beian.gateway.v1.LegacyLoginService/GetReviewStatus",
        "/beian.gateway.v1.AccountService/Login",
    ] {
        let status = declare(&suite, path, FOUR_MIB + 1).await;
        assert_eq!(
            (status.code(), reason(&status).as_str()),
            (Code::InvalidArgument, "INVALID_ARGUMENT"),
            "{path}"
        );
        let violation = &status.get_details_bad_request().expect("BadRequest").field_violations[0];
        assert_eq!(violation.field, "request", "{path}");
    }
    // a document RPC takes more, but not without end
    let status =
        declare(&suite, "/beian.gateway.v1.FilingPasswordService/RequestFilingPasswordReview", 60 << 20)
            .await;
    assert_eq!(reason(&status), "INVALID_ARGUMENT");
    suite.stop().await;
}

#[tokio::test]
async fn a_message_just_under_the_limit_is_read() {
    let suite = TestSuite::start().await;
    let mut lookup = AccountLookupServiceClient::new(suite.gateway().await);
    // the message is read whole and then judged on its content
    let big = lookup
        .start_account_lookup(StartAccountLookupRequest {
            domain: "a".repeat(3 * 1024 * 1024),
            human_check_token: "x".into(),
        })
        .await
        .expect_err("no such domain");
    assert_eq!(big.get_details_bad_request().expect("BadRequest").field_violations[0].field, "domain");
    let over = lookup
        .start_account_lookup(StartAccountLookupRequest {
            domain: "a".repeat(FOUR_MIB as usize),
            human_check_token: "x".into(),
        })
        .await
        .expect_err("too large");
    assert_eq!(over.get_details_bad_request().expect("BadRequest").field_violations[0].field, "request");
    suite.stop().await;
}
