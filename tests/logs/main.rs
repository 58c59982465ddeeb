//! No code, no password and no unmasked personal data reaches the logs while a
//! whole account lookup or a filing-password recovery runs. Its own test binary:
//! it installs the log subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use beian_platform::testing::{CapturedLogs, holds_number};
use beian_proto::{
    common::v1::{CertificateType, Channel},
    gateway::v1::{
        CompletePasswordResetRequest, LoginRequest, RecoverFilingPasswordRequest,
        SendAccountLookupCodeRequest, SendPasswordResetCodeRequest, StartAccountLookupRequest,
        StartPasswordResetRequest, VerifyAccountLookupCodeRequest,
        account_lookup_service_client::AccountLookupServiceClient,
        account_service_client::AccountServiceClient,
        filing_password_service_client::FilingPasswordServiceClient,
    },
};
use beian_tests::TestSuite;
use tracing_subscriber::EnvFilter;

// current_thread: every service logs on this thread, to this test's subscriber
#[tokio::test(flavor = "current_thread")]
async fn a_whole_lookup_logs_nothing_personal() {
    let captured = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_env_filter(EnvFilter::new("trace,h2=info,hyper=info,hyper_util=info,tower=info,sqlx=info"))
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let suite = TestSuite::start_with(|s| s.seed_demo = true).await;
    let token = suite.human_check_token().await;
    let mut lookup = AccountLookupServiceClient::new(suite.gateway().await);
    let started = lookup
        .start_account_lookup(StartAccountLookupRequest {
            domain: "shop-zhang.cn".into(),
            human_check_token: token,
        })
        .await
        .expect("started")
        .into_inner();
    lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() })
        .await
        .expect("sent");
    let code = suite.code_sent_to("15212341234", 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest {
            flow_id: started.flow_id.clone(),
            code: wrong.into(),
        })
        .await
        .expect_err("a wrong code first");
    lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest {
            flow_id: started.flow_id,
            code: code.clone(),
        })
        .await
        .expect("verified");
    suite.wait_for_messages(2, |m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).await;
    let mut accounts = AccountServiceClient::new(suite.gateway().await);
    accounts
        .login(LoginRequest { login_name: "zhangwei2019".into(), password: "not-the-password".into() })
        .await
        .expect_err("a failed login is logged too");
    suite.stop().await;

    let logs = captured.text();
    assert!(logs.lines().count() > 20, "the workflow logged something: {logs}");
    // the code as a number of its own (not inside a longer run of digits)
    assert!(!holds_number(&logs, &code), "the code appears in the logs:\n{}", lines_with(&logs, &code));
    for secret in [
        "15212341234",
        "zhang.wei@example.com",
        "zhangwei2019",
        "33010619900101123X",
        "not-the-password",
        beian::demo::ACCOUNT_PASSWORD,
    ] {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs:\n{}", lines_with(&logs, secret));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_filing_password_recovery_logs_nothing_personal() {
    let captured = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_env_filter(EnvFilter::new("trace,h2=info,hyper=info,hyper_util=info,tower=info,sqlx=info"))
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let suite = TestSuite::start_with(|s| s.seed_demo = true).await;
    let mut service = FilingPasswordServiceClient::new(suite.gateway().await);
    let recovery = |token: String, certificate: &str| RecoverFilingPasswordRequest {
        province_code: "330000".into(),
        filing_number: "浙ICP备19012345号".into(),
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: certificate.into(),
        human_check_token: token,
    };
    let token = suite.human_check_token().await;
    service.recover_filing_password(recovery(token, "330106199001011230")).await.expect_err("a mismatch");
    let token = suite.human_check_token().await;
    service.recover_filing_password(recovery(token, "33010619900101123X")).await.expect("recovered");
    let notices = suite.wait_for_messages(2, |m| m["template"] == "FILING_PASSWORD").await;
    let password = notices[0]["params"]["filing_password"].as_str().expect("the password").to_owned();
    suite.stop().await;

    let logs = captured.text();
    assert!(logs.contains("new filing password issued"), "the recovery logged: {logs}");
    assert!(!holds_number(&logs, &password), "the password appears:\n{}", lines_with(&logs, &password));
    for secret in ["15212341234", "zhang.wei@example.com", "33010619900101123X", "330106199001011230"] {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs:\n{}", lines_with(&logs, secret));
    }
}

// current_thread: every service logs on this thread, to this test's subscriber
#[tokio::test(flavor = "current_thread")]
async fn a_whole_password_reset_logs_nothing_personal() {
    const NEW: &str = "Tea#Garden2027";
    const UNKNOWN: &str = "nobody-by-this-name";
    let captured = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_env_filter(EnvFilter::new("trace,h2=info,hyper=info,hyper_util=info,tower=info,sqlx=info"))
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let suite = TestSuite::start_with(|s| s.seed_demo = true).await;
    let mut accounts = AccountServiceClient::new(suite.gateway().await);
    for login_name in ["zhangwei2019", UNKNOWN] {
        let started = accounts
            .start_password_reset(StartPasswordResetRequest {
                login_name: login_name.into(),
                human_check_token: suite.human_check_token().await,
            })
            .await
            .expect("started")
            .into_inner();
        let send =
            SendPasswordResetCodeRequest { flow_id: started.flow_id.clone(), channel: Channel::Sms as i32 };
        accounts.send_password_reset_code(send).await.expect("sent");
        let code = if login_name == UNKNOWN {
            "123456".to_owned()
        } else {
            suite.code_sent_to("15212341234", 1).await
        };
        for password in ["Demo#2026pass!", NEW] {
            let complete = CompletePasswordResetRequest {
                flow_id: started.flow_id.clone(),
                code: code.clone(),
                new_password: password.into(),
            };
            let _ = accounts.complete_password_reset(complete).await;
        }
    }
    suite.wait_for_messages(2, |m| m["template"] == "PASSWORD_CHANGED").await;
    let code = suite.code_sent_to("15212341234", 1).await;
    suite.stop().await;

    let logs = captured.text();
    assert!(logs.contains("password reset"), "the reset was logged: {logs}");
    assert!(!holds_number(&logs, &code), "the code appears in the logs:\n{}", lines_with(&logs, &code));
    for secret in [
        "15212341234",
        "zhang.wei@example.com",
        "zhangwei2019",
        UNKNOWN,
        NEW,
        "Demo#2026pass!",
        beian::demo::ACCOUNT_PASSWORD,
    ] {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs:\n{}", lines_with(&logs, secret));
    }
}

fn lines_with<'a>(logs: &'a str, needle: &str) -> String {
    logs.lines().filter(|l| l.contains(needle)).take(5).collect::<Vec<&'a str>>().join("\n")
}
