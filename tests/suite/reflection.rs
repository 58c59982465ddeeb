use beian_tests::TestSuite;
use tonic_reflection::pb::{v1, v1alpha};

const GATEWAY_SERVICES: [&str; 9] = [
    "beian.gateway.v1.AccountLookupService",
    "beian.gateway.v1.AccountService",
    "beian.gateway.v1.FilingPasswordService",
    "beian.gateway.v1.FilingService",
    "beian.gateway.v1.FilingTransferService",
    "beian.gateway.v1.HumanCheckService",
    "beian.gateway.v1.LegacyFilingService",
    "beian.gateway.v1.LegacyLoginService",
    "beian.gateway.v1.StaffReviewService",
];

#[tokio::test]
async fn gateway_lists_exactly_its_services_over_v1_and_v1alpha() {
    let suite = TestSuite::start().await;

    let mut client = v1::server_reflection_client::ServerReflectionClient::new(suite.gateway().await);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut replies =
        client.server_reflection_info(futures::stream::iter([request])).await.unwrap().into_inner();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        replies.message().await.unwrap().and_then(|r| r.message_response)
    else {
        panic!("v1 did not list services");
    };
    let v1_names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();

    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(suite.gateway().await);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
            "beian.gateway.v1.AccountLookupService".into(),
        )),
    };
    let mut replies =
        client.server_reflection_info(futures::stream::iter([request])).await.unwrap().into_inner();
    let Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(files)) =
        replies.message().await.unwrap().and_then(|r| r.message_response)
    else {
        panic!("v1alpha did not describe the symbol");
    };

    for service in GATEWAY_SERVICES {
        assert!(v1_names.iter().any(|n| n == service), "{service} missing from {v1_names:?}");
    }
    assert!(v1_names.iter().any(|n| n == "grpc.health.v1.Health"));
    assert!(
        !v1_names
            .iter()
            .any(|n| n.starts_with("beian.identity_recovery") || n.starts_with("beian.filing_registry")),
        "the gateway must not advertise internal services: {v1_names:?}"
    );
    assert!(!files.file_descriptor_proto.is_empty());
    suite.stop().await;
}
