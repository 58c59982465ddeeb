//! ResetPassword against a fake verification-codes (找回密码, policy of seed 003).

use beian_common::calendar::BusinessCalendar;
use beian_platform::config::Secret;
use beian_proto::{
    common::v1 as common,
    identity_recovery::v1::{LoginRequest, ResetPasswordRequest, ResolveSessionRequest},
    verification_codes::v1::NoticeTemplate,
};
use identity_recovery::{accounts::Site, seed::SeedAccount};
use tonic::Code;

use crate::{
    fake_codes::FakeCodes,
    support::{TestApp, fields, metadata, reason},
};

const MOBILE: &str = "13912345678";
const EMAIL: &str = "zhangwei@example.com";
const OLD: &str = "Demo#2026pass";
const NEW: &str = "Tea#Garden2027";

async fn start() -> (FakeCodes, TestApp) {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = TestApp::start_with(&codes.url(), token, BusinessCalendar::china_default()).await;
    identity_recovery::seed::insert_accounts(
        app.database(),
        &[SeedAccount {
            account_id: "acc-zhang",
            login_name: "zhangwei2019",
            site: Site::Cn,
            mobile: MOBILE,
            email: EMAIL,
            password: OLD,
            staff: false,
        }],
    )
    .await
    .expect("seed account");
    (codes, app)
}

fn reset(proof: &str, new_password: &str, request_id: &str) -> ResetPasswordRequest {
    ResetPasswordRequest {
        account_id: "acc-zhang".into(),
        proof: proof.into(),
        new_password: new_password.into(),
        channel: common::Channel::Sms as i32,
        request_id: request_id.into(),
        locale: "en".into(),
    }
}

/// A session token, or the reason the login failed.
async fn login(app: &TestApp, password: &str) -> Result<String, String> {
    let request = LoginRequest {
        login_name: "zhangwei2019".into(),
        password: password.into(),
        client_ip: "203.0.113.7".into(),
        ..Default::default()
    };
    app.client()
        .await
        .login(app.request(request))
        .await
        .map(|answer| answer.into_inner().session_token)
        .map_err(|status| reason(&status).as_str().to_owned())
}

async fn session_alive(app: &TestApp, token: &str) -> bool {
    let request = ResolveSessionRequest { session_token: token.into() };
    app.client().await.resolve_session(app.request(request)).await.is_ok()
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_session_and_tells_both_contacts() {
    let (codes, app) = start().await;
    codes.issue_proof("proof-1", common::Purpose::PasswordReset, MOBILE);
    let sessions = [login(&app, OLD).await.expect("logs in"), login(&app, OLD).await.expect("logs in")];

    let answer = app.client().await.reset_password(app.request(reset("proof-1", NEW, "flow-1"))).await;
    let notified: Vec<(i32, String)> = answer
        .expect("reset")
        .into_inner()
        .notified
        .into_iter()
        .map(|c| (c.channel, c.masked_destination))
        .collect();
    assert_eq!(
        notified,
        [
            (common::Channel::Sms as i32, "139****5678".into()),
            (common::Channel::Email as i32, "z***@example.com".into())
        ]
    );

    for token in &sessions {
        assert!(!session_alive(&app, token).await, "every session of the account ended");
    }
    assert_eq!(login(&app, OLD).await, Err("LOGIN_FAILED".into()));
    assert!(login(&app, NEW).await.is_ok());

    let redeemed = codes.redeem_calls();
    assert_eq!(redeemed.len(), 1);
    assert_eq!(
        (redeemed[0].purpose, redeemed[0].destination.as_str(), redeemed[0].redemption_key.as_str()),
        (common::Purpose::PasswordReset as i32, MOBILE, "flow-1")
    );
    let notices: Vec<(String, i32, String, i32)> = codes
        .notice_calls()
        .into_iter()
        .map(|n| (n.idempotency_key, n.channel, n.destination, n.template))
        .collect();
    let changed = NoticeTemplate::PasswordChanged as i32;
    assert_eq!(
        notices,
        [
            ("flow-1:password-changed:sms".into(), common::Channel::Sms as i32, MOBILE.into(), changed),
            ("flow-1:password-changed:email".into(), common::Channel::Email as i32, EMAIL.into(), changed),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_retried_reset_changes_nothing_twice() {
    let (codes, app) = start().await;
    codes.issue_proof("proof-2", common::Purpose::PasswordReset, EMAIL);
    let mut request = reset("proof-2", NEW, "flow-2");
    request.channel = common::Channel::Email as i32;

    // the outbox fails half-way: the password is set, the caller retries
    codes.fail_notices(1);
    let failed =
        app.client().await.reset_password(app.request(request.clone())).await.expect_err("outbox down");
    assert_eq!(reason(&failed), "DEPENDENCY_UNAVAILABLE");
    let after_reset = login(&app, NEW).await.expect("the new password works");

    // the retries (the new password is now the old one: no policy refusal) end no new session
    for _ in 0..2 {
        app.client().await.reset_password(app.request(request.clone())).await.expect("a retry succeeds");
    }
    assert!(session_alive(&app, &after_reset).await, "a retry ends no session opened after the reset");
    assert_eq!(codes.outbox_keys(), ["flow-2:password-changed:email", "flow-2:password-changed:sms"]);

    // the proof served flow-2 only
    let reuse = ResetPasswordRequest {
        new_password: "Other#Pass2028".into(),
        request_id: "flow-x".into(),
        ..request
    };
    let reused = app.client().await.reset_password(app.request(reuse)).await.expect_err("spent");
    assert_eq!(reason(&reused), "PROOF_ALREADY_REDEEMED");
    assert!(login(&app, NEW).await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn each_policy_rule_refuses_with_its_reason_and_changes_nothing() {
    let (codes, app) = start().await;
    codes.issue_proof("proof-3", common::Purpose::PasswordReset, MOBILE);
    let cases = [
        ("Ab1!", "PASSWORD_TOO_WEAK", Some("MIN_LENGTH")),
        ("abcdefgh", "PASSWORD_TOO_WEAK", Some("UPPERCASE,DIGIT,SPECIAL")),
        ("ABCDEFG1!", "PASSWORD_TOO_WEAK", Some("LOWERCASE")),
        ("P@ssw0rd", "PASSWORD_TOO_COMMON", None),
        ("Password1!", "PASSWORD_TOO_COMMON", None),
        (OLD, "PASSWORD_TOO_SIMILAR", None),
        ("dEMO#2026PASS", "PASSWORD_TOO_SIMILAR", None),
        ("Demo#2026pass!!", "PASSWORD_TOO_SIMILAR", None),
        ("xDemo#2026pass", "PASSWORD_TOO_SIMILAR", None),
    ];
    for (password, expected, unmet) in cases {
        let refused = app
            .client()
            .await
            .reset_password(app.request(reset("proof-3", password, "flow-3")))
            .await
            .expect_err(password);
        assert_eq!(
            (refused.code(), reason(&refused).as_str()),
            (Code::InvalidArgument, expected),
            "{password}"
        );
        assert_eq!(fields(&refused), ["new_password"], "{password}");
        assert_eq!(metadata(&refused, "unmet").as_deref(), unmet, "{password}");
        assert!(!refused.message().contains(password), "no password echoed");
    }
    assert!(codes.notice_calls().is_empty());
    assert!(login(&app, OLD).await.is_ok(), "the password is unchanged");

    // the same reset with a good password goes through: the proof was redeemed under its key
    app.client().await.reset_password(app.request(reset("proof-3", NEW, "flow-3"))).await.expect("resets");
    assert!(login(&app, NEW).await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn the_policy_is_asked_only_with_a_valid_proof_for_the_accounts_contact() {
    let (codes, app) = start().await;
    codes.issue_proof("for-mobile", common::Purpose::PasswordReset, MOBILE);
    codes.issue_proof("lookup-proof", common::Purpose::AccountLookup, MOBILE);
    let mut by_email = reset("for-mobile", OLD, "flow-4");
    by_email.channel = common::Channel::Email as i32;
    let cases = [
        (reset("forged", OLD, "flow-4"), "PROOF_INVALID"),
        (reset("lookup-proof", OLD, "flow-4"), "PROOF_PURPOSE_MISMATCH"),
        (by_email, "PROOF_PURPOSE_MISMATCH"),
    ];
    for (request, expected) in cases {
        let refused = app.client().await.reset_password(app.request(request)).await.expect_err(expected);
        assert_eq!(
            reason(&refused),
            expected,
            "not PASSWORD_TOO_SIMILAR: nothing learnt about the old password"
        );
    }
    let unknown =
        ResetPasswordRequest { account_id: "acc-nobody".into(), ..reset("for-mobile", NEW, "flow-5") };
    let refused = app.client().await.reset_password(app.request(unknown)).await.expect_err("no account");
    assert_eq!(reason(&refused), "ACCOUNT_NOT_FOUND");
    assert!(login(&app, OLD).await.is_ok());
    assert!(codes.notice_calls().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn every_malformed_field_is_named() {
    let (codes, app) = start().await;
    type Spoil = fn(&mut ResetPasswordRequest);
    let cases: [(&str, Spoil); 8] = [
        ("account_id", |r| r.account_id = String::new()),
        ("proof", |r| r.proof = " ".into()),
        ("new_password", |r| r.new_password = String::new()),
        ("new_password", |r| r.new_password = format!("Aa1!{}", "x".repeat(130))),
        ("new_password", |r| r.new_password = "Tea#Garden\n2027".into()),
        ("channel", |r| r.channel = 0),
        ("request_id", |r| r.request_id = String::new()),
        ("locale", |r| r.locale = "fr".into()),
    ];
    for (field, spoil) in cases {
        let mut request = reset("proof-6", NEW, "flow-6");
        spoil(&mut request);
        let refused = app.client().await.reset_password(app.request(request)).await.expect_err(field);
        assert_eq!(
            (refused.code(), reason(&refused).as_str()),
            (Code::InvalidArgument, "INVALID_ARGUMENT"),
            "{field}"
        );
        assert_eq!(fields(&refused), [field]);
    }
    assert!(codes.redeem_calls().is_empty());
    app.stop().await;
}
