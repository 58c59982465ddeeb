//! SPEC §5 through the gateway: a logged-in holder moves its filing to another account
//! of the CN site (code to the holder's mobile, target preview, every rule), both sides
//! are told by SMS, and the old holder's view ends at once.

use beian_proto::gateway::v1::{
    CompleteTransferRequest, CompleteTransferResponse, LoginRequest, PreviewTransferTargetRequest,
    SendTransferCodeRequest, StartTransferRequest, StartTransferResponse,
    account_service_client::AccountServiceClient,
    filing_transfer_service_client::FilingTransferServiceClient,
};
use beian_tests::TestSuite;
use tonic::{Request, Status, transport::Channel};

use crate::{lookup::demo_suite, reason};

/// The demo's mobiles (`deploy/beian/src/demo.rs`).
const ZHANG_MOBILE: &str = "15212341234";
const LISI_MOBILE: &str = "13912345678";
const FILING: &str = "浙ICP备19012345号";

fn bearer<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

async fn login(suite: &TestSuite, login_name: &str) -> String {
    AccountServiceClient::new(suite.gateway().await)
        .login(LoginRequest { login_name: login_name.into(), password: beian::demo::ACCOUNT_PASSWORD.into() })
        .await
        .expect("demo login")
        .into_inner()
        .session_token
}

async fn transfers(suite: &TestSuite) -> FilingTransferServiceClient<Channel> {
    FilingTransferServiceClient::new(suite.gateway().await)
}

async fn start(suite: &TestSuite, session: &str) -> Result<StartTransferResponse, Status> {
    transfers(suite)
        .await
        .start_transfer(bearer(StartTransferRequest {}, session))
        .await
        .map(|r| r.into_inner())
}

/// Starts zhangwei2019's transfer and sends its code: the session, flow id and code.
async fn started_with_code(suite: &TestSuite) -> (String, String, String) {
    let session = login(suite, "zhangwei2019").await;
    let started = start(suite, &session).await.expect("starts");
    transfers(suite)
        .await
        .send_transfer_code(bearer(SendTransferCodeRequest { flow_id: started.flow_id.clone() }, &session))
        .await
        .expect("sends");
    let code = suite.code_sent_to(ZHANG_MOBILE, 1).await;
    (session, started.flow_id, code)
}

async fn complete(
    suite: &TestSuite,
    session: &str,
    flow_id: &str,
    code: &str,
    target: &str,
) -> Result<CompleteTransferResponse, Status> {
    let request = CompleteTransferRequest {
        flow_id: flow_id.into(),
        code: code.into(),
        target_login_name: target.into(),
    };
    transfers(suite).await.complete_transfer(bearer(request, session)).await.map(|r| r.into_inner())
}

#[tokio::test]
async fn a_holder_moves_its_filing_to_another_account_and_both_are_told() {
    let suite = demo_suite().await;
    let session = login(&suite, "zhangwei2019").await;
    let started = start(&suite, &session).await.expect("starts");
    assert_eq!((started.filing_number.as_str(), started.masked_mobile.as_str()), (FILING, "152****1234"));
    let sent = transfers(&suite)
        .await
        .send_transfer_code(bearer(SendTransferCodeRequest { flow_id: started.flow_id.clone() }, &session))
        .await
        .expect("sends")
        .into_inner();
    assert_eq!(sent.code.expect("a code").masked_destination, "152****1234");
    let code = suite.code_sent_to(ZHANG_MOBILE, 1).await;

    let preview = transfers(&suite)
        .await
        .preview_transfer_target(bearer(
            PreviewTransferTargetRequest {
                flow_id: started.flow_id.clone(),
                target_login_name: "lisi-new".into(),
            },
            &session,
        ))
        .await
        .expect("previews")
        .into_inner();
    assert_eq!(preview.masked_target_mobile, "139****5678");
    assert_eq!(preview.notice, "此信息仅供用来辅助核对对方账号");

    let done = complete(&suite, &session, &started.flow_id, &code, "lisi-new").await.expect("moves");
    assert_eq!(done.filing_number, FILING);
    assert!(!done.masked_target_login_name.contains("lisi-new") && done.transfer_time.is_some());
    // a retry (a lost answer) answers the same and moves nothing again
    let again = complete(&suite, &session, &started.flow_id, &code, "lisi-new").await.expect("answers again");
    assert_eq!(again, done);

    let notices = suite.wait_for_messages(2, |m| m["template"] == "TRANSFER_COMPLETED").await;
    let mut destinations: Vec<&str> = notices.iter().filter_map(|m| m["destination"].as_str()).collect();
    destinations.sort_unstable();
    assert_eq!(destinations, vec![LISI_MOBILE, ZHANG_MOBILE]);

    // the old holder's view ends; the new holder holds it (and could move it on)
    assert_eq!(reason(&start(&suite, &session).await.expect_err("holds nothing")), "NO_SUBJECT_HELD");
    let lisi = login(&suite, "lisi-new").await;
    assert_eq!(start(&suite, &lisi).await.expect("holds it now").filing_number, FILING);
    suite.stop().await;
}

#[tokio::test]
async fn every_transfer_rule_refuses_through_the_gateway_and_nothing_moves() {
    let suite = demo_suite().await;
    let busy = login(&suite, "zhao-busy").await;
    assert_eq!(reason(&start(&suite, &busy).await.expect_err("order in progress")), "ORDER_IN_PROGRESS");
    let lisi = login(&suite, "lisi-new").await;
    assert_eq!(reason(&start(&suite, &lisi).await.expect_err("holds nothing")), "NO_SUBJECT_HELD");

    let (session, flow_id, code) = started_with_code(&suite).await;
    // someone else's session does not see the flow
    let stranger = complete(&suite, &lisi, &flow_id, &code, "lisi-new").await.expect_err("not theirs");
    assert_eq!(reason(&stranger), "WORKFLOW_NOT_FOUND");
    for (target, expected) in [
        ("nobody-at-all", "TRANSFER_TARGET_NOT_FOUND"),
        ("zhangwei2019", "TRANSFER_TO_SELF"),
        ("wang-intl", "TRANSFER_SITE_NOT_SUPPORTED"),
        ("hangzhou-tea", "TRANSFER_TARGET_HOLDS_SUBJECT"),
        ("zhao-busy", "TRANSFER_TARGET_HAS_ORDER_IN_PROGRESS"),
    ] {
        let refused = complete(&suite, &session, &flow_id, &code, target).await.expect_err(target);
        assert_eq!(reason(&refused), expected, "{target}");
    }
    // the code proved once still serves the same flow: a right target then succeeds
    complete(&suite, &session, &flow_id, &code, "lisi-new").await.expect("moves");
    suite.stop().await;
}

#[tokio::test]
async fn the_last_step_needs_a_code_sent_first() {
    let suite = demo_suite().await;
    let session = login(&suite, "zhangwei2019").await;
    let started = start(&suite, &session).await.expect("starts");
    let early =
        complete(&suite, &session, &started.flow_id, "123456", "lisi-new").await.expect_err("no code yet");
    assert_eq!(reason(&early), "WORKFLOW_STEP_OUT_OF_ORDER");
    let no_session =
        transfers(&suite).await.start_transfer(StartTransferRequest {}).await.expect_err("anonymous");
    assert_eq!(reason(&no_session), "SESSION_REQUIRED");
    suite.stop().await;
}
