//! FilingService (SPEC §6) end to end with the demo data: the holder's own filing, cancel
//! access (code, filing password, order), deregistration, abandoning, one order at a
//! time (also when racing), and the regulator's decision through `beian dev decide-order`.

use beian::dev::{self, OrderDecision};
use beian_platform::config::Secret;
use beian_proto::gateway::v1::{
    AbandonOrderRequest, CancelAccessRequest, ChangeFilingRequest, DeregisterRequest, GetMyFilingRequest,
    LoginRequest, MyFiling, MyOrder, SendCancelAccessCodeRequest, SubjectChange, WebsiteChange,
    account_service_client::AccountServiceClient, change_filing_request::Change,
    filing_service_client::FilingServiceClient,
};
use beian_tests::TestSuite;
use tonic::{Request, Status, transport::Channel};
use tonic_types::StatusExt;

use crate::reason;

const WEBSITE: &str = "浙ICP备19012345号-1";
const ZHANG_MOBILE: &str = "15212341234";

pub(crate) fn bearer<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// A change the registry accepts without an SMS code (or with its code): the order it started.
async fn ordered(suite: &TestSuite, request: Request<ChangeFilingRequest>) -> MyOrder {
    filing(suite).await.change_filing(request).await.expect("an order").into_inner().order.expect("an order")
}

pub(crate) async fn login(suite: &TestSuite, login_name: &str) -> String {
    AccountServiceClient::new(suite.gateway().await)
        .login(LoginRequest { login_name: login_name.into(), password: beian::demo::ACCOUNT_PASSWORD.into() })
        .await
        .expect("demo login")
        .into_inner()
        .session_token
}

pub(crate) async fn filing(suite: &TestSuite) -> FilingServiceClient<Channel> {
    FilingServiceClient::new(suite.gateway().await)
}

pub(crate) async fn my_filing(suite: &TestSuite, session: &str) -> Result<MyFiling, Status> {
    let reply = filing(suite).await.get_my_filing(bearer(GetMyFilingRequest {}, session)).await?;
    Ok(reply.into_inner().filing.expect("a filing"))
}

pub(crate) async fn deregister(
    suite: &TestSuite,
    session: &str,
    website: &str,
    password: &str,
) -> Result<MyOrder, Status> {
    let request = DeregisterRequest {
        website_number: website.into(),
        filing_password: password.into(),
        ..Default::default()
    };
    let reply = filing(suite).await.deregister(bearer(request, session)).await?;
    Ok(reply.into_inner().order.expect("an order"))
}

/// The regulator's decision, as `beian dev decide-order` makes it.
pub(crate) async fn decide(
    suite: &TestSuite,
    order_number: &str,
    decision: OrderDecision,
    note: &str,
) -> String {
    let token = Secret::new(suite.credential().1.to_str().expect("ascii"));
    let order = dev::decide_order(suite.addresses().filing_registry, &token, order_number, decision, note)
        .await
        .expect("decided");
    assert_eq!(order.order_number, order_number);
    beian_proto::filing_registry::v1::OrderState::try_from(order.state).unwrap().as_str_name().to_owned()
}

pub(crate) async fn demo() -> TestSuite {
    TestSuite::start_with(|s| s.seed_demo = true).await
}

#[tokio::test]
async fn the_holder_sees_its_filing_masked_with_the_order_in_progress() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let mine = my_filing(&suite, &zhang).await.expect("holds one");
    assert_eq!(mine.filing_number, "浙ICP备19012345号");
    assert_eq!(mine.masked_principal_mobile, "152****1234");
    assert_eq!(mine.masked_principal_email, "z***@example.com");
    assert_eq!(mine.websites.len(), 1);
    assert_eq!(mine.websites[0].website_number, WEBSITE);
    assert_eq!(mine.websites[0].state, "ACTIVE");
    assert_eq!(mine.websites[0].domains, ["shop-zhang.cn"], "www. is the same domain");
    assert!(mine.order_in_progress.is_none());

    let busy = my_filing(&suite, &login(&suite, "zhao-busy").await).await.expect("holds one");
    let order = busy.order_in_progress.expect("an order in progress");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CHANGE_WEBSITE", "IN_PROGRESS"));

    let nothing = my_filing(&suite, &login(&suite, "lisi-new").await).await.expect_err("holds nothing");
    assert_eq!(reason(&nothing), "NO_SUBJECT_HELD");
    let anonymous = filing(&suite).await.get_my_filing(GetMyFilingRequest {}).await.expect_err("no session");
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");
    suite.stop().await;
}

#[tokio::test]
async fn cancel_access_takes_a_code_and_the_filing_password_and_the_approval_cancels_it() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let request = SendCancelAccessCodeRequest { website_number: WEBSITE.into() };
    let sent = filing(&suite).await.send_cancel_access_code(bearer(request, &zhang)).await.expect("sent");
    let sent = sent.into_inner();
    assert_eq!(sent.code.expect("a code").masked_destination, "152****1234");
    let code = suite.code_sent_to(ZHANG_MOBILE, 1).await;

    let cancel = |password: &str| CancelAccessRequest {
        flow_id: sent.flow_id.clone(),
        code: code.clone(),
        filing_password: password.into(),
    };
    let wrong =
        filing(&suite).await.cancel_access(bearer(cancel("000000"), &zhang)).await.expect_err("wrong");
    assert_eq!(reason(&wrong), "FILING_PASSWORD_INCORRECT");
    // the checked code is kept: the right password goes through without a new one
    let order = filing(&suite)
        .await
        .cancel_access(bearer(cancel(beian::demo::FILING_PASSWORD), &zhang))
        .await
        .expect("an order")
        .into_inner()
        .order
        .expect("an order");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CANCEL_ACCESS", "IN_PROGRESS"));
    assert_eq!(order.website_number, WEBSITE);
    let retried = filing(&suite)
        .await
        .cancel_access(bearer(cancel(beian::demo::FILING_PASSWORD), &zhang))
        .await
        .expect("a retry answers the same order");
    assert_eq!(retried.into_inner().order.expect("an order").order_number, order.order_number);

    // another account cannot use the flow
    let lisi = login(&suite, "lisi-new").await;
    let stranger =
        filing(&suite).await.cancel_access(bearer(cancel("483920"), &lisi)).await.expect_err("not its flow");
    assert_eq!(reason(&stranger), "WORKFLOW_NOT_FOUND");

    let shown = my_filing(&suite, &zhang).await.unwrap().order_in_progress.expect("shown");
    assert_eq!(shown.order_number, order.order_number);

    assert_eq!(
        decide(&suite, &order.order_number, OrderDecision::Approve, "已核实").await,
        "ORDER_STATE_APPROVED"
    );
    let after = my_filing(&suite, &zhang).await.unwrap();
    assert_eq!(after.websites[0].state, "ACCESS_CANCELLED");
    assert!(after.order_in_progress.is_none());
    let notices = suite.wait_for_messages(1, |m| m["template"] == "ORDER_APPROVED").await;
    assert_eq!(notices[0]["destination"], ZHANG_MOBILE);
    assert_eq!(notices[0]["text"], format!("【备案】您的取消接入订单 {} 已审核通过。", order.order_number));

    // a cancelled website cannot be cancelled again
    let request = SendCancelAccessCodeRequest { website_number: WEBSITE.into() };
    let again =
        filing(&suite).await.send_cancel_access_code(bearer(request, &zhang)).await.expect_err("cancelled");
    assert_eq!(reason(&again), "WEBSITE_NOT_FOUND");
    suite.stop().await;
}

#[tokio::test]
async fn one_order_at_a_time_abandoned_by_the_holder_then_a_deregistration_approved() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let wrong = deregister(&suite, &zhang, "", "000000").await.expect_err("wrong password");
    assert_eq!(reason(&wrong), "FILING_PASSWORD_INCORRECT");
    let whole = deregister(&suite, &zhang, "", beian::demo::FILING_PASSWORD).await.expect("an order");
    assert_eq!(whole.kind, "DEREGISTER_SUBJECT");

    let second =
        deregister(&suite, &zhang, WEBSITE, beian::demo::FILING_PASSWORD).await.expect_err("one at a time");
    assert_eq!(reason(&second), "ORDER_IN_PROGRESS");
    let request = SendCancelAccessCodeRequest { website_number: WEBSITE.into() };
    let code =
        filing(&suite).await.send_cancel_access_code(bearer(request, &zhang)).await.expect_err("no code");
    assert_eq!(reason(&code), "ORDER_IN_PROGRESS");

    let abandon = AbandonOrderRequest { order_number: whole.order_number.clone() };
    let abandoned = filing(&suite).await.abandon_order(bearer(abandon, &zhang)).await.expect("abandons");
    assert_eq!(abandoned.into_inner().order.expect("an order").state, "ABANDONED");

    let one = deregister(&suite, &zhang, WEBSITE, beian::demo::FILING_PASSWORD).await.expect("an order");
    assert_eq!(one.kind, "DEREGISTER_WEBSITE");
    assert_eq!(decide(&suite, &one.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    let after = my_filing(&suite, &zhang).await.unwrap();
    assert_eq!(after.websites[0].state, "DEREGISTERED");
    assert!(after.websites[0].domains.is_empty(), "its domains may be filed again");
    // the abandoned order stays abandoned whatever the regulator says later
    assert_eq!(
        decide(&suite, &whole.order_number, OrderDecision::Approve, "").await,
        "ORDER_STATE_ABANDONED"
    );

    let busy = login(&suite, "zhao-busy").await;
    let refused = deregister(&suite, &busy, "", beian::demo::FILING_PASSWORD).await.expect_err("busy");
    assert_eq!(reason(&refused), "ORDER_IN_PROGRESS");
    suite.stop().await;
}

#[tokio::test]
async fn racing_deregistrations_through_the_gateway_start_one_order() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let racing = (0..6).map(|i| {
        let (suite, zhang) = (&suite, &zhang);
        async move {
            let website = if i % 2 == 0 { "" } else { WEBSITE };
            deregister(suite, zhang, website, beian::demo::FILING_PASSWORD).await
        }
    });
    let answers = futures::future::join_all(racing).await;
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 1);
    assert!(answers.iter().filter_map(|a| a.as_ref().err()).all(|s| reason(s) == "ORDER_IN_PROGRESS"));
    suite.stop().await;
}

#[tokio::test]
async fn a_website_change_removes_domains_only_and_becomes_an_order() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let change = |change: WebsiteChange| {
        bearer(ChangeFilingRequest { change: Some(Change::Website(change)), ..Default::default() }, &zhang)
    };
    let base = WebsiteChange { website_number: WEBSITE.into(), ..Default::default() };
    let adding = WebsiteChange { add_domains: vec!["shop-zhang.com".into()], ..base.clone() };
    let refused = filing(&suite).await.change_filing(change(adding)).await.expect_err("no new domain");
    assert_eq!(reason(&refused), "DOMAIN_CHANGE_NOT_ALLOWED");
    let emptied = WebsiteChange { remove_domains: vec!["shop-zhang.cn".into()], ..base.clone() };
    let refused = filing(&suite).await.change_filing(change(emptied)).await.expect_err("keeps one");
    assert_eq!(reason(&refused), "INVALID_ARGUMENT");

    let mobile = WebsiteChange { principal_mobile: "13912345678".into(), ..base };
    let order = filing(&suite).await.change_filing(change(mobile)).await.expect("an order");
    let order = order.into_inner().order.expect("an order");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CHANGE_WEBSITE", "IN_PROGRESS"));
    assert_eq!(decide(&suite, &order.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    assert!(my_filing(&suite, &zhang).await.unwrap().order_in_progress.is_none());
    suite.stop().await;
}

#[tokio::test]
async fn an_organisations_sms_verified_change_checks_its_principals_id_suffix_not_the_certificate() {
    let suite = demo().await;
    let tea = login(&suite, "hangzhou-tea").await;
    let new_mobile = "13912340000";
    let change = |flow_id: &str, code: &str, suffix: &str| {
        let subject = SubjectChange {
            principal_mobile: new_mobile.into(),
            principal_id_suffix: suffix.into(),
            ..Default::default()
        };
        let request = ChangeFilingRequest {
            change: Some(Change::Subject(subject)),
            flow_id: flow_id.into(),
            code: code.into(),
            ..Default::default()
        };
        bearer(request, &tea)
    };
    // 浙江: a code to the new mobile first
    let first =
        filing(&suite).await.change_filing(change("", "", "152846")).await.expect("a code").into_inner();
    let code = suite.code_sent_to(new_mobile, 1).await;
    // the organisation's certificate (91330106MA2B123456) is not the principal's ID
    let certificate = filing(&suite).await.change_filing(change(&first.flow_id, &code, "123456")).await;
    assert_eq!(reason(&certificate.expect_err("not the principal's")), "PRINCIPAL_ID_SUFFIX_INCORRECT");
    let order = ordered(&suite, change(&first.flow_id, &code, "152846")).await;
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CHANGE_SUBJECT", "IN_PROGRESS"));
    suite.stop().await;
}

#[tokio::test]
async fn an_organisations_new_principal_answers_the_sms_check_with_their_own_id_suffix() {
    let suite = demo().await;
    let tea = login(&suite, "hangzhou-tea").await;
    let new_mobile = "13912340000";
    let change = |session: &str, subject: SubjectChange, flow_id: &str, code: &str| {
        let request = ChangeFilingRequest {
            change: Some(Change::Subject(subject)),
            flow_id: flow_id.into(),
            code: code.into(),
            ..Default::default()
        };
        bearer(request, session)
    };
    let field = |status: Status| {
        assert_eq!(reason(&status), "INVALID_ARGUMENT", "{status:?}");
        status.get_details_bad_request().expect("BadRequest").field_violations[0].field.clone()
    };
    let new_principal = |suffix: &str| SubjectChange {
        principal_name: "李娜".into(),
        principal_mobile: new_mobile.into(),
        principal_id_number: "11010519491231002X".into(),
        principal_id_suffix: suffix.into(),
        ..Default::default()
    };
    // refused before any code is sent: a new person without an ID number, or a wrong one
    let no_id = SubjectChange { principal_id_number: String::new(), ..new_principal("31002X") };
    let refused = filing(&suite).await.change_filing(change(&tea, no_id, "", "")).await;
    assert_eq!(field(refused.expect_err("no ID number")), "subject.principal_id_number");
    let bad = SubjectChange { principal_id_number: "110105194912310021".into(), ..new_principal("310021") };
    let refused = filing(&suite).await.change_filing(change(&tea, bad, "", "")).await;
    assert_eq!(field(refused.expect_err("checksum")), "subject.principal_id_number");
    // an individual's principal is the subject itself
    let zhang = login(&suite, "zhangwei2019").await;
    let refused = filing(&suite).await.change_filing(change(&zhang, new_principal("31002X"), "", "")).await;
    assert_eq!(field(refused.expect_err("an individual")), "subject.principal_id_number");

    // 浙江: the code goes to the new principal's mobile, the suffix is of their ID number
    let first = filing(&suite)
        .await
        .change_filing(change(&tea, new_principal("31002X"), "", ""))
        .await
        .expect("a code")
        .into_inner();
    let code = suite.code_sent_to(new_mobile, 1).await;
    // 陈静, who leaves, no longer answers for the subject
    let leaving = filing(&suite)
        .await
        .change_filing(change(&tea, new_principal("152846"), &first.flow_id, &code))
        .await;
    assert_eq!(reason(&leaving.expect_err("the old principal's")), "PRINCIPAL_ID_SUFFIX_INCORRECT");
    let order = ordered(&suite, change(&tea, new_principal("31002x"), &first.flow_id, &code)).await;
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CHANGE_SUBJECT", "IN_PROGRESS"));
    assert_eq!(decide(&suite, &order.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    assert_eq!(my_filing(&suite, &tea).await.unwrap().masked_principal_mobile, "139****0000");
    suite.stop().await;
}

#[tokio::test]
async fn a_subject_change_in_an_sms_province_takes_a_code_to_the_new_mobile_and_the_id_suffix() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let new_mobile = "13912345678";
    let change = |flow_id: &str, code: &str, suffix: &str, province: &str| {
        let subject = SubjectChange {
            principal_mobile: new_mobile.into(),
            principal_id_suffix: suffix.into(),
            province_code: province.into(),
            ..Default::default()
        };
        let request = ChangeFilingRequest {
            change: Some(Change::Subject(subject)),
            flow_id: flow_id.into(),
            code: code.into(),
            ..Default::default()
        };
        bearer(request, &zhang)
    };
    let moved =
        filing(&suite).await.change_filing(change("", "", "01123X", "110000")).await.expect_err("province");
    assert_eq!(reason(&moved), "PROVINCE_CHANGE_NOT_ALLOWED");

    // 浙江 verifies changes by SMS: the first call sends a code to the new mobile, no order yet
    let first =
        filing(&suite).await.change_filing(change("", "", "01123X", "")).await.expect("a code").into_inner();
    assert!(first.order.is_none());
    assert_eq!(first.code.expect("sent").masked_destination, "139****5678");
    let code = suite.code_sent_to(new_mobile, 1).await;

    let wrong = filing(&suite).await.change_filing(change(&first.flow_id, &code, "000000", "")).await;
    assert_eq!(reason(&wrong.expect_err("suffix")), "PRINCIPAL_ID_SUFFIX_INCORRECT");
    let order = ordered(&suite, change(&first.flow_id, &code, "01123x", "")).await;
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("CHANGE_SUBJECT", "IN_PROGRESS"));
    assert_eq!(decide(&suite, &order.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    assert_eq!(my_filing(&suite, &zhang).await.unwrap().masked_principal_mobile, "139****5678");

    // 北京 does not: zhao-busy's change goes straight to the registry (which sees its order)
    let busy = login(&suite, "zhao-busy").await;
    let subject = SubjectChange { principal_email: "zhao.new@example.com".into(), ..Default::default() };
    let request = ChangeFilingRequest { change: Some(Change::Subject(subject)), ..Default::default() };
    let refused = filing(&suite).await.change_filing(bearer(request, &busy)).await.expect_err("busy");
    assert_eq!(reason(&refused), "ORDER_IN_PROGRESS");
    suite.stop().await;
}

#[tokio::test]
async fn cancel_access_and_deregistration_warn_of_domains_under_unapproved_tlds() {
    let suite = demo().await;
    let tea = login(&suite, "hangzhou-tea").await;
    let longjing = "浙ICP备20190001号-2";
    let request = DeregisterRequest {
        website_number: longjing.into(),
        filing_password: "483920".into(),
        request_id: String::new(),
    };
    let reply = filing(&suite).await.deregister(bearer(request, &tea)).await.expect("an order").into_inner();
    assert_eq!(reply.unapproved_tld_domains, ["longjing-example.tv"], "the .中国 one is approved");
    let abandon = AbandonOrderRequest { order_number: reply.order.expect("an order").order_number };
    filing(&suite).await.abandon_order(bearer(abandon, &tea)).await.expect("abandons");

    let request = SendCancelAccessCodeRequest { website_number: longjing.into() };
    let sent = filing(&suite).await.send_cancel_access_code(bearer(request, &tea)).await.expect("sent");
    let code = suite.code_sent_to("13800001111", 1).await;
    let cancel = CancelAccessRequest {
        flow_id: sent.into_inner().flow_id,
        code,
        filing_password: beian::demo::FILING_PASSWORD.into(),
    };
    let reply =
        filing(&suite).await.cancel_access(bearer(cancel, &tea)).await.expect("an order").into_inner();
    assert_eq!(reply.unapproved_tld_domains, ["longjing-example.tv"]);

    // nothing to warn of where every TLD is approved (shop-zhang.cn)
    let zhang = login(&suite, "zhangwei2019").await;
    let request = DeregisterRequest {
        website_number: WEBSITE.into(),
        filing_password: "483920".into(),
        request_id: String::new(),
    };
    let reply =
        filing(&suite).await.deregister(bearer(request, &zhang)).await.expect("an order").into_inner();
    assert!(reply.unapproved_tld_domains.is_empty());
    suite.stop().await;
}

#[tokio::test]
async fn a_rejected_order_tells_the_holder_its_kind_and_why() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let order = deregister(&suite, &zhang, "", beian::demo::FILING_PASSWORD).await.expect("an order");
    assert_eq!(
        decide(&suite, &order.order_number, OrderDecision::Reject, "材料不全").await,
        "ORDER_STATE_REJECTED"
    );
    let notices = suite.wait_for_messages(1, |m| m["template"] == "ORDER_REJECTED").await;
    assert_eq!(notices[0]["destination"], ZHANG_MOBILE);
    assert_eq!(
        notices[0]["text"],
        format!(
            "【备案】您的注销主体订单 {} 审核未通过，原因：材料不全。请修改后重新提交。",
            order.order_number
        )
    );
    assert!(suite.messages().iter().all(|m| m["template"] != "REVIEW_DECIDED"), "not the review template");
    suite.stop().await;
}
