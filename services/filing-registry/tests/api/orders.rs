//! Orders on a subject: at most one in progress (also under concurrent requests), cancel
//! access and deregistration with the filing password, abandonment by the holder, and
//! the regulator's decision with its effect and the holder's notice.

use beian_proto::{
    filing_registry::v1 as pb,
    verification_codes::v1::{EnqueueNoticeRequest, NoticeTemplate},
};
use sqlx::Row;
use tonic_types::StatusExt;

use crate::{
    fake_codes::{CANCEL_ACCESS_PROOF, FILING_CHANGE_MOBILE, FILING_CHANGE_PROOF, cancel_access_proof},
    support::*,
};

const HOLDER: &str = "acc-t1";

impl TestApp {
    async fn deregister(&self, website_number: &str, password: &str) -> Result<pb::Order, tonic::Status> {
        let reply = self
            .public()
            .await
            .deregister(self.request(pb::DeregisterRequest {
                account_id: HOLDER.into(),
                website_number: website_number.into(),
                filing_password: password.into(),
                request_id: String::new(),
            }))
            .await?;
        Ok(reply.into_inner().order.expect("an order"))
    }

    async fn cancel_access(&self, proof: &str, password: &str) -> Result<pb::Order, tonic::Status> {
        let reply = self
            .public()
            .await
            .cancel_access(self.request(pb::CancelAccessRequest {
                account_id: HOLDER.into(),
                website_number: WEBSITE.into(),
                proof: proof.into(),
                filing_password: password.into(),
                request_id: String::new(),
            }))
            .await?;
        Ok(reply.into_inner().order.expect("an order"))
    }

    async fn abandon(&self, account_id: &str, order_number: &str) -> Result<pb::Order, tonic::Status> {
        let reply = self
            .public()
            .await
            .abandon_order(self.request(pb::AbandonOrderRequest {
                account_id: account_id.into(),
                order_number: order_number.into(),
            }))
            .await?;
        Ok(reply.into_inner().order.expect("an order"))
    }

    async fn decide(
        &self,
        order_number: &str,
        decision: pb::OrderDecision,
        note: &str,
    ) -> Result<pb::Order, tonic::Status> {
        let reply = self
            .internal()
            .await
            .decide_order(self.request(pb::DecideOrderRequest {
                order_number: order_number.into(),
                decision: decision as i32,
                note: note.into(),
                decided_by: "reviewer-7".into(),
                locale: String::new(),
            }))
            .await?;
        Ok(reply.into_inner().order.expect("an order"))
    }

    async fn holders_subject(&self) -> pb::Subject {
        self.public()
            .await
            .get_held_subject(self.request(pb::GetHeldSubjectRequest { account_id: HOLDER.into() }))
            .await
            .expect("held")
            .into_inner()
            .subject
            .expect("a subject")
    }

    async fn orders_in_progress(&self) -> i64 {
        sqlx::query("select cast(count(*) as bigint) as n from orders where state = 'IN_PROGRESS'")
            .fetch_one(self.database().reader())
            .await
            .unwrap()
            .get("n")
    }

    async fn live_domains(&self) -> i64 {
        sqlx::query("select cast(count(*) as bigint) as n from website_domains where active = 1")
            .fetch_one(self.database().reader())
            .await
            .unwrap()
            .get("n")
    }
}

fn decided_notice(notices: &[EnqueueNoticeRequest]) -> &EnqueueNoticeRequest {
    notices.iter().find(|n| n.idempotency_key.starts_with("order-decided:")).expect("a decision notice")
}

#[tokio::test]
async fn a_deregistration_starts_an_order_and_no_second_one_may_start_while_it_runs() {
    let app = TestApp::start().await;
    let order = app.deregister("", OLD_PASSWORD).await.expect("starts");
    assert_eq!(order.kind, pb::OrderKind::DeregisterSubject as i32);
    assert_eq!(order.state, pb::OrderState::InProgress as i32);
    assert!(order.order_number.starts_with("BA") && order.order_number.len() == 18, "{}", order.order_number);

    let held = app.holders_subject().await;
    assert!(held.order_in_progress);
    assert_eq!(held.current_order.expect("the order in progress").order_number, order.order_number);

    let second = app.deregister(WEBSITE, OLD_PASSWORD).await.expect_err("one at a time");
    assert_eq!(reason(&second), "ORDER_IN_PROGRESS");
    let third = app.cancel_access(CANCEL_ACCESS_PROOF, OLD_PASSWORD).await.expect_err("one at a time");
    assert_eq!(reason(&third), "ORDER_IN_PROGRESS");
    assert_eq!(app.orders_in_progress().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_orders_on_one_subject_start_exactly_one() {
    let app = TestApp::start().await;
    let attempts = (0..8).map(|i| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                app.deregister(if i % 4 == 0 { "" } else { WEBSITE }, OLD_PASSWORD).await
            } else {
                app.cancel_access(CANCEL_ACCESS_PROOF, OLD_PASSWORD).await
            }
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let started = answers.iter().filter(|a| a.is_ok()).count();
    let refused: Vec<String> =
        answers.iter().filter_map(|a| a.as_ref().err()).map(|s| reason(s).as_str().to_owned()).collect();
    assert_eq!(started, 1, "{refused:?}");
    assert!(refused.iter().all(|r| r == "ORDER_IN_PROGRESS"), "{refused:?}");
    assert_eq!(app.orders_in_progress().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_proof_or_website_starts_nothing() {
    let app = TestApp::start().await;
    let wrong = app.deregister("", "000000").await.expect_err("wrong password");
    assert_eq!(reason(&wrong), "FILING_PASSWORD_INCORRECT");
    assert_eq!(metadata(&wrong, "attempts_left").as_deref(), Some("2"));
    let bad_proof = app.cancel_access("forged", OLD_PASSWORD).await.expect_err("no such proof");
    assert_eq!(reason(&bad_proof), "PROOF_INVALID");
    let unknown = app.deregister("浙ICP备19012345号-9", OLD_PASSWORD).await.expect_err("not a website of it");
    assert_eq!(reason(&unknown), "WEBSITE_NOT_FOUND");
    let invalid = app.deregister("not a number", OLD_PASSWORD).await.expect_err("invalid");
    assert_eq!(reason(&invalid), "INVALID_ARGUMENT");
    assert_eq!(app.orders_in_progress().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn cancel_access_needs_the_proof_of_a_code_sent_to_the_holders_own_mobile() {
    let app = TestApp::start().await;
    // acc-t2 (mobile 13900002222) holds a subject whose principal's mobile is MOBILE
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    let cancel = |proof: String| {
        let request = pb::CancelAccessRequest {
            account_id: "acc-t2".into(),
            website_number: "浙ICP备19012342号-1".into(),
            proof,
            filing_password: OLD_PASSWORD.into(),
            request_id: String::new(),
        };
        async { app.public().await.cancel_access(app.request(request)).await }
    };
    for elsewhere in ["13700000000", MOBILE] {
        let refused = cancel(cancel_access_proof(elsewhere)).await.expect_err("a code to another mobile");
        assert_eq!(reason(&refused), "PROOF_INVALID", "{elsewhere}");
    }
    assert_eq!(app.orders_in_progress().await, 0);
    let order = cancel(cancel_access_proof("13900002222")).await.expect("the holder's code");
    assert_eq!(order.into_inner().order.expect("an order").kind, pb::OrderKind::CancelAccess as i32);
    app.stop().await;
}

#[tokio::test]
async fn an_approved_cancel_access_cancels_the_website_once_and_tells_the_holder() {
    let app = TestApp::start().await;
    let order = app.cancel_access(CANCEL_ACCESS_PROOF, OLD_PASSWORD).await.expect("starts");
    assert_eq!(order.kind, pb::OrderKind::CancelAccess as i32);
    assert_eq!(order.website_number, WEBSITE);

    let decided =
        app.decide(&order.order_number, pb::OrderDecision::Approve, "已核实").await.expect("decides");
    assert_eq!(decided.state, pb::OrderState::Approved as i32);
    assert_eq!(decided.decision_note, "已核实");
    let held = app.holders_subject().await;
    assert_eq!(held.websites[0].state, pb::WebsiteState::AccessCancelled as i32);
    assert!(!held.order_in_progress && held.current_order.is_none());
    assert_eq!(held.websites[0].domains, vec!["shop-zhang.cn".to_owned()], "the domain stays filed");

    let notices = app.codes.wait_for(1).await;
    let notice = decided_notice(&notices);
    assert_eq!(notice.destination, MOBILE);
    assert_eq!(notice.template, NoticeTemplate::OrderApproved as i32);
    assert_eq!(notice.params["order_number"], order.order_number);
    assert_eq!(notice.params["order_kind"], "CANCEL_ACCESS");
    assert_eq!(notice.params.len(), 2, "an approval carries no note: {:?}", notice.params);

    // a retry, or a second reviewer's other decision, changes nothing and sends nothing
    let again = app.decide(&order.order_number, pb::OrderDecision::Reject, "no").await.expect("answers");
    assert_eq!(again.state, pb::OrderState::Approved as i32);
    assert_eq!(again.decision_note, "已核实");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.codes.outbox().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_approved_deregistration_frees_the_domains_for_filing_again() {
    let app = TestApp::start().await;
    let order = app.deregister(WEBSITE, OLD_PASSWORD).await.expect("starts");
    assert_eq!(order.kind, pb::OrderKind::DeregisterWebsite as i32);
    app.decide(&order.order_number, pb::OrderDecision::Approve, "").await.expect("decides");

    let held = app.holders_subject().await;
    assert_eq!(held.websites[0].state, pb::WebsiteState::Deregistered as i32);
    assert_eq!(app.live_domains().await, 0);
    let gone = app
        .public()
        .await
        .find_filing_by_domain(app.request(pb::FindFilingByDomainRequest { domain: "shop-zhang.cn".into() }))
        .await
        .expect_err("unreachable");
    assert_eq!(reason(&gone), "DOMAIN_NOT_FILED");
    // the partial unique index no longer holds the domain: another website may file it
    sqlx::query(
        "insert into websites (website_id, subject_id, website_number, name, state, principal_name, \
         principal_mobile, principal_email, created_at_ms, updated_at_ms) \
         values ('web-t2', 'sub-t1', '浙ICP备19012345号-2', 'new', 'ACTIVE', '', '', '', 0, 0)",
    )
    .execute(&mut *app.database().writer().await.unwrap())
    .await
    .unwrap();
    sqlx::query(
        "insert into website_domains (website_id, domain, active, created_at_ms) values ('web-t2', 'shop-zhang.cn', 1, 0)",
    )
    .execute(&mut *app.database().writer().await.unwrap())
    .await
    .expect("the domain is free");
    app.stop().await;
}

#[tokio::test]
async fn a_rejected_order_changes_nothing_but_tells_the_holder_why() {
    let app = TestApp::start().await;
    let order = app.deregister("", OLD_PASSWORD).await.expect("starts");
    let silent = app.decide(&order.order_number, pb::OrderDecision::Reject, " ").await.expect_err("no note");
    assert_eq!(reason(&silent), "INVALID_ARGUMENT");
    let decided =
        app.decide(&order.order_number, pb::OrderDecision::Reject, "材料不全").await.expect("decides");
    assert_eq!(decided.state, pb::OrderState::Rejected as i32);
    let held = app.holders_subject().await;
    assert_eq!(held.websites[0].state, pb::WebsiteState::Active as i32);
    assert_eq!(app.live_domains().await, 1);
    let notices = app.codes.wait_for(1).await;
    let notice = decided_notice(&notices);
    assert_eq!(notice.template, NoticeTemplate::OrderRejected as i32);
    assert_eq!(
        (notice.params["order_kind"].as_str(), notice.params["note"].as_str()),
        ("DEREGISTER_SUBJECT", "材料不全")
    );
    app.deregister("", OLD_PASSWORD).await.expect("a new order may start");
    app.stop().await;
}

#[tokio::test]
async fn the_holder_abandons_its_own_order_in_progress_once() {
    let app = TestApp::start().await;
    let order = app.deregister("", OLD_PASSWORD).await.expect("starts");
    let other = app.abandon("acc-nobody", &order.order_number).await.expect_err("not the holder");
    assert_eq!(reason(&other), "NO_SUBJECT_HELD");
    let unknown = app.abandon(HOLDER, "BA0000000000000000").await.expect_err("no such order");
    assert_eq!(reason(&unknown), "ORDER_NOT_FOUND");

    let abandoned = app.abandon(HOLDER, &order.order_number).await.expect("abandons");
    assert_eq!(abandoned.state, pb::OrderState::Abandoned as i32);
    let again = app.abandon(HOLDER, &order.order_number).await.expect("a retry answers it");
    assert_eq!(again.state, pb::OrderState::Abandoned as i32);
    assert_eq!(app.orders_in_progress().await, 0);

    // the regulator can no longer decide it, and the holder hears nothing
    let late = app.decide(&order.order_number, pb::OrderDecision::Approve, "").await.expect("answers");
    assert_eq!(late.state, pb::OrderState::Abandoned as i32);
    assert_eq!(app.holders_subject().await.websites[0].state, pb::WebsiteState::Active as i32);

    // (one website's: the whole subject's, approved, would leave the account holding none)
    let next = app.deregister(WEBSITE, OLD_PASSWORD).await.expect("a new order may start");
    app.decide(&next.order_number, pb::OrderDecision::Approve, "").await.expect("decides");
    let decided = app.abandon(HOLDER, &next.order_number).await.expect_err("decided already");
    assert_eq!(reason(&decided), "ORDER_NOT_FOUND");
    let notices = app.codes.wait_for(1).await;
    assert_eq!(notices.len(), 1, "only the decided order's notice");
    app.stop().await;
}

#[tokio::test]
async fn deciding_an_unknown_order_or_without_a_decision_is_refused() {
    let app = TestApp::start().await;
    let unknown =
        app.decide("BA0000000000000000", pb::OrderDecision::Approve, "").await.expect_err("unknown");
    assert_eq!(reason(&unknown), "ORDER_NOT_FOUND");
    let order = app.deregister("", OLD_PASSWORD).await.expect("starts");
    let undecided =
        app.decide(&order.order_number, pb::OrderDecision::Unspecified, "").await.expect_err("no decision");
    assert_eq!(reason(&undecided), "INVALID_ARGUMENT");
    let long = app
        .decide(&order.order_number, pb::OrderDecision::Reject, &"长".repeat(129))
        .await
        .expect_err("long");
    assert_eq!(reason(&long), "INVALID_ARGUMENT");
    assert_eq!(app.orders_in_progress().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_order_warns_of_domains_whose_tld_can_never_be_filed_again() {
    let app = TestApp::start().await;
    sqlx::query(
        "insert into website_domains (website_id, domain, active, created_at_ms) values ('web-t1', 'shop-zhang.tv', 1, 0)",
    )
    .execute(&mut *app.database().writer().await.unwrap())
    .await
    .unwrap();
    let reply = app
        .public()
        .await
        .deregister(app.request(pb::DeregisterRequest {
            account_id: HOLDER.into(),
            website_number: WEBSITE.into(),
            filing_password: OLD_PASSWORD.into(),
            request_id: String::new(),
        }))
        .await
        .expect("starts")
        .into_inner();
    assert_eq!(reply.unapproved_tld_domains, ["shop-zhang.tv"], "shop-zhang.cn is under an approved TLD");
    let order = reply.order.expect("an order");
    app.abandon(HOLDER, &order.order_number).await.expect("abandons");

    let reply = app
        .public()
        .await
        .cancel_access(app.request(pb::CancelAccessRequest {
            account_id: HOLDER.into(),
            website_number: WEBSITE.into(),
            proof: CANCEL_ACCESS_PROOF.into(),
            filing_password: OLD_PASSWORD.into(),
            request_id: String::new(),
        }))
        .await
        .expect("starts")
        .into_inner();
    assert_eq!(reply.unapproved_tld_domains, ["shop-zhang.tv"]);
    app.stop().await;
}

fn website_change(change: pb::WebsiteChange) -> pb::CreateOrderRequest {
    pb::CreateOrderRequest {
        account_id: HOLDER.into(),
        kind: pb::OrderKind::ChangeWebsite as i32,
        change: Some(pb::create_order_request::Change::WebsiteChange(change)),
        proof: String::new(),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn a_website_change_may_only_remove_domains_and_applies_once_approved() {
    let app = TestApp::start().await;
    sqlx::query(
        "insert into website_domains (website_id, domain, active, created_at_ms) values ('web-t1', 'shop-zhang.net', 1, 0)",
    )
    .execute(&mut *app.database().writer().await.unwrap())
    .await
    .unwrap();
    let create = |change: pb::WebsiteChange| async {
        app.public()
            .await
            .create_order(app.request(website_change(change)))
            .await
            .map(|r| r.into_inner().order.unwrap())
    };
    let base = pb::WebsiteChange { website_number: WEBSITE.into(), ..Default::default() };

    let adding = create(pb::WebsiteChange { add_domains: vec!["new.cn".into()], ..base.clone() }).await;
    assert_eq!(reason(&adding.expect_err("no new domains")), "DOMAIN_CHANGE_NOT_ALLOWED");
    let foreign = create(pb::WebsiteChange { remove_domains: vec!["other.cn".into()], ..base.clone() }).await;
    assert_eq!(reason(&foreign.expect_err("not its domain")), "INVALID_ARGUMENT");
    let all = pb::WebsiteChange {
        remove_domains: vec!["shop-zhang.cn".into(), "SHOP-ZHANG.net.".into()],
        ..base.clone()
    };
    assert_eq!(reason(&create(all).await.expect_err("keeps one")), "INVALID_ARGUMENT");
    assert_eq!(reason(&create(base.clone()).await.expect_err("changes nothing")), "INVALID_ARGUMENT");
    let other_kind = app
        .public()
        .await
        .create_order(app.request(pb::CreateOrderRequest {
            account_id: HOLDER.into(),
            kind: pb::OrderKind::CancelAccess as i32,
            change: None,
            proof: String::new(),
            request_id: String::new(),
        }))
        .await
        .expect_err("CancelAccess has its own RPC");
    assert_eq!(reason(&other_kind), "NOT_IMPLEMENTED");
    assert_eq!(app.orders_in_progress().await, 0);

    let order = create(pb::WebsiteChange {
        remove_domains: vec!["www.shop-zhang.net".into()],
        principal_mobile: "13912345678".into(),
        ..base.clone()
    })
    .await
    .expect("an order");
    assert_eq!((order.kind, order.website_number.as_str()), (pb::OrderKind::ChangeWebsite as i32, WEBSITE));
    let second = create(pb::WebsiteChange { principal_email: "a@example.com".into(), ..base }).await;
    assert_eq!(reason(&second.expect_err("one at a time")), "ORDER_IN_PROGRESS");
    let before = app.holders_subject().await;
    assert_eq!(before.websites[0].domains.len(), 2, "nothing changes before approval");

    app.decide(&order.order_number, pb::OrderDecision::Approve, "").await.expect("decides");
    let after = app.holders_subject().await;
    assert_eq!(after.websites[0].domains, ["shop-zhang.cn"]);
    assert_eq!(after.websites[0].masked_principal_mobile, "139****5678");
    app.stop().await;
}

fn subject_change(account_id: &str, change: pb::SubjectChange, proof: &str) -> pb::CreateOrderRequest {
    pb::CreateOrderRequest {
        account_id: account_id.into(),
        kind: pb::OrderKind::ChangeSubject as i32,
        change: Some(pb::create_order_request::Change::SubjectChange(change)),
        proof: proof.into(),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn a_subject_change_keeps_the_province_and_in_sms_provinces_needs_the_code_and_id_suffix() {
    let owned = TestApp::start().await;
    let app = &owned;
    let create = |change: pb::SubjectChange, proof: &'static str| async move {
        app.public()
            .await
            .create_order(app.request(subject_change(HOLDER, change, proof)))
            .await
            .map(|r| r.into_inner().order.unwrap())
    };
    // 浙江 (the seed's province) verifies changes by SMS
    let base = pb::SubjectChange {
        principal_mobile: FILING_CHANGE_MOBILE.into(),
        principal_id_suffix: "01123x".into(),
        ..Default::default()
    };
    let moved =
        create(pb::SubjectChange { province_code: "110000".into(), ..base.clone() }, FILING_CHANGE_PROOF);
    assert_eq!(reason(&moved.await.expect_err("province")), "PROVINCE_CHANGE_NOT_ALLOWED");
    assert_eq!(reason(&create(base.clone(), "").await.expect_err("no code")), "INVALID_ARGUMENT");
    let wrong = pb::SubjectChange { principal_id_suffix: "011230".into(), ..base.clone() };
    assert_eq!(
        reason(&create(wrong, FILING_CHANGE_PROOF).await.expect_err("suffix")),
        "PRINCIPAL_ID_SUFFIX_INCORRECT"
    );
    let elsewhere = pb::SubjectChange { principal_mobile: "13700000000".into(), ..base.clone() };
    let refused = create(elsewhere, FILING_CHANGE_PROOF).await.expect_err("the code went to another mobile");
    assert_eq!(reason(&refused), "PROOF_INVALID");
    assert_eq!(app.orders_in_progress().await, 0);

    let same_province = pb::SubjectChange { province_code: PROVINCE.into(), ..base };
    let order = create(same_province, FILING_CHANGE_PROOF).await.expect("an order");
    assert_eq!(order.kind, pb::OrderKind::ChangeSubject as i32);
    assert_eq!(
        app.holders_subject().await.masked_principal_mobile,
        "152****1234",
        "nothing changes before approval"
    );
    app.decide(&order.order_number, pb::OrderDecision::Approve, "").await.expect("decides");
    assert_eq!(app.holders_subject().await.masked_principal_mobile, "139****5678");
    owned.stop().await;
}

/// The field a refusal names.
fn field(status: &tonic::Status) -> String {
    status.get_details_bad_request().expect("BadRequest").field_violations[0].field.clone()
}

/// Holds an organisation in 浙江 (an SMS-verifying province) whose principal's ID number on
/// file is [`ON_FILE_ID`].
const ORG_HOLDER: &str = "acc-org";
const ON_FILE_ID: &str = "330106198703152846";

async fn add_organisation(app: &TestApp) {
    use filing_registry::subjects::{CertificateType, Nature};
    let organisation = filing_registry::seed::SeedSubject {
        name: "杭州示例茶叶有限公司",
        nature: Nature::Organisation,
        certificate_type: CertificateType::BusinessLicense,
        certificate_number: "91330106MA2B123456",
        principal_id_number: Some(ON_FILE_ID),
        ..other_subject(6, ORG_HOLDER, None)
    };
    add_subjects(app, &[organisation]).await;
}

#[tokio::test]
async fn an_organisations_new_principal_comes_with_their_id_number_which_the_sms_check_and_approval_take() {
    let owned = TestApp::start().await;
    let app = &owned;
    add_organisation(app).await;
    let create = |change: pb::SubjectChange| async move {
        app.public()
            .await
            .create_order(app.request(subject_change(ORG_HOLDER, change, FILING_CHANGE_PROOF)))
            .await
            .map(|r| r.into_inner().order.unwrap())
    };
    let new_principal = pb::SubjectChange {
        principal_name: "李娜".into(),
        principal_mobile: FILING_CHANGE_MOBILE.into(),
        // typed as people do: spaces, lower-case x
        principal_id_number: "110105 19491231 002x".into(),
        principal_id_suffix: "31002x".into(),
        ..Default::default()
    };
    let no_id = pb::SubjectChange { principal_id_number: String::new(), ..new_principal.clone() };
    let refused = create(no_id).await.expect_err("a new person needs their ID number");
    assert_eq!(
        (reason(&refused).as_str(), field(&refused).as_str()),
        ("INVALID_ARGUMENT", "principal_id_number")
    );
    let bad_checksum =
        pb::SubjectChange { principal_id_number: "110105194912310021".into(), ..new_principal.clone() };
    let refused = create(bad_checksum).await.expect_err("not a resident ID number");
    assert_eq!(
        (reason(&refused).as_str(), field(&refused).as_str()),
        ("INVALID_ARGUMENT", "principal_id_number")
    );
    assert!(!refused.message().contains("110105194912310021"), "never echoed");
    // the person who becomes principal answers for the change, not the one leaving
    let old_suffix = pb::SubjectChange { principal_id_suffix: "152846".into(), ..new_principal.clone() };
    assert_eq!(reason(&create(old_suffix).await.expect_err("old suffix")), "PRINCIPAL_ID_SUFFIX_INCORRECT");
    assert_eq!(app.orders_in_progress().await, 0);

    let order = create(new_principal).await.expect("an order");
    app.decide(&order.order_number, pb::OrderDecision::Approve, "").await.expect("decides");
    let stored =
        sqlx::query("select principal_name, principal_id_number from subjects where subject_id = 'sub-t6'")
            .fetch_one(app.database().reader())
            .await
            .unwrap();
    let stored: (String, String) = (stored.get("principal_name"), stored.get("principal_id_number"));
    assert_eq!(stored, ("李娜".to_owned(), "11010519491231002X".to_owned()));
    // from now on the new principal's number is the one on file
    let mobile_only = |suffix: &str| pb::SubjectChange {
        principal_mobile: FILING_CHANGE_MOBILE.into(),
        principal_id_suffix: suffix.into(),
        ..Default::default()
    };
    assert_eq!(
        reason(&create(mobile_only("152846")).await.expect_err("left")),
        "PRINCIPAL_ID_SUFFIX_INCORRECT"
    );
    create(mobile_only("31002X")).await.expect("the principal on file");
    owned.stop().await;
}

#[tokio::test]
async fn an_individuals_principal_is_the_subject_so_its_change_carries_no_principal_id_number() {
    let app = TestApp::start().await;
    let change = pb::SubjectChange {
        principal_mobile: FILING_CHANGE_MOBILE.into(),
        principal_id_number: "11010519491231002X".into(),
        principal_id_suffix: "31002X".into(),
        ..Default::default()
    };
    let refused = app
        .public()
        .await
        .create_order(app.request(subject_change(HOLDER, change, FILING_CHANGE_PROOF)))
        .await
        .expect_err("an individual's principal never changes person");
    assert_eq!(
        (reason(&refused).as_str(), field(&refused).as_str()),
        ("INVALID_ARGUMENT", "principal_id_number")
    );
    assert_eq!(app.orders_in_progress().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn outside_the_sms_provinces_a_subject_change_needs_no_code() {
    use filing_registry::{
        seed::{SeedSubject, SeedWebsite, insert_subjects},
        subjects::{CertificateType, Nature, WebsiteState},
    };
    let app = TestApp::start().await;
    let beijing = SeedSubject {
        subject_id: "sub-bj",
        filing_number: "京ICP备18000777号",
        name: "赵敏",
        nature: Nature::Individual,
        region: ["110000", "110100", "110105"],
        certificate_type: CertificateType::ResidentIdCard,
        certificate_number: "110105198805054321",
        principal_name: "赵敏",
        principal_mobile: "13700003333",
        principal_email: "zhao@example.com",
        principal_id_number: None,
        filing_password: OLD_PASSWORD,
        holder_account_id: "acc-bj",
        websites: vec![SeedWebsite {
            website_id: "web-bj",
            website_number: "京ICP备18000777号-1",
            name: "博客",
            domains: vec!["zhao-blog.cn"],
            state: WebsiteState::Active,
            service_number: "BJ18000777001",
        }],
        order_in_progress: None,
    };
    insert_subjects(app.database(), &[beijing]).await.expect("seeded");
    let change = pb::SubjectChange { principal_email: "new@example.com".into(), ..Default::default() };
    let order = app
        .public()
        .await
        .create_order(app.request(subject_change("acc-bj", change, "")))
        .await
        .expect("an order without code or suffix")
        .into_inner()
        .order
        .unwrap();
    assert_eq!(order.kind, pb::OrderKind::ChangeSubject as i32);
    app.stop().await;
}

#[tokio::test]
async fn a_retried_order_request_answers_the_order_it_started() {
    let app = TestApp::start().await;
    let deregister = |request_id: &str, password: &str| {
        let request = pb::DeregisterRequest {
            account_id: HOLDER.into(),
            website_number: WEBSITE.into(),
            filing_password: password.into(),
            request_id: request_id.into(),
        };
        async { app.public().await.deregister(app.request(request)).await.map(|r| r.into_inner()) }
    };
    let wrong = deregister("r-1", "000000").await.expect_err("a wrong password starts nothing");
    assert_eq!(reason(&wrong), "FILING_PASSWORD_INCORRECT");
    let first = deregister("r-1", OLD_PASSWORD).await.expect("starts");
    let again = deregister("r-1", OLD_PASSWORD).await.expect("the retry answers it");
    assert_eq!(again, first);
    let other = deregister("r-2", OLD_PASSWORD).await.expect_err("another request");
    assert_eq!(reason(&other), "ORDER_IN_PROGRESS");
    let order = first.order.expect("an order");
    app.abandon(HOLDER, &order.order_number).await.expect("abandons");

    // a change, retried after it was abandoned, still answers its own order
    let change = pb::CreateOrderRequest {
        request_id: "c-1".into(),
        ..website_change(pb::WebsiteChange {
            website_number: WEBSITE.into(),
            principal_email: "new@example.com".into(),
            ..Default::default()
        })
    };
    let create = || async { app.public().await.create_order(app.request(change.clone())).await };
    let changed = create().await.expect("starts").into_inner().order.expect("an order");
    assert_eq!(create().await.expect("the retry").into_inner().order.expect("an order"), changed);
    app.abandon(HOLDER, &changed.order_number).await.expect("abandons");
    let retried = create().await.expect("the retry").into_inner().order.expect("an order");
    assert_eq!(
        (retried.order_number, retried.state),
        (changed.order_number, pb::OrderState::Abandoned as i32)
    );
    assert_eq!(app.orders_in_progress().await, 0, "nothing started twice");
    app.stop().await;
}
