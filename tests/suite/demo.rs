//! The demo data set loads on either engine and the implemented calls work on it.

use beian_proto::{
    common::v1::LegacyAction,
    filing_registry::v1::{
        GetHeldSubjectRequest, filing_registry_service_client::FilingRegistryServiceClient,
    },
    gateway::v1::{
        GetMyAccountRequest, LoginRequest, LogoutRequest, account_service_client::AccountServiceClient,
    },
    legacy_migration::v1::{
        ClassifyDomainRequest, legacy_migration_service_client::LegacyMigrationServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use tonic::{Code, Request};

use crate::reason;

fn bearer<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

#[tokio::test]
async fn demo_accounts_log_in_and_see_masked_data_only() {
    let suite = TestSuite::start_with(|s| s.seed_demo = true).await;
    let mut accounts = AccountServiceClient::new(suite.gateway().await);

    let logged_in = accounts
        .login(LoginRequest {
            login_name: "ZhangWei2019".into(),
            password: beian::demo::ACCOUNT_PASSWORD.into(),
        })
        .await
        .expect("demo login")
        .into_inner();
    let account = logged_in.account.expect("account");
    assert_eq!(account.masked_login_name, "zh***9");
    assert_eq!(account.masked_mobile, "152****1234");
    assert_eq!(account.masked_email, "z***@example.com");

    let me = accounts
        .get_my_account(bearer(GetMyAccountRequest {}, &logged_in.session_token))
        .await
        .expect("session works")
        .into_inner();
    assert_eq!(me.account.expect("account").masked_login_name, "zh***9");

    accounts.logout(bearer(LogoutRequest {}, &logged_in.session_token)).await.expect("logout");
    let after = accounts
        .get_my_account(bearer(GetMyAccountRequest {}, &logged_in.session_token))
        .await
        .expect_err("session ended");
    assert_eq!(reason(&after), "SESSION_REQUIRED");

    let wrong = accounts
        .login(LoginRequest { login_name: "zhangwei2019".into(), password: "Demo#2026pasS".into() })
        .await
        .expect_err("wrong password");
    assert_eq!(reason(&wrong), "LOGIN_FAILED");
    suite.stop().await;
}

#[tokio::test]
async fn demo_filings_and_legacy_bands_are_loaded() {
    let suite = TestSuite::start_with(|s| s.seed_demo = true).await;

    let mut registry =
        FilingRegistryServiceClient::new(suite.channel(suite.addresses().filing_registry).await);
    let subject = registry
        .get_held_subject(with_credential(
            &suite,
            GetHeldSubjectRequest { account_id: "1000000000000002".into() },
        ))
        .await
        .expect("held subject")
        .into_inner()
        .subject
        .expect("subject");
    assert_eq!(subject.filing_number, "浙ICP备20190001号");
    assert_eq!(subject.masked_principal_mobile, "138****1111");
    let domains: Vec<&str> =
        subject.websites.iter().flat_map(|w| w.domains.iter().map(String::as_str)).collect();
    assert!(domains.contains(&"hz-tea.com.cn"), "{domains:?}");
    assert!(domains.iter().any(|d| d.starts_with("xn--")), "IDN stored as punycode: {domains:?}");
    assert!(!domains.contains(&"old-campaign.hz-tea.com.cn"), "a deregistered domain is not live");
    let none = registry
        .get_held_subject(with_credential(
            &suite,
            GetHeldSubjectRequest { account_id: "1000000000000003".into() },
        ))
        .await
        .expect_err("lisi-new holds nothing");
    assert_eq!(reason(&none), "NO_SUBJECT_HELD");

    let mut legacy =
        LegacyMigrationServiceClient::new(suite.channel(suite.addresses().legacy_migration).await);
    for (domain, action) in [
        ("WWW.Pioneer-2008.CN.", LegacyAction::Claim),
        ("old-shop.com.cn", LegacyAction::Import),
        ("imported-site.cn", LegacyAction::AlreadyMigrated),
        ("moved-away.cn", LegacyAction::MovedAway),
    ] {
        let reply = legacy
            .classify_domain(with_credential(&suite, ClassifyDomainRequest { domain: domain.into() }))
            .await
            .unwrap_or_else(|e| panic!("{domain}: {e}"))
            .into_inner();
        assert!(reply.found, "{domain}");
        assert_eq!(reply.action, action as i32, "{domain}");
        assert!(reply.masked_legacy_email.contains("***@legacy.example.com"), "{domain}");
    }
    let current_only = legacy
        .classify_domain(with_credential(&suite, ClassifyDomainRequest { domain: "shop-zhang.cn".into() }))
        .await
        .expect("classified")
        .into_inner();
    assert!(!current_only.found);
    let bad = legacy
        .classify_domain(with_credential(&suite, ClassifyDomainRequest { domain: "not a domain".into() }))
        .await
        .expect_err("bad domain");
    assert_eq!(bad.code(), Code::InvalidArgument);
    suite.stop().await;
}
