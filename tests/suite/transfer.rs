//! SPEC §5 through the gateway: a logged-in holder moves its filing to another account
//! of the CN site (code to the holder's mobile, target preview, every rule), both sides
//! are told by SMS, and the old holder's view ends at once. Every change is listed for the
//! holder (ListMyHolderHistory) and for staff (ListHolderHistory).

use beian_proto::{
    common::v1::SubjectNature,
    gateway::v1::{
        CompleteTransferRequest, CompleteTransferResponse, HolderChange, HolderChangeActor,
        ListHolderHistoryRequest as StaffHistoryRequest, ListMyHolderHistoryRequest,
        ListMyHolderHistoryResponse, LoginRequest, PreviewTransferTargetRequest, SendTransferCodeRequest,
        StartTransferRequest, StartTransferResponse, SubmitOfflineTransferRequest,
        account_service_client::AccountServiceClient, filing_service_client::FilingServiceClient,
        filing_transfer_service_client::FilingTransferServiceClient, list_holder_history_request::Of,
        staff_review_service_client::StaffReviewServiceClient,
    },
};
use beian_tests::TestSuite;
use tonic::{Request, Status, transport::Channel};

use crate::{
    lookup::{demo_suite, in_english},
    offline_transfer::{INDIVIDUAL, approve, submission, submit},
    reason,
};

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

    let target = PreviewTransferTargetRequest {
        flow_id: started.flow_id.clone(),
        target_login_name: "lisi-new".into(),
    };
    let preview = transfers(&suite)
        .await
        .preview_transfer_target(bearer(target.clone(), &session))
        .await
        .expect("previews")
        .into_inner();
    assert_eq!(preview.masked_target_mobile, "139****5678");
    assert_eq!(preview.notice, "此信息仅供用来辅助核对对方账号");
    // the notice follows the caller's language
    let mut english = in_english(target);
    english.metadata_mut().insert("authorization", format!("Bearer {session}").parse().unwrap());
    let preview =
        transfers(&suite).await.preview_transfer_target(english).await.expect("previews").into_inner();
    assert_eq!(preview.masked_target_mobile, "139****5678");
    assert_eq!(preview.notice, "This information is provided only to help verify the other party's account");

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

const ZHANG_UID: &str = "1000000000000001";
const LISI_UID: &str = "1000000000000003";
const REVIEWER_UID: &str = "1000000000000099";

/// (filing number, from, to, actor, staff UID, reason) of each change.
type Row = (String, String, String, HolderChangeActor, String, String);

fn rows(changes: &[HolderChange]) -> Vec<Row> {
    changes
        .iter()
        .map(|c| {
            let actor = HolderChangeActor::try_from(c.actor).expect("a known actor");
            let row = (c.filing_number.clone(), c.from_account_uid.clone(), c.to_account_uid.clone());
            (row.0, row.1, row.2, actor, c.staff_uid.clone(), c.reason.clone())
        })
        .collect()
}

async fn my_history(
    suite: &TestSuite,
    session: &str,
    page_size: i32,
    page_token: &str,
) -> ListMyHolderHistoryResponse {
    FilingServiceClient::new(suite.gateway().await)
        .list_my_holder_history(bearer(
            ListMyHolderHistoryRequest { page_size, page_token: page_token.into() },
            session,
        ))
        .await
        .expect("the caller's history")
        .into_inner()
}

async fn staff_history(suite: &TestSuite, session: &str, of: Of) -> Result<Vec<HolderChange>, Status> {
    StaffReviewServiceClient::new(suite.gateway().await)
        .list_holder_history(bearer(StaffHistoryRequest { of: Some(of), ..Default::default() }, session))
        .await
        .map(|r| r.into_inner().changes)
}

#[tokio::test]
async fn both_views_list_an_online_and_an_offline_change_with_who_when_from_to_why() {
    let suite = demo_suite().await;
    // online: zhangwei2019 → lisi-new
    let (zhang, flow_id, code) = started_with_code(&suite).await;
    complete(&suite, &zhang, &flow_id, &code, "lisi-new").await.expect("moves online");
    // offline: staff approve moving it on, from lisi-new back to zhangwei2019
    let token = suite.human_check_token().await;
    let request = SubmitOfflineTransferRequest {
        target_account_uid: ZHANG_UID.into(),
        ..submission(FILING, SubjectNature::Individual, INDIVIDUAL, token)
    };
    let ticket = submit(&suite, request).await.expect("opens");
    assert_eq!(approve(&suite, &ticket).await.failure_reason, 0, "applied");
    let offline = format!("offline transfer {}", ticket.case_number);

    let online_row = (
        FILING.into(),
        ZHANG_UID.into(),
        LISI_UID.into(),
        HolderChangeActor::Holder,
        String::new(),
        "online transfer".into(),
    );
    let seed_row = (
        FILING.into(),
        String::new(),
        ZHANG_UID.into(),
        HolderChangeActor::System,
        String::new(),
        "seed".into(),
    );
    let staff_row = |staff_uid: &str| -> Row {
        (
            FILING.into(),
            LISI_UID.into(),
            ZHANG_UID.into(),
            HolderChangeActor::Staff,
            staff_uid.into(),
            offline.clone(),
        )
    };

    // staff: by filing number (a website's number names its subject) and by account
    let reviewer = login(&suite, "reviewer01").await;
    let by_filing =
        staff_history(&suite, &reviewer, Of::FilingNumber(format!("{FILING}-1"))).await.expect("staff");
    assert_eq!(rows(&by_filing), vec![seed_row.clone(), online_row.clone(), staff_row(REVIEWER_UID)]);
    assert!(
        by_filing
            .windows(2)
            .all(|w| w[0].change_time.map(|t| t.seconds) <= w[1].change_time.map(|t| t.seconds))
    );
    assert!(by_filing.iter().all(|c| c.change_time.is_some_and(|t| t.seconds > 1_700_000_000)));
    let by_account = staff_history(&suite, &reviewer, Of::AccountUid(LISI_UID.into())).await.expect("staff");
    assert_eq!(rows(&by_account), vec![online_row.clone(), staff_row(REVIEWER_UID)]);

    // the holder now sees its subject's every change, the staff member by role only
    let zhang = login(&suite, "zhangwei2019").await;
    let mine = my_history(&suite, &zhang, 0, "").await;
    assert_eq!(rows(&mine.changes), vec![seed_row, online_row.clone(), staff_row("")]);
    assert!(mine.next_page_token.is_empty());
    // lisi-new held it for a while: both changes it took part in
    let lisi = login(&suite, "lisi-new").await;
    assert_eq!(rows(&my_history(&suite, &lisi, 0, "").await.changes), vec![online_row, staff_row("")]);

    // a page at a time, neither skipping nor repeating
    let first = my_history(&suite, &zhang, 2, "").await;
    assert_eq!(first.changes.len(), 2);
    let second = my_history(&suite, &zhang, 2, &first.next_page_token).await;
    assert_eq!([first.changes, second.changes].concat(), mine.changes);
    assert!(second.next_page_token.is_empty());

    // another holder sees its own subject only; a non-staff session is refused
    let tea = login(&suite, "hangzhou-tea").await;
    let theirs = my_history(&suite, &tea, 0, "").await.changes;
    assert_eq!(theirs.len(), 1);
    assert!(theirs.iter().all(|c| c.filing_number != FILING && c.to_account_uid == "1000000000000002"));
    let refused =
        staff_history(&suite, &zhang, Of::FilingNumber(FILING.into())).await.expect_err("not staff");
    assert_eq!(reason(&refused), "STAFF_ONLY");
    // another holder's page token lists nothing of theirs
    let foreign = FilingServiceClient::new(suite.gateway().await)
        .list_my_holder_history(bearer(
            ListMyHolderHistoryRequest { page_size: 2, page_token: first_token_of(&suite, &zhang).await },
            &tea,
        ))
        .await
        .expect_err("another listing's token");
    assert_eq!(foreign.code(), tonic::Code::InvalidArgument);
    suite.stop().await;
}

async fn first_token_of(suite: &TestSuite, session: &str) -> String {
    my_history(suite, session, 1, "").await.next_page_token
}
