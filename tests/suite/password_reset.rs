//! 找回密码 end to end through the gateway: the password of a current account is reset
//! with a code to its mobile or email; the policy of seed 003; unknown login names get a
//! decoy flow that answers like a real one.

use std::time::Duration;

use beian_proto::{
    common::v1::{Channel, MaskedContact},
    gateway::v1::{
        CodeSent, CompletePasswordResetRequest, GetMyAccountRequest, LoginRequest,
        SendPasswordResetCodeRequest, StartPasswordResetRequest, StartPasswordResetResponse,
        account_service_client::AccountServiceClient,
    },
};
use beian_tests::TestSuite;
use tonic::{Code, Request, Status, transport::Channel as GrpcChannel};
use tonic_types::StatusExt;

use crate::{
    lookup::{MOBILE, demo_suite, start as start_lookup},
    lost_answers::{IdentityInternal, IdentityPublic, start_proxy},
    messages, reason,
};

const EMAIL: &str = "zhang.wei@example.com";
const OLD: &str = "Demo#2026pass";
const NEW: &str = "Tea#Garden2027";

fn accounts(channel: GrpcChannel) -> AccountServiceClient<GrpcChannel> {
    AccountServiceClient::new(channel)
}

async fn start(suite: &TestSuite, login_name: &str) -> Result<StartPasswordResetResponse, Status> {
    let human_check_token = suite.human_check_token().await;
    accounts(suite.gateway().await)
        .start_password_reset(StartPasswordResetRequest { login_name: login_name.into(), human_check_token })
        .await
        .map(tonic::Response::into_inner)
}

async fn send(suite: &TestSuite, flow_id: &str, channel: Channel) -> Result<CodeSent, Status> {
    let request = SendPasswordResetCodeRequest { flow_id: flow_id.into(), channel: channel as i32 };
    accounts(suite.gateway().await)
        .send_password_reset_code(request)
        .await
        .map(|answer| answer.into_inner().code.expect("code"))
}

async fn complete(suite: &TestSuite, flow_id: &str, code: &str, new_password: &str) -> Result<(), Status> {
    let request = CompletePasswordResetRequest {
        flow_id: flow_id.into(),
        code: code.into(),
        new_password: new_password.into(),
    };
    accounts(suite.gateway().await).complete_password_reset(request).await.map(drop)
}

async fn login(suite: &TestSuite, login_name: &str, password: &str) -> Result<String, Status> {
    accounts(suite.gateway().await)
        .login(LoginRequest { login_name: login_name.into(), password: password.into() })
        .await
        .map(|answer| answer.into_inner().session_token)
}

fn contacts(contacts: &[MaskedContact]) -> Vec<(i32, &str)> {
    contacts.iter().map(|c| (c.channel, c.masked_destination.as_str())).collect()
}

fn password_changed(message: &serde_json::Value) -> bool {
    message["template"] == "PASSWORD_CHANGED"
}

#[tokio::test]
async fn a_password_is_reset_by_email_code_and_every_session_ends() {
    let suite = demo_suite().await;
    let session = login(&suite, "zhangwei2019", OLD).await.expect("logs in");

    let started = start(&suite, " ZhangWei2019 ").await.expect("started");
    assert_eq!(
        contacts(&started.contacts),
        [(Channel::Sms as i32, "152****1234"), (Channel::Email as i32, "z***@example.com")]
    );
    let sent = send(&suite, &started.flow_id, Channel::Email).await.expect("sent");
    assert_eq!(sent.masked_destination, "z***@example.com");
    let code = suite.code_sent_to(EMAIL, 1).await;
    assert!(
        suite.messages().iter().all(|m| m["destination"] != MOBILE),
        "only the chosen contact got a code"
    );

    // each rule of the policy refuses with its reason in seed 003's words; the checked
    // code stays good
    let too_weak = ("PASSWORD_TOO_WEAK", "密码需包含大小写字母、数字、特殊字符，长度不少于8位");
    let too_common = ("PASSWORD_TOO_COMMON", "请避免使用过于简单的密码（如“123456”“admin”等）");
    let too_similar = ("PASSWORD_TOO_SIMILAR", "新密码需与旧密码有显著区别");
    for (password, (expected, said)) in [
        ("weakpass", too_weak),
        ("P@ssw0rd", too_common),
        (OLD, too_similar),
        ("dEMO#2026PASS", too_similar),
        ("dEmo#2026pass", too_similar),
        ("Demo#2026pass12", too_similar),
    ] {
        let refused = complete(&suite, &started.flow_id, &code, password).await.expect_err(password);
        assert_eq!(
            (refused.code(), reason(&refused).as_str(), messages(&refused).0.as_str()),
            (Code::InvalidArgument, expected, said),
            "{password}"
        );
    }
    let weak = complete(&suite, &started.flow_id, &code, "abcdefgh").await.expect_err("weak");
    let info = weak.get_details_error_info().expect("ErrorInfo");
    assert_eq!(info.metadata.get("unmet").map(String::as_str), Some("UPPERCASE,DIGIT,SPECIAL"));
    assert!(login(&suite, "zhangwei2019", OLD).await.is_ok(), "nothing changed yet");

    complete(&suite, &started.flow_id, &code, NEW).await.expect("reset");
    // a retry of the finished step answers the same and does nothing again
    complete(&suite, &started.flow_id, &code, NEW).await.expect("retry");

    let mut old_session = Request::new(GetMyAccountRequest {});
    old_session.metadata_mut().insert("authorization", format!("Bearer {session}").parse().expect("ascii"));
    let ended = accounts(suite.gateway().await).get_my_account(old_session).await.expect_err("session ended");
    assert_eq!(reason(&ended), "SESSION_REQUIRED");
    assert_eq!(reason(&login(&suite, "zhangwei2019", OLD).await.expect_err("old password")), "LOGIN_FAILED");
    login(&suite, "zhangwei2019", NEW).await.expect("the new password works");

    // one notice to the mobile and one to the email, also after the retry
    suite.wait_for_messages(2, password_changed).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let notices: Vec<String> = suite
        .messages()
        .iter()
        .filter(|m| password_changed(m))
        .map(|m| m["destination"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(notices.contains(&MOBILE.to_owned()) && notices.contains(&EMAIL.to_owned()), "{notices:?}");
    // no password in any message
    assert!(suite.messages().iter().all(|m| !m.to_string().contains(NEW)));
    suite.stop().await;
}

#[tokio::test]
async fn an_unknown_login_name_gets_a_flow_like_a_real_one_that_never_succeeds() {
    let suite = demo_suite().await;
    let real = start(&suite, "lisi-new").await.expect("a real account");
    let decoy = start(&suite, "no-such-user").await.expect("an unknown name is not told apart");
    let again = start(&suite, "No-Such-User").await.expect("again");
    assert_eq!(decoy.contacts, again.contacts, "repeated probes agree");
    assert_eq!(decoy.flow_id.len(), real.flow_id.len());
    let shape = |c: &[MaskedContact]| -> Vec<(i32, usize, bool)> {
        c.iter()
            .map(|c| {
                (c.channel, c.masked_destination.find('*').unwrap_or(0), c.masked_destination.contains('@'))
            })
            .collect()
    };
    assert_eq!(shape(&decoy.contacts), shape(&real.contacts), "{:?} vs {:?}", decoy.contacts, real.contacts);
    let seconds = |expiry: Option<i64>| expiry.unwrap_or_default();
    let (decoy_flow_expiry, real_flow_expiry) = (
        seconds(decoy.expire_time.as_ref().map(|t| t.seconds)),
        seconds(real.expire_time.as_ref().map(|t| t.seconds)),
    );
    assert!((decoy_flow_expiry - real_flow_expiry).abs() <= 2);

    // the send answers the same way and sends nothing
    let real_sent = send(&suite, &real.flow_id, Channel::Sms).await.expect("real send");
    let decoy_sent = send(&suite, &decoy.flow_id, Channel::Sms).await.expect("decoy send");
    assert_eq!(decoy_sent.masked_destination, decoy.contacts[0].masked_destination);
    let lifetime = |s: &CodeSent| {
        (
            seconds(s.expire_time.as_ref().map(|t| t.seconds)),
            seconds(s.resend_time.as_ref().map(|t| t.seconds)),
        )
    };
    let ((real_expiry, real_resend), (decoy_expiry, decoy_resend)) =
        (lifetime(&real_sent), lifetime(&decoy_sent));
    assert!((real_expiry - decoy_expiry).abs() <= 2 && (real_resend - decoy_resend).abs() <= 2);
    suite.code_sent_to("13912345678", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(suite.messages().len(), 1, "the decoy sent nothing: {:#?}", suite.messages());

    // a resend within the cooldown: the same refusal
    for flow in [&real.flow_id, &decoy.flow_id] {
        let soon = send(&suite, flow, Channel::Sms).await.expect_err("cooldown");
        assert_eq!(reason(&soon), "CODE_RESEND_TOO_SOON");
        assert!(soon.get_details_retry_info().and_then(|r| r.retry_delay).is_some());
    }

    // wrong codes count down alike; the decoy's every code is wrong
    let attempts = |status: &Status| {
        status
            .get_details_error_info()
            .and_then(|i| i.metadata.get("attempts_left").cloned())
            .unwrap_or_default()
    };
    for left in ["4", "3", "2", "1", "0"] {
        for flow in [&real.flow_id, &decoy.flow_id] {
            let wrong = complete(&suite, flow, "000000", NEW).await.expect_err("wrong");
            assert_eq!((reason(&wrong).as_str(), attempts(&wrong).as_str()), ("CODE_INCORRECT", left));
        }
    }
    for flow in [&real.flow_id, &decoy.flow_id] {
        let done = complete(&suite, flow, "000000", NEW).await.expect_err("exhausted");
        assert_eq!(reason(&done), "CODE_ATTEMPTS_EXHAUSTED");
    }
    suite.stop().await;
}

#[tokio::test]
async fn steps_out_of_order_other_flows_and_bad_input_are_refused() {
    let suite = demo_suite().await;
    let started = start(&suite, "zhangwei2019").await.expect("started");

    let early = complete(&suite, &started.flow_id, "123456", NEW).await.expect_err("no code sent yet");
    assert_eq!(reason(&early), "WORKFLOW_STEP_OUT_OF_ORDER");

    let lookup_flow = start_lookup(&suite, "shop-zhang.cn").await.expect("lookup").flow_id;
    let other = send(&suite, &lookup_flow, Channel::Sms).await.expect_err("another workflow's flow");
    assert_eq!(reason(&other), "WORKFLOW_NOT_FOUND");

    let cases: Vec<(&str, Status)> = vec![
        ("channel", send(&suite, &started.flow_id, Channel::Unspecified).await.expect_err("channel")),
        ("flow_id", send(&suite, "42", Channel::Sms).await.expect_err("flow id")),
        ("code", complete(&suite, &started.flow_id, "12a456", NEW).await.expect_err("code")),
        ("new_password", complete(&suite, &started.flow_id, "123456", "").await.expect_err("password")),
        (
            "human_check_token",
            accounts(suite.gateway().await)
                .start_password_reset(StartPasswordResetRequest {
                    login_name: "zhangwei2019".into(),
                    human_check_token: String::new(),
                })
                .await
                .expect_err("no pass"),
        ),
        (
            "login_name",
            accounts(suite.gateway().await)
                .start_password_reset(StartPasswordResetRequest {
                    login_name: " ".into(),
                    human_check_token: suite.human_check_token().await,
                })
                .await
                .expect_err("no name"),
        ),
    ];
    for (field, status) in cases {
        assert_eq!(
            (status.code(), reason(&status).as_str()),
            (Code::InvalidArgument, "INVALID_ARGUMENT"),
            "{field}"
        );
        let named: Vec<String> = status
            .get_details_bad_request()
            .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
            .unwrap_or_default();
        assert_eq!(named, [field]);
    }
    assert!(suite.messages().is_empty(), "nothing was sent");
    suite.stop().await;
}

#[tokio::test]
async fn a_lost_reset_answer_is_retried_without_a_second_notice() {
    let (proxy, losing) = start_proxy::<IdentityPublic, IdentityInternal>(&["ResetPassword"]).await;
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.gateway_identity_recovery_url = Some(proxy);
    })
    .await;
    let target =
        tonic::transport::Endpoint::from_shared(format!("http://{}", suite.addresses().identity_recovery))
            .expect("endpoint")
            .connect_lazy();
    losing.target.set(target).expect("set once");

    let started = start(&suite, "zhangwei2019").await.expect("started");
    send(&suite, &started.flow_id, Channel::Sms).await.expect("sent");
    let code = suite.code_sent_to(MOBILE, 1).await;
    let lost = complete(&suite, &started.flow_id, &code, NEW).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    // the password is already the new one: the retry must not call it too similar
    complete(&suite, &started.flow_id, &code, NEW).await.expect("the retry answers the reset done");
    login(&suite, "zhangwei2019", NEW).await.expect("the new password works");

    suite.wait_for_messages(2, password_changed).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(suite.messages().iter().filter(|m| password_changed(m)).count(), 2, "one pair of notices");
    suite.stop().await;
}

#[tokio::test]
async fn racing_completions_reset_once_and_notify_once() {
    let suite = demo_suite().await;
    let started = start(&suite, "zhangwei2019").await.expect("started");
    send(&suite, &started.flow_id, Channel::Sms).await.expect("sent");
    let code = suite.code_sent_to(MOBILE, 1).await;

    let racers = (0..4).map(|_| complete(&suite, &started.flow_id, &code, NEW));
    let answers = futures::future::join_all(racers).await;
    for answer in &answers {
        if let Err(status) = answer {
            // a loser lost the flow's step, or was shed waiting for a hashing permit
            let reason = reason(status);
            assert!(["WORKFLOW_STEP_OUT_OF_ORDER", "OVERLOADED"].contains(&reason.as_str()), "{status:?}");
        }
    }
    assert!(answers.iter().any(Result::is_ok), "{answers:?}");
    complete(&suite, &started.flow_id, &code, NEW).await.expect("a later retry answers the reset done");
    login(&suite, "zhangwei2019", NEW).await.expect("the new password works");

    suite.wait_for_messages(2, password_changed).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = suite.messages();
    let codes =
        messages.iter().filter(|m| m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))).count();
    let notices = messages.iter().filter(|m| password_changed(m)).count();
    assert_eq!((codes, notices), (1, 2), "{messages:#?}");
    suite.stop().await;
}

#[tokio::test]
async fn an_unknown_login_name_meets_the_same_send_caps_and_failed_check_limit_as_a_real_one() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.code_policy.resend_cooldown = Duration::ZERO;
        s.code_policy.destination_per_hour = 2;
        s.code_policy.max_failures_per_day = 3;
    })
    .await;
    let real = start(&suite, "lisi-new").await.expect("a real account");
    let decoy = start(&suite, "no-such-user").await.expect("an unknown name");

    // what a prober sees of each, step by step
    let mut seen: Vec<Vec<&str>> = Vec::new();
    for flow in [&real.flow_id, &decoy.flow_id] {
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(
                send(&suite, flow, Channel::Sms).await.map_or_else(|s| reason(&s).as_str(), |_| "SENT"),
            );
        }
        for _ in 0..4 {
            let wrong = complete(&suite, flow, "000000", NEW).await.expect_err("wrong");
            answers.push(reason(&wrong).as_str());
        }
        answers
            .push(send(&suite, flow, Channel::Email).await.map_or_else(|s| reason(&s).as_str(), |_| "SENT"));
        seen.push(answers);
    }
    assert_eq!(
        seen[0],
        [
            "SENT",
            "SENT",
            "DESTINATION_HOURLY_LIMIT",
            "CODE_INCORRECT",
            "CODE_INCORRECT",
            "CODE_INCORRECT",
            "CODE_FAILURES_LIMIT",
            "SENT"
        ],
        "the real account"
    );
    assert_eq!(seen[1], seen[0], "the decoy answers alike");
    suite.stop().await;
}
