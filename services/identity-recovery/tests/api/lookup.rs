//! CompleteAccountLookup against a fake verification-codes (SPEC §1 step 3).

use beian_common::calendar::BusinessCalendar;
use beian_platform::config::Secret;
use beian_proto::{
    common::v1 as common, identity_recovery::v1::CompleteAccountLookupRequest,
    verification_codes::v1::NoticeTemplate,
};
use identity_recovery::{accounts::Site, seed::SeedAccount};
use tonic::Code;

use crate::{
    fake_codes::FakeCodes,
    support::{TestApp, fields, reason},
};

const MOBILE: &str = "15212341234";

async fn start() -> (FakeCodes, TestApp) {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = TestApp::start_with(&codes.url(), token, BusinessCalendar::china_default()).await;
    seed_account(&app).await;
    (codes, app)
}

/// The account whose login name the lookups send.
async fn seed_account(app: &TestApp) {
    identity_recovery::seed::insert_accounts(
        app.database(),
        &[SeedAccount {
            account_id: "acc-zhang",
            login_name: "zhangwei2019",
            site: Site::Cn,
            mobile: "13912345678",
            email: "zhangwei@example.com",
            password: "Demo#2026pass",
            staff: false,
        }],
    )
    .await
    .expect("seed account");
}

fn lookup(proof: &str, request_id: &str) -> CompleteAccountLookupRequest {
    CompleteAccountLookupRequest {
        proof: proof.into(),
        account_id: "acc-zhang".into(),
        locale: "en".into(),
        destination: MOBILE.into(),
        request_id: request_id.into(),
    }
}

#[tokio::test]
async fn login_name_goes_to_both_bound_contacts() {
    let (codes, app) = start().await;
    codes.issue_lookup_proof("proof-1", MOBILE);
    let mut client = app.client().await;

    // the destination as typed with +86 and spaces is the same mobile
    let request = CompleteAccountLookupRequest {
        destination: "+86 152 1234 1234".into(),
        ..lookup("proof-1", "flow-1")
    };
    let answer =
        client.complete_account_lookup(app.request(request)).await.expect("lookup completes").into_inner();

    assert_eq!(answer.masked_login_name, "zh***9");
    let sent: Vec<(i32, &str)> =
        answer.sent_to.iter().map(|c| (c.channel, c.masked_destination.as_str())).collect();
    assert_eq!(
        sent,
        [(common::Channel::Sms as i32, "139****5678"), (common::Channel::Email as i32, "z***@example.com")]
    );

    let redeemed = codes.redeem_calls();
    assert_eq!(redeemed.len(), 1);
    assert_eq!(redeemed[0].purpose, common::Purpose::AccountLookup as i32);
    assert_eq!(redeemed[0].destination, MOBILE);
    assert_eq!(redeemed[0].redemption_key, "flow-1");
    assert_eq!(redeemed[0].notices.len(), 2, "the notices are queued with the redemption, in one call");

    let notices = codes.notice_calls();
    let summary: Vec<(&str, i32, &str)> =
        notices.iter().map(|n| (n.idempotency_key.as_str(), n.channel, n.destination.as_str())).collect();
    assert_eq!(
        summary,
        [
            ("flow-1:login-name:sms", common::Channel::Sms as i32, "13912345678"),
            ("flow-1:login-name:email", common::Channel::Email as i32, "zhangwei@example.com"),
        ]
    );
    for notice in &notices {
        assert_eq!(notice.template, NoticeTemplate::LoginName as i32);
        assert_eq!(notice.locale, "en");
        assert_eq!(notice.params.get("login_name").map(String::as_str), Some("zhangwei2019"));
        assert_eq!(notice.params.len(), 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_retry_sends_nothing_new_and_another_use_of_the_proof_is_refused() {
    let (codes, app) = start().await;
    codes.issue_lookup_proof("proof-2", MOBILE);
    let mut client = app.client().await;

    // verification-codes fails half-way (the email notice): the lookup says retry later
    codes.fail_notices(1);
    let mut request = lookup("proof-2", "flow-2");
    request.locale = String::new();
    let failed = client.complete_account_lookup(app.request(request.clone())).await.expect_err("outbox down");
    assert_eq!(failed.code(), Code::Unavailable);
    assert_eq!(reason(&failed), "DEPENDENCY_UNAVAILABLE");

    for _ in 0..2 {
        client.complete_account_lookup(app.request(request.clone())).await.expect("a retry succeeds");
    }
    assert_eq!(codes.outbox_keys(), ["flow-2:login-name:email", "flow-2:login-name:sms"]);
    assert!(codes.notice_calls().iter().all(|n| n.locale == "zh-CN"), "empty locale means zh-CN");

    let reused = client
        .complete_account_lookup(app.request(lookup("proof-2", "another-flow")))
        .await
        .expect_err("the proof served flow-2");
    assert_eq!(reused.code(), Code::FailedPrecondition);
    assert_eq!(reason(&reused), "PROOF_ALREADY_REDEEMED");
    assert_eq!(codes.outbox_keys().len(), 2, "nothing sent for the refused use");
    app.stop().await;
}

#[tokio::test]
async fn proof_refusals_pass_through_with_their_reason() {
    let (codes, app) = start().await;
    codes.issue_proof("reset-proof", common::Purpose::PasswordReset, MOBILE);
    codes.issue_lookup_proof("other-mobile", "13800000000");
    let mut client = app.client().await;

    let cases = [
        ("forged", Code::PermissionDenied, "PROOF_INVALID"),
        ("reset-proof", Code::PermissionDenied, "PROOF_PURPOSE_MISMATCH"),
        ("other-mobile", Code::PermissionDenied, "PROOF_PURPOSE_MISMATCH"),
    ];
    for (proof, code, expected) in cases {
        let refused =
            client.complete_account_lookup(app.request(lookup(proof, "flow-3"))).await.expect_err(proof);
        assert_eq!((refused.code(), reason(&refused).as_str()), (code, expected), "{proof}");
    }
    assert!(codes.notice_calls().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_account_is_not_found_and_spends_no_proof() {
    let (codes, app) = start().await;
    codes.issue_lookup_proof("proof-4", MOBILE);
    let mut client = app.client().await;
    let request =
        CompleteAccountLookupRequest { account_id: "acc-nobody".into(), ..lookup("proof-4", "flow-4") };
    let refused = client.complete_account_lookup(app.request(request)).await.expect_err("no such account");
    assert_eq!(refused.code(), Code::NotFound);
    assert_eq!(reason(&refused), "ACCOUNT_NOT_FOUND");
    assert!(codes.redeem_calls().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn every_malformed_field_is_named() {
    let (codes, app) = start().await;
    let mut client = app.client().await;
    type Spoil = fn(&mut CompleteAccountLookupRequest);
    let cases: [(&str, Spoil); 7] = [
        ("proof", |r| r.proof = " ".into()),
        ("account_id", |r| r.account_id = String::new()),
        ("locale", |r| r.locale = "fr".into()),
        ("destination", |r| r.destination = String::new()),
        ("destination", |r| r.destination = "12345".into()),
        ("request_id", |r| r.request_id = String::new()),
        ("request_id", |r| r.request_id = "x".repeat(129)),
    ];
    for (field, spoil) in cases {
        let mut request = lookup("proof-5", "flow-5");
        spoil(&mut request);
        let refused = client.complete_account_lookup(app.request(request)).await.expect_err(field);
        assert_eq!(refused.code(), Code::InvalidArgument, "{field}");
        assert_eq!(reason(&refused), "INVALID_ARGUMENT", "{field}");
        assert_eq!(fields(&refused), [field]);
        assert!(!refused.message().contains("12345"), "no input echoed");
    }
    assert!(codes.redeem_calls().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn verification_codes_down_is_dependency_unavailable() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let app = TestApp::start(&url).await;
    seed_account(&app).await;
    let refused = app
        .client()
        .await
        .complete_account_lookup(app.request(lookup("proof-6", "flow-6")))
        .await
        .expect_err("verification-codes is down");
    assert_eq!(refused.code(), Code::Unavailable);
    assert_eq!(reason(&refused), "DEPENDENCY_UNAVAILABLE");
    app.stop().await;
}
