//! New websites (新增网站, CreateOrder of kind NEW_WEBSITE): approved TLDs only, domains not
//! filed by a live website (each registered to the subject: `domain_checks.rs` has the
//! refusals of domain verification), and the single-use server filing service number (备案服务号) —
//! held while the order is in progress, free again when it is abandoned or rejected, used for
//! ever once approved (also after deregistration), one winner when requests race.

use beian_proto::filing_registry::v1 as pb;
use sqlx::Row;

use crate::{fake_codes::CANCEL_ACCESS_PROOF, support::*};

pub(crate) const HOLDER: &str = "acc-t1";
pub(crate) const NEW_NUMBER: &str = "ZJ2026A00099";

fn new_website(account_id: &str, domains: &[&str], service_number: &str) -> pb::CreateOrderRequest {
    pb::CreateOrderRequest {
        account_id: account_id.into(),
        kind: pb::OrderKind::NewWebsite as i32,
        change: Some(pb::create_order_request::Change::NewWebsite(pb::NewWebsite {
            name: "新站".into(),
            domains: domains.iter().map(|d| (*d).to_owned()).collect(),
            service_number: service_number.into(),
        })),
        proof: String::new(),
        request_id: String::new(),
    }
}

impl TestApp {
    pub(crate) async fn add_website(
        &self,
        account_id: &str,
        domains: &[&str],
        service_number: &str,
    ) -> Result<pb::Order, tonic::Status> {
        let request = self.request(new_website(account_id, domains, service_number));
        let reply = self.public().await.create_order(request).await?;
        Ok(reply.into_inner().order.expect("an order"))
    }

    async fn decide_order(
        &self,
        order_number: &str,
        decision: pb::OrderDecision,
    ) -> Result<pb::Order, tonic::Status> {
        let request = self.request(pb::DecideOrderRequest {
            order_number: order_number.into(),
            decision: decision as i32,
            // a rejection must say why
            note: if decision == pb::OrderDecision::Reject { "材料不全".into() } else { String::new() },
            decided_by: "reviewer-7".into(),
            locale: String::new(),
        });
        Ok(self.internal().await.decide_order(request).await?.into_inner().order.expect("an order"))
    }

    async fn abandon_order(&self, account_id: &str, order_number: &str) {
        let request = self.request(pb::AbandonOrderRequest {
            account_id: account_id.into(),
            order_number: order_number.into(),
        });
        self.public().await.abandon_order(request).await.expect("abandons");
    }

    async fn subject_of(&self, account_id: &str) -> pb::Subject {
        let request = self.request(pb::GetHeldSubjectRequest { account_id: account_id.into() });
        self.public().await.get_held_subject(request).await.expect("held").into_inner().subject.expect("one")
    }

    pub(crate) async fn used_numbers(&self) -> Vec<String> {
        sqlx::query("select service_number from service_numbers order by service_number")
            .fetch_all(self.database().reader())
            .await
            .unwrap()
            .iter()
            .map(|row| row.get("service_number"))
            .collect()
    }

    pub(crate) async fn new_website_orders_in_progress(&self) -> i64 {
        sqlx::query(
            "select cast(count(*) as bigint) as n from orders where kind = 'NEW_WEBSITE' and state = 'IN_PROGRESS'",
        )
        .fetch_one(self.database().reader())
        .await
        .unwrap()
        .get("n")
    }
}

#[tokio::test]
async fn a_new_website_is_an_order_until_approved_then_joins_the_subject_under_the_next_number() {
    let app = TestApp::start().await;
    register(&app, &[registered(1, "blog-zhang.cn"), registered(1, "例子.中国")]).await;
    // typed as people do: www., upper case, a lower-case service number
    let order = app
        .add_website(HOLDER, &["WWW.Blog-Zhang.cn", "blog-zhang.cn", "例子.中国"], "zj2026a00099")
        .await
        .expect("starts");
    assert_eq!(order.kind, pb::OrderKind::NewWebsite as i32);
    assert_eq!(order.state, pb::OrderState::InProgress as i32);
    assert_eq!(order.website_number, "", "numbered on approval");
    let held = app.subject_of(HOLDER).await;
    assert_eq!(held.current_order.expect("in progress").order_number, order.order_number);
    assert_eq!(held.websites.len(), 1, "nothing added before the approval");
    let again =
        app.add_website(HOLDER, &["other-zhang.cn"], "ZJ2026A00100").await.expect_err("one at a time");
    assert_eq!(reason(&again), "ORDER_IN_PROGRESS");

    let approved = app.decide_order(&order.order_number, pb::OrderDecision::Approve).await.expect("decides");
    assert_eq!(approved.state, pb::OrderState::Approved as i32);
    assert_eq!(approved.website_number, "浙ICP备19012345号-2");
    let held = app.subject_of(HOLDER).await;
    let added = held.websites.iter().find(|w| w.website_number == "浙ICP备19012345号-2").expect("added");
    assert_eq!(added.state, pb::WebsiteState::Active as i32);
    assert_eq!(added.name, "新站");
    assert_eq!(added.domains, ["blog-zhang.cn", "xn--fsqu00a.xn--fiqs8s"]);
    assert_eq!(added.principal_name, "张伟", "the subject's principal");
    let found = app
        .public()
        .await
        .find_filing_by_domain(app.request(pb::FindFilingByDomainRequest { domain: "blog-zhang.cn".into() }))
        .await
        .expect("filed")
        .into_inner();
    assert_eq!(found.website_number, "浙ICP备19012345号-2");
    assert_eq!(app.used_numbers().await, [SERVICE_NUMBER, NEW_NUMBER]);
    // a second approval changes nothing
    let twice = app.decide_order(&order.order_number, pb::OrderDecision::Approve).await.expect("answers");
    assert_eq!(twice.website_number, "浙ICP备19012345号-2");
    assert_eq!(app.subject_of(HOLDER).await.websites.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_used_service_number_stays_used_after_cancel_access_and_deregistration() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    register(&app, &[registered(2, "new-2.cn"), registered(1, "blog-zhang.cn")]).await;
    // the seeded website's filing used SERVICE_NUMBER
    let used = app.add_website("acc-t2", &["new-2.cn"], SERVICE_NUMBER).await.expect_err("used");
    assert_eq!(reason(&used), "SERVICE_NUMBER_USED");

    let order = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect("starts");
    app.decide_order(&order.order_number, pb::OrderDecision::Approve).await.expect("approved");
    let cancel = app
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
        .into_inner()
        .order
        .expect("an order");
    app.decide_order(&cancel.order_number, pb::OrderDecision::Approve).await.expect("approved");
    let cancelled = app.add_website("acc-t2", &["new-2.cn"], SERVICE_NUMBER).await.expect_err("still used");
    assert_eq!(reason(&cancelled), "SERVICE_NUMBER_USED");

    let deregister = app
        .public()
        .await
        .deregister(app.request(pb::DeregisterRequest {
            account_id: HOLDER.into(),
            website_number: String::new(),
            filing_password: OLD_PASSWORD.into(),
            request_id: String::new(),
        }))
        .await
        .expect("starts")
        .into_inner()
        .order
        .expect("an order");
    app.decide_order(&deregister.order_number, pb::OrderDecision::Approve).await.expect("approved");
    // the subject is gone from the account with all its websites
    assert_eq!(reason(&app.held(HOLDER).await.expect_err("deregistered")), "NO_SUBJECT_HELD");
    let live: i64 = sqlx::query(
        "select cast(count(*) as bigint) as n from websites where subject_id = $1 and state <> 'DEREGISTERED'",
    )
    .bind(SUBJECT_ID)
    .fetch_one(app.database().reader())
    .await
    .unwrap()
    .get("n");
    assert_eq!(live, 0);

    // the domains are free again (and passed on to acc-t2's subject at the registrar), the numbers are not
    register(&app, &[registered(2, "blog-zhang.cn"), registered(2, "shop-zhang.cn")]).await;
    for number in [SERVICE_NUMBER, NEW_NUMBER] {
        let refused = app.add_website("acc-t2", &["blog-zhang.cn"], number).await.expect_err("used for ever");
        assert_eq!(reason(&refused), "SERVICE_NUMBER_USED");
    }
    app.add_website("acc-t2", &["blog-zhang.cn", "shop-zhang.cn"], "ZJ2026A00100")
        .await
        .expect("free domains");
    app.stop().await;
}

#[tokio::test]
async fn a_number_is_held_while_its_order_runs_and_freed_when_abandoned_or_rejected() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    register(&app, &[registered(1, "blog-zhang.cn"), registered(2, "blog-2.cn")]).await;
    let first = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect("starts");
    let held = app.add_website("acc-t2", &["blog-2.cn"], NEW_NUMBER).await.expect_err("held");
    assert_eq!(reason(&held), "SERVICE_NUMBER_USED");

    app.abandon_order(HOLDER, &first.order_number).await;
    let second = app.add_website("acc-t2", &["blog-2.cn"], NEW_NUMBER).await.expect("freed by abandoning");
    app.decide_order(&second.order_number, pb::OrderDecision::Reject).await.expect("rejected");
    let third = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect("freed by rejection");
    assert_eq!(third.state, pb::OrderState::InProgress as i32);
    assert_eq!(app.used_numbers().await, ["ZJ1901234201", SERVICE_NUMBER], "nothing used before approval");
    app.stop().await;
}

#[tokio::test]
async fn unapproved_tlds_filed_domains_and_malformed_input_start_nothing() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    for tld in ["org", "cc", "tv", "name"] {
        let domain = format!("blog-zhang.{tld}");
        let refused =
            app.add_website(HOLDER, &["blog-zhang.cn", &domain], NEW_NUMBER).await.expect_err("tld");
        assert_eq!(reason(&refused), "DOMAIN_TLD_NOT_APPROVED");
        assert_eq!(metadata(&refused, "domain").as_deref(), Some(domain.as_str()));
    }
    // another subject's live website, and the holder's own
    for filed in ["shop-2.cn", "www.shop-zhang.cn"] {
        let refused =
            app.add_website(HOLDER, &["blog-zhang.cn", filed], NEW_NUMBER).await.expect_err("filed");
        assert_eq!(reason(&refused), "DOMAIN_ALREADY_FILED");
        assert_eq!(metadata(&refused, "domain").as_deref(), Some(filed.trim_start_matches("www.")));
    }
    for (domains, number, field) in [
        (&[][..], NEW_NUMBER, "new_website.domains"),
        (&["blog zhang.cn"][..], NEW_NUMBER, "new_website.domains[0]"),
        (&["blog-zhang.cn"][..], "ZJ-2026", "new_website.service_number"),
        (&["blog-zhang.cn"][..], "", "new_website.service_number"),
    ] {
        let refused = app.add_website(HOLDER, domains, number).await.expect_err("malformed");
        assert_eq!(reason(&refused), "INVALID_ARGUMENT");
        assert!(names_field(&refused, field), "{field}: {refused:?}");
    }
    let mismatched = pb::CreateOrderRequest {
        change: Some(pb::create_order_request::Change::WebsiteChange(pb::WebsiteChange::default())),
        ..new_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER)
    };
    let refused = app.public().await.create_order(app.request(mismatched)).await.expect_err("kind");
    assert_eq!(reason(&refused), "INVALID_ARGUMENT");
    assert_eq!(app.new_website_orders_in_progress().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_new_websites_with_one_service_number_start_exactly_one() {
    let app = TestApp::start().await;
    let others = [2, 3, 4, 6, 7].map(|n| other_subject(n, leak_holder(n), None));
    add_subjects(&app, &others).await;
    let holders = [HOLDER, "acc-t2", "acc-t3", "acc-t4", "acc-t6", "acc-t7"];
    let subjects = [1, 2, 3, 4, 6, 7];
    for round in 0..3 {
        let domains: Vec<_> =
            subjects.iter().enumerate().map(|(i, n)| registered(*n, &race(round, i))).collect();
        register(&app, &domains).await;
        let number = format!("ZJ2026B0000{round}");
        let racing = holders.iter().enumerate().map(|(i, holder)| {
            let (app, number) = (&app, &number);
            async move { app.add_website(holder, &[&race(round, i)], number).await }
        });
        let answers = futures::future::join_all(racing).await;
        let refused: Vec<String> =
            answers.iter().filter_map(|a| a.as_ref().err()).map(|s| reason(s).as_str().to_owned()).collect();
        let won: Vec<&pb::Order> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: {refused:?}");
        assert!(refused.iter().all(|r| r == "SERVICE_NUMBER_USED"), "{refused:?}");
        let winner = answers.iter().position(Result::is_ok).expect("one won");
        if round % 2 == 0 {
            app.decide_order(&won[0].order_number, pb::OrderDecision::Approve).await.expect("approved");
        } else {
            app.abandon_order(holders[winner], &won[0].order_number).await;
        }
    }
    assert_eq!(app.new_website_orders_in_progress().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_approval_whose_domain_another_approval_filed_meanwhile_changes_nothing() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    register(&app, &[registered(1, "shared-name.cn")]).await;
    let first = app.add_website(HOLDER, &["shared-name.cn"], NEW_NUMBER).await.expect("starts");
    // the domain changes hands at the registrar while the first order waits
    register(&app, &[registered(2, "shared-name.cn")]).await;
    let second = app.add_website("acc-t2", &["shared-name.cn"], "ZJ2026A00100").await.expect("starts too");
    app.decide_order(&first.order_number, pb::OrderDecision::Approve).await.expect("approved");

    let refused =
        app.decide_order(&second.order_number, pb::OrderDecision::Approve).await.expect_err("filed");
    assert_eq!(reason(&refused), "DOMAIN_ALREADY_FILED");
    let still = app.subject_of("acc-t2").await;
    assert_eq!(still.current_order.expect("still in progress").order_number, second.order_number);
    assert_eq!(still.websites.len(), 1);
    assert!(!app.used_numbers().await.contains(&"ZJ2026A00100".to_owned()));
    let rejected = app.decide_order(&second.order_number, pb::OrderDecision::Reject).await.expect("rejects");
    assert_eq!(rejected.state, pb::OrderState::Rejected as i32);
    app.stop().await;
}

/// The domain holder `i` adds in round `round` of the race.
fn race(round: usize, i: usize) -> String {
    format!("race-{round}-{i}.cn")
}

fn leak_holder(n: u8) -> &'static str {
    Box::leak(format!("acc-t{n}").into_boxed_str())
}

pub(crate) fn names_field(status: &tonic::Status, field: &str) -> bool {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .is_some_and(|bad| bad.field_violations.iter().any(|violation| violation.field == field))
}
