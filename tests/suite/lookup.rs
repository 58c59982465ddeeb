//! SPEC §1 end to end through the gateway: find the account that holds a
//! filing. Codes are read from the delivery sink, as a developer would.

use std::time::Duration;

use beian_proto::{
    common::v1::{Applicant, Channel, LegacyAction, Purpose},
    gateway::v1::{
        LoginRequest, RequestAccountLookupReviewRequest, SendAccountLookupCodeRequest,
        StartAccountLookupRequest, StartAccountLookupResponse, VerifyAccountLookupCodeRequest,
        account_lookup_service_client::AccountLookupServiceClient,
        account_service_client::AccountServiceClient, staff_review_service_client::StaffReviewServiceClient,
    },
    identity_recovery::v1::{
        CompleteAccountLookupRequest, identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
    verification_codes::v1::{
        CheckCodeRequest, RedeemProofRequest, SendCodeRequest,
        verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
        verification_codes_service_client::VerificationCodesServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use tonic::{Code, Request, transport::Channel as GrpcChannel};
use tonic_types::StatusExt;

use crate::reason;

pub const MOBILE: &str = "15212341234";

pub async fn demo_suite() -> TestSuite {
    TestSuite::start_with(|s| s.seed_demo = true).await
}

pub async fn start(suite: &TestSuite, domain: &str) -> Result<StartAccountLookupResponse, tonic::Status> {
    let token = suite.human_check_token().await;
    let mut lookup = AccountLookupServiceClient::new(suite.gateway().await);
    lookup
        .start_account_lookup(StartAccountLookupRequest { domain: domain.into(), human_check_token: token })
        .await
        .map(tonic::Response::into_inner)
}

/// Once the login-name notices arrived and whatever else was on its way had time to:
/// exactly one code and one pair of notices (mobile and email) went out.
pub async fn assert_one_code_and_one_notice_pair(suite: &TestSuite) {
    suite.wait_for_messages(2, |m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = suite.messages();
    let codes =
        messages.iter().filter(|m| m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))).count();
    let notices =
        messages.iter().filter(|m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).count();
    assert_eq!((codes, notices), (1, 2), "{messages:#?}");
}

/// Seed 000's sentence beside a login name sent to the bound contacts, and its English.
const LOGIN_NAME_NOTICE: (&str, &str) = (
    "您的登录名将会发送到您绑定的手机号或邮箱里，请注意查收。",
    "Your login name will be sent to the mobile number or email address bound to your account. \
     Please check for it.",
);

/// The request as a client reading English sends it (`accept-language`, as browsers do).
pub fn in_english<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("accept-language", "en-US,en;q=0.9,zh-CN;q=0.8".parse().unwrap());
    request
}

pub fn lookup_client(channel: GrpcChannel) -> AccountLookupServiceClient<GrpcChannel> {
    AccountLookupServiceClient::new(channel)
}

#[tokio::test]
async fn the_login_name_is_sent_and_shown_masked() {
    let suite = demo_suite().await;
    let started = start(&suite, "WWW.Shop-Zhang.CN.").await.expect("filed domain");
    assert_eq!(started.masked_mobile, "152****1234");
    assert_eq!(started.methods.len(), 2, "SMS and customer service");
    assert_eq!(started.legacy_action, LegacyAction::None as i32);

    let mut lookup = lookup_client(suite.gateway().await);
    let sent = lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() })
        .await
        .expect("code sent")
        .into_inner()
        .code
        .expect("code");
    assert_eq!(sent.masked_destination, "152****1234");
    let code = suite.code_sent_to(MOBILE, 1).await;

    let verify = VerifyAccountLookupCodeRequest { flow_id: started.flow_id.clone(), code };
    let done = lookup.verify_account_lookup_code(verify.clone()).await.expect("verified").into_inner();
    assert_eq!(done.masked_login_name, "zh***9");
    assert_eq!(done.notice, LOGIN_NAME_NOTICE.0, "zh-CN by default");
    let places: Vec<(i32, &str)> =
        done.sent_to.iter().map(|c| (c.channel, c.masked_destination.as_str())).collect();
    assert!(places.contains(&(Channel::Sms as i32, "152****1234")), "{places:?}");
    assert!(places.contains(&(Channel::Email as i32, "z***@example.com")), "{places:?}");

    // the full login name went to the bound contacts, never to the page
    let notices =
        suite.wait_for_messages(2, |m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).await;
    let destinations: Vec<&str> = notices.iter().filter_map(|m| m["destination"].as_str()).collect();
    assert!(
        destinations.contains(&MOBILE) && destinations.contains(&"zhang.wei@example.com"),
        "{destinations:?}"
    );

    // a retried last step answers the same (in the caller's language) and sends nothing twice
    let again = lookup.verify_account_lookup_code(in_english(verify)).await.expect("retry").into_inner();
    assert_eq!(again.masked_login_name, "zh***9");
    assert_eq!(again.notice, LOGIN_NAME_NOTICE.1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let notices = suite
        .messages()
        .into_iter()
        .filter(|m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019")));
    assert_eq!(notices.count(), 2);
    suite.stop().await;
}

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    let suite = demo_suite().await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let mut lookup = lookup_client(suite.gateway().await);
    lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() })
        .await
        .expect("code sent");
    let code = suite.code_sent_to(MOBILE, 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempts_left in (0..5).rev() {
        let status = lookup
            .verify_account_lookup_code(VerifyAccountLookupCodeRequest {
                flow_id: started.flow_id.clone(),
                code: wrong.into(),
            })
            .await
            .expect_err("wrong code");
        assert_eq!(reason(&status), "CODE_INCORRECT");
        let info = status.get_details_error_info().expect("ErrorInfo");
        assert_eq!(
            info.metadata.get("attempts_left").map(String::as_str),
            Some(attempts_left.to_string().as_str())
        );
    }
    let dead = lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: started.flow_id.clone(), code })
        .await
        .expect_err("dead code");
    assert_eq!(reason(&dead), "CODE_ATTEMPTS_EXHAUSTED");
    suite.stop().await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.code_policy.code_ttl = Duration::from_millis(600);
    })
    .await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let mut lookup = lookup_client(suite.gateway().await);
    lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() })
        .await
        .expect("code sent");
    let code = suite.code_sent_to(MOBILE, 1).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let status = lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: started.flow_id, code })
        .await
        .expect_err("expired");
    assert_eq!(reason(&status), "CODE_EXPIRED");
    suite.stop().await;
}

/// Steps racing on one flow: each is decided by the flow's compare-and-set and the
/// idempotency keys, so however many arrive at once, one code goes out and one pair of
/// login-name notices; the losers are told the step is out of order (or, for a send
/// that read the advanced flow, that the cooldown runs).
#[tokio::test]
async fn racing_steps_on_one_flow_send_one_code_and_one_notice_pair() {
    let suite = demo_suite().await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let lookup = lookup_client(suite.gateway().await);
    let send = SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() };
    let sends = futures::future::join_all((0..8).map(|_| {
        let (mut lookup, send) = (lookup.clone(), send.clone());
        async move { lookup.send_account_lookup_code(send).await }
    }))
    .await;
    assert!(sends.iter().any(Result::is_ok), "{sends:?}");
    for lost in sends.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            ["WORKFLOW_STEP_OUT_OF_ORDER", "CODE_RESEND_TOO_SOON"].contains(&reason(lost).as_str()),
            "{lost:?}"
        );
    }
    let code = suite.code_sent_to(MOBILE, 1).await;

    let verify = VerifyAccountLookupCodeRequest { flow_id: started.flow_id.clone(), code };
    let verifies = futures::future::join_all((0..8).map(|_| {
        let (mut lookup, verify) = (lookup.clone(), verify.clone());
        async move { lookup.verify_account_lookup_code(verify).await }
    }))
    .await;
    assert!(verifies.iter().any(Result::is_ok), "{verifies:?}");
    for result in &verifies {
        match result {
            Ok(done) => assert_eq!(done.get_ref().masked_login_name, "zh***9"),
            Err(lost) => assert_eq!(reason(lost), "WORKFLOW_STEP_OUT_OF_ORDER", "{lost:?}"),
        }
    }
    assert_one_code_and_one_notice_pair(&suite).await;
    suite.stop().await;
}

#[tokio::test]
async fn resends_wait_for_the_cooldown_and_stop_at_the_daily_cap() {
    let suite = demo_suite().await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let mut lookup = lookup_client(suite.gateway().await);
    let send = SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() };
    lookup.send_account_lookup_code(send.clone()).await.expect("first code");
    let soon = lookup.send_account_lookup_code(send).await.expect_err("inside the cooldown");
    assert_eq!(soon.code(), Code::ResourceExhausted);
    assert_eq!(reason(&soon), "CODE_RESEND_TOO_SOON");
    let wait = soon.get_details_retry_info().and_then(|r| r.retry_delay).expect("RetryInfo");
    assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
    suite.stop().await;

    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.code_policy.resend_cooldown = Duration::ZERO;
        s.code_policy.destination_per_hour = 100;
        s.code_policy.destination_per_day = 3;
    })
    .await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let mut lookup = lookup_client(suite.gateway().await);
    let send = SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() };
    for _ in 0..3 {
        lookup.send_account_lookup_code(send.clone()).await.expect("under the cap");
    }
    let capped = lookup.send_account_lookup_code(send).await.expect_err("daily cap");
    assert_eq!(reason(&capped), "DESTINATION_DAILY_LIMIT");
    assert!(capped.get_details_retry_info().is_some());
    suite.stop().await;
}

#[tokio::test]
async fn a_proof_serves_once_and_only_its_purpose() {
    let suite = demo_suite().await;
    let mut codes =
        VerificationCodesServiceClient::new(suite.channel(suite.addresses().verification_codes).await);
    let mut proofs = VerificationCodesInternalServiceClient::new(
        suite.channel(suite.addresses().verification_codes).await,
    );
    let mut identity =
        IdentityRecoveryServiceClient::new(suite.channel(suite.addresses().identity_recovery).await);

    let mut proof_for = async |purpose: Purpose, nth: usize| {
        let sent = codes
            .send_code(with_credential(
                &suite,
                SendCodeRequest {
                    channel: Channel::Sms as i32,
                    destination: MOBILE.into(),
                    purpose: purpose as i32,
                    client_ip: "198.51.100.7".into(),
                    locale: "zh-CN".into(),
                    request_id: format!("suite-test-{nth}"),
                    decoy: false,
                },
            ))
            .await
            .expect("sent")
            .into_inner();
        let code = suite.code_sent_to(MOBILE, nth).await;
        codes
            .check_code(with_credential(
                &suite,
                CheckCodeRequest {
                    code_id: sent.code_id,
                    code,
                    client_ip: "198.51.100.7".into(),
                    request_id: format!("suite-test-check-{nth}"),
                },
            ))
            .await
            .expect("checked")
            .into_inner()
            .proof
    };

    // a proof for password resets does not complete an account lookup
    let reset_proof = proof_for(Purpose::PasswordReset, 1).await;
    let refused = identity
        .complete_account_lookup(with_credential(
            &suite,
            CompleteAccountLookupRequest {
                proof: reset_proof,
                account_id: "1000000000000001".into(),
                locale: "zh-CN".into(),
                destination: MOBILE.into(),
                request_id: "test-lookup-1".into(),
            },
        ))
        .await
        .expect_err("wrong purpose");
    assert_eq!(reason(&refused), "PROOF_PURPOSE_MISMATCH");

    // a lookup proof is redeemed once
    let proof = proof_for(Purpose::AccountLookup, 2).await;
    let redeem = || RedeemProofRequest {
        proof: proof.clone(),
        purpose: Purpose::AccountLookup as i32,
        destination: MOBILE.into(),
        redemption_key: String::new(),
        notices: Vec::new(),
    };
    proofs.redeem_proof(with_credential(&suite, redeem())).await.expect("first redemption");
    let twice = proofs.redeem_proof(with_credential(&suite, redeem())).await.expect_err("second");
    assert_eq!(reason(&twice), "PROOF_ALREADY_REDEEMED");
    suite.stop().await;
}

#[tokio::test]
async fn unknown_and_legacy_only_domains() {
    let suite = demo_suite().await;
    let unknown = start(&suite, "never-filed.example.cn").await.expect_err("unknown");
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(reason(&unknown), "DOMAIN_NOT_FILED");

    for (domain, action, date) in [
        ("pioneer-2008.cn", LegacyAction::Claim, (2008, 4, 15)),
        ("old-shop.com.cn", LegacyAction::Import, (2012, 5, 20)),
        ("late-2017.cn", LegacyAction::None, (2017, 3, 15)),
        ("moved-away.cn", LegacyAction::MovedAway, (2009, 1, 10)),
    ] {
        let started = start(&suite, domain).await.unwrap_or_else(|e| panic!("{domain}: {e}"));
        assert_eq!(started.legacy_action, action as i32, "{domain}");
        let on = started.legacy_submitted_on.expect("submission date");
        assert_eq!((on.year, on.month, on.day), date, "{domain}");
        assert!(
            started.flow_id.is_empty() && started.methods.is_empty(),
            "{domain}: no current account holds it"
        );
    }

    // imported long ago: held by a current account, and the legacy platform says so
    let imported = start(&suite, "imported-site.cn").await.expect("imported");
    assert_eq!(imported.legacy_action, LegacyAction::AlreadyMigrated as i32);
    assert!(!imported.flow_id.is_empty());
    suite.stop().await;
}

#[tokio::test]
async fn malformed_input_names_the_field() {
    let suite = demo_suite().await;
    let mut lookup = lookup_client(suite.gateway().await);
    let field = |status: tonic::Status| {
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        status.get_details_bad_request().expect("BadRequest").field_violations[0].field.clone()
    };

    let token = suite.human_check_token().await;
    let bad_domain = lookup
        .start_account_lookup(StartAccountLookupRequest {
            domain: "not a domain".into(),
            human_check_token: token,
        })
        .await
        .expect_err("bad domain");
    assert_eq!(field(bad_domain), "domain");
    let no_token = lookup
        .start_account_lookup(StartAccountLookupRequest {
            domain: "shop-zhang.cn".into(),
            human_check_token: " ".into(),
        })
        .await
        .expect_err("no token");
    assert_eq!(field(no_token), "human_check_token");
    let bad_flow = lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: "42".into() })
        .await
        .expect_err("bad flow");
    assert_eq!(field(bad_flow), "flow_id");

    let started = start(&suite, "shop-zhang.cn").await.expect("filed");
    let bad_code = lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest {
            flow_id: started.flow_id.clone(),
            code: "12ab56".into(),
        })
        .await
        .expect_err("bad code");
    assert_eq!(field(bad_code), "code");
    let early = lookup
        .verify_account_lookup_code(VerifyAccountLookupCodeRequest {
            flow_id: started.flow_id.clone(),
            code: "123456".into(),
        })
        .await
        .expect_err("no code sent yet");
    assert_eq!(reason(&early), "WORKFLOW_STEP_OUT_OF_ORDER");
    let gone = lookup
        .send_account_lookup_code(SendAccountLookupCodeRequest {
            flow_id: "0123456789abcdef0123456789abcdef".into(),
        })
        .await
        .expect_err("unknown flow");
    assert_eq!(reason(&gone), "WORKFLOW_NOT_FOUND");
    let bad_mobile = lookup
        .request_account_lookup_review(RequestAccountLookupReviewRequest {
            flow_id: started.flow_id,
            applicant: Some(Applicant {
                name: "张伟".into(),
                mobile: "12345".into(),
                ..Applicant::default()
            }),
            description: "手机号已停用".into(),
            documents: vec![],
            human_check_token: String::new(),
        })
        .await
        .expect_err("bad mobile");
    assert!(field(bad_mobile).contains("mobile"));
    suite.stop().await;
}

#[tokio::test]
async fn a_human_check_pass_serves_one_step() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let mut lookup = lookup_client(suite.gateway().await);
    let request = StartAccountLookupRequest { domain: "shop-zhang.cn".into(), human_check_token: token };
    lookup.start_account_lookup(request.clone()).await.expect("first use");
    let reused = lookup.start_account_lookup(request).await.expect_err("second use");
    assert_eq!(reason(&reused), "HUMAN_CHECK_EXPIRED");
    suite.stop().await;
}

#[tokio::test]
async fn customer_service_requests_reach_the_staff_queue() {
    let suite = demo_suite().await;
    let started = start(&suite, "shop-zhang.cn").await.expect("filed");
    let mut lookup = lookup_client(suite.gateway().await);
    let ticket = lookup
        .request_account_lookup_review(RequestAccountLookupReviewRequest {
            flow_id: started.flow_id,
            applicant: Some(Applicant {
                name: "张伟".into(),
                mobile: "13912340000".into(),
                email: "zw.new@example.net".into(),
                ..Applicant::default()
            }),
            description: "原手机号已停用".into(),
            documents: vec![],
            human_check_token: suite.human_check_token().await,
        })
        .await
        .expect("request opened")
        .into_inner()
        .ticket
        .expect("ticket");
    assert!(ticket.case_number.starts_with("RV"));
    let (submitted, deadline) = (ticket.submit_time.expect("submitted"), ticket.deadline.expect("deadline"));
    assert!(deadline.seconds > submitted.seconds, "a deadline after submission");
    assert!(deadline.seconds - submitted.seconds <= 12 * 24 * 3600, "one business day, holidays included");

    let mut accounts = AccountServiceClient::new(suite.gateway().await);
    let login =
        |name: &str| LoginRequest { login_name: name.into(), password: beian::demo::ACCOUNT_PASSWORD.into() };
    let staff_token =
        accounts.login(login("reviewer01")).await.expect("staff login").into_inner().session_token;
    let user_token = accounts.login(login("lisi-new")).await.expect("user login").into_inner().session_token;
    let mut staff = StaffReviewServiceClient::new(suite.gateway().await);
    let list = |token: &str| {
        let mut request = Request::new(beian_proto::gateway::v1::ListReviewCasesRequest::default());
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
        request
    };
    let queue = staff.list_review_cases(list(&staff_token)).await.expect("the queue").into_inner();
    let case = queue
        .review_cases
        .iter()
        .find(|c| c.ticket.as_ref().is_some_and(|t| t.case_number == ticket.case_number))
        .expect("the new case is queued");
    assert_eq!(case.domain, "shop-zhang.cn");
    assert_eq!(case.masked_applicant_mobile, "139****0000");
    assert!(!case.masked_applicant_name.contains('伟'), "name masked: {}", case.masked_applicant_name);

    let refused = staff.list_review_cases(list(&user_token)).await.expect_err("not staff");
    assert_eq!(reason(&refused), "STAFF_ONLY");
    suite.stop().await;
}
