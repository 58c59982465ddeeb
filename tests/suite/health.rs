use beian_tests::TestSuite;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

#[tokio::test]
async fn every_service_answers_serving_then_stops_cleanly() {
    let suite = TestSuite::start().await;
    let a = suite.addresses();
    let services = [
        (a.gateway, "beian.gateway.v1.AccountLookupService"),
        (a.verification_codes, "beian.verification_codes.v1.VerificationCodesService"),
        (a.filing_registry, "beian.filing_registry.v1.FilingRegistryService"),
        (a.identity_recovery, "beian.identity_recovery.v1.IdentityRecoveryInternalService"),
        (a.legacy_migration, "beian.legacy_migration.v1.LegacyMigrationService"),
    ];
    for (address, service) in services {
        let mut health = HealthClient::new(suite.channel(address).await);
        for name in ["", service] {
            let status = health
                .check(HealthCheckRequest { service: name.into() })
                .await
                .unwrap_or_else(|e| panic!("{address} {name:?}: {e}"))
                .into_inner()
                .status;
            assert_eq!(status, ServingStatus::Serving as i32, "{address} {name:?}");
        }
        let unknown = health.check(HealthCheckRequest { service: "no.such.Service".into() }).await;
        assert_eq!(unknown.expect_err("unknown service").code(), tonic::Code::NotFound);
    }

    suite.stop().await;
    for (address, _) in services {
        assert!(tokio::net::TcpStream::connect(address).await.is_err(), "{address} still accepts after stop");
    }
}
