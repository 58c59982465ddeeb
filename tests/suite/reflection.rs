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

/// What reflection answers about one symbol or file, over either version.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Described,
    NotFound,
}

#[derive(Debug, Clone, Copy)]
enum Ask<'a> {
    Symbol(&'a str),
    File(&'a str),
}

async fn ask_v1(channel: tonic::transport::Channel, ask: Ask<'_>) -> Answer {
    use v1::{server_reflection_request::MessageRequest, server_reflection_response::MessageResponse};
    let message_request = match ask {
        Ask::Symbol(symbol) => MessageRequest::FileContainingSymbol(symbol.into()),
        Ask::File(file) => MessageRequest::FileByFilename(file.into()),
    };
    let request = v1::ServerReflectionRequest { host: String::new(), message_request: Some(message_request) };
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel);
    let mut replies =
        client.server_reflection_info(futures::stream::iter([request])).await.unwrap().into_inner();
    // tonic-reflection answers an unknown name with a NOT_FOUND status on the stream
    match replies.message().await.map(|reply| reply.and_then(|r| r.message_response)) {
        Ok(Some(MessageResponse::FileDescriptorResponse(files)))
            if !files.file_descriptor_proto.is_empty() =>
        {
            Answer::Described
        }
        Err(status) if status.code() == tonic::Code::NotFound => Answer::NotFound,
        other => panic!("unexpected reflection answer to {ask:?}: {other:?}"),
    }
}

async fn ask_v1alpha(channel: tonic::transport::Channel, ask: Ask<'_>) -> Answer {
    use v1alpha::{server_reflection_request::MessageRequest, server_reflection_response::MessageResponse};
    let message_request = match ask {
        Ask::Symbol(symbol) => MessageRequest::FileContainingSymbol(symbol.into()),
        Ask::File(file) => MessageRequest::FileByFilename(file.into()),
    };
    let request =
        v1alpha::ServerReflectionRequest { host: String::new(), message_request: Some(message_request) };
    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let mut replies =
        client.server_reflection_info(futures::stream::iter([request])).await.unwrap().into_inner();
    // tonic-reflection answers an unknown name with a NOT_FOUND status on the stream
    match replies.message().await.map(|reply| reply.and_then(|r| r.message_response)) {
        Ok(Some(MessageResponse::FileDescriptorResponse(files)))
            if !files.file_descriptor_proto.is_empty() =>
        {
            Answer::Described
        }
        Err(status) if status.code() == tonic::Code::NotFound => Answer::NotFound,
        other => panic!("unexpected reflection answer to {ask:?}: {other:?}"),
    }
}

/// Asks over v1 and v1alpha; both must agree.
async fn ask(suite: &TestSuite, address: std::net::SocketAddr, ask: Ask<'_>) -> Answer {
    let v1 = ask_v1(suite.channel(address).await, ask).await;
    let v1alpha = ask_v1alpha(suite.channel(address).await, ask).await;
    assert_eq!(v1, v1alpha, "v1 and v1alpha disagree on {ask:?}");
    v1
}

const INTERNAL_SERVICES: [&str; 4] = [
    "beian.verification_codes.v1.VerificationCodesInternalService",
    "beian.filing_registry.v1.FilingRegistryInternalService",
    "beian.identity_recovery.v1.IdentityRecoveryInternalService",
    "beian.legacy_migration.v1.LegacyMigrationInternalService",
];

const INTERNAL_FILES: [&str; 8] = [
    "beian/verification_codes/v1/verification_codes.proto",
    "beian/verification_codes/v1/verification_codes_internal.proto",
    "beian/filing_registry/v1/filing_registry.proto",
    "beian/filing_registry/v1/filing_registry_internal.proto",
    "beian/identity_recovery/v1/identity_recovery.proto",
    "beian/identity_recovery/v1/identity_recovery_internal.proto",
    "beian/legacy_migration/v1/legacy_migration.proto",
    "beian/legacy_migration/v1/legacy_migration_internal.proto",
];

#[tokio::test]
async fn the_gateway_describes_none_of_the_internal_contracts() {
    let suite = TestSuite::start().await;
    let gateway = suite.addresses().gateway;
    for symbol in INTERNAL_SERVICES.into_iter().chain([
        "beian.verification_codes.v1.VerificationCodesService",
        "beian.verification_codes.v1.SendCodeRequest",
    ]) {
        assert_eq!(ask(&suite, gateway, Ask::Symbol(symbol)).await, Answer::NotFound, "{symbol}");
    }
    for file in INTERNAL_FILES {
        assert_eq!(ask(&suite, gateway, Ask::File(file)).await, Answer::NotFound, "{file}");
    }
    // what it serves, its imports, health and the error details still resolve
    for symbol in GATEWAY_SERVICES.into_iter().chain([
        "beian.common.v1.ErrorReason",
        "google.protobuf.Timestamp",
        "google.rpc.ErrorInfo",
        "grpc.health.v1.Health",
    ]) {
        assert_eq!(ask(&suite, gateway, Ask::Symbol(symbol)).await, Answer::Described, "{symbol}");
    }
    assert_eq!(ask(&suite, gateway, Ask::File("beian/gateway/v1/gateway.proto")).await, Answer::Described);
    suite.stop().await;
}

#[tokio::test]
async fn internal_services_describe_only_their_own_contract() {
    let suite = TestSuite::start().await;
    let addresses = suite.addresses();
    let services = [
        (addresses.verification_codes, "verification_codes", "VerificationCodes"),
        (addresses.filing_registry, "filing_registry", "FilingRegistry"),
        (addresses.identity_recovery, "identity_recovery", "IdentityRecovery"),
        (addresses.legacy_migration, "legacy_migration", "LegacyMigration"),
    ];
    for (address, package, prefix) in services {
        for symbol in GATEWAY_SERVICES {
            assert_eq!(
                ask(&suite, address, Ask::Symbol(symbol)).await,
                Answer::NotFound,
                "{package}: {symbol}"
            );
        }
        let gateway_file = Ask::File("beian/gateway/v1/gateway.proto");
        assert_eq!(ask(&suite, address, gateway_file).await, Answer::NotFound, "{package}");
        for other in INTERNAL_SERVICES.into_iter().filter(|s| !s.contains(package)) {
            assert_eq!(
                ask(&suite, address, Ask::Symbol(other)).await,
                Answer::NotFound,
                "{package}: {other}"
            );
        }
        for own in [
            format!("beian.{package}.v1.{prefix}Service"),
            format!("beian.{package}.v1.{prefix}InternalService"),
        ] {
            assert_eq!(ask(&suite, address, Ask::Symbol(&own)).await, Answer::Described, "{own}");
        }
        assert_eq!(ask(&suite, address, Ask::Symbol("google.rpc.BadRequest")).await, Answer::Described);
    }
    suite.stop().await;
}
