//! The client address behind a proxy: `x-forwarded-for` counts only from a trusted
//! proxy (BEIAN_TRUSTED_PROXIES), so clients behind one proxy get their own caps,
//! and nobody else can pick the address their caps are counted under.

use beian::SuiteSettings;
use beian_proto::gateway::v1::{
    CreateHumanCheckRequest, human_check_service_client::HumanCheckServiceClient,
};
use beian_tests::TestSuite;
use tonic::Request;

use crate::reason;

async fn suite(customise: impl FnOnce(&mut SuiteSettings)) -> TestSuite {
    let suite = TestSuite::start_with(|s| {
        // one slider challenge per client per minute: the cap under test
        s.code_policy.challenges_per_client_per_minute = 1;
        customise(s);
    })
    .await;
    early_in_a_minute().await;
    suite
}

/// The cap counts per clock minute: a test begun in a minute's last seconds could spread its
/// challenges over two windows and never meet it, so it waits for the next minute then.
async fn early_in_a_minute() {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    let into_minute = since_epoch.as_millis() % 60_000;
    if into_minute > 45_000 {
        let left = u64::try_from(60_000 - into_minute).expect("under a minute");
        tokio::time::sleep(std::time::Duration::from_millis(left)).await;
    }
}

async fn challenge(suite: &TestSuite, forwarded_for: &str) -> Result<(), tonic::Status> {
    let mut request = Request::new(CreateHumanCheckRequest {});
    request.metadata_mut().insert("x-forwarded-for", forwarded_for.parse().expect("ascii"));
    HumanCheckServiceClient::new(suite.gateway().await).create_human_check(request).await.map(drop)
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_have_caps_of_their_own() {
    let suite =
        suite(|s| s.trusted_proxies = gateway::TrustedProxies::parse("127.0.0.1/32").expect("CIDR")).await;
    challenge(&suite, "203.0.113.1").await.expect("the first client's challenge");
    let capped = challenge(&suite, "203.0.113.1").await.expect_err("its cap");
    assert_eq!(reason(&capped), "CLIENT_LIMIT");
    // what the second client claims further left is not believed; the proxy's hop is
    challenge(&suite, "203.0.113.1, 198.51.100.2").await.expect("the second client's challenge");
    suite.stop().await;
}

#[tokio::test]
async fn a_forged_header_from_an_untrusted_peer_is_ignored() {
    let suite = suite(|_| {}).await;
    challenge(&suite, "203.0.113.1").await.expect("the first challenge");
    let capped = challenge(&suite, "203.0.113.2").await.expect_err("the same peer, whatever it claims");
    assert_eq!(reason(&capped), "CLIENT_LIMIT");
    suite.stop().await;
}
