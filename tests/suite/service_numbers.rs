//! FilingService/AddWebsite (新增网站) end to end with the demo data: a NEW_WEBSITE order that
//! the regulator's approval (`beian dev decide-order`) turns into a website, and the rules
//! filing-registry holds — single-use server filing service numbers (备案服务号不可复用, also
//! after deregistration and when requests race), approved TLDs, domains filed once. Each domain
//! added is registered to its holder in the demo data (domain verification: `domain_checks.rs`).

use beian::dev::OrderDecision;
use beian_proto::gateway::v1::{AddWebsiteRequest, GetMyFilingRequest, MyOrder};
use beian_tests::TestSuite;
use tonic::Status;

use crate::{
    domain_checks::registered_to,
    filing::{bearer, decide, demo, deregister, filing, login, my_filing},
    messages, reason,
};

/// A number no demo website used.
pub(crate) const FRESH: &str = "ECS2026A00017";

pub(crate) async fn add_website(
    suite: &TestSuite,
    session: &str,
    domains: &[&str],
    service_number: &str,
) -> Result<MyOrder, Status> {
    let request = AddWebsiteRequest {
        website_name: "新增的网站".into(),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        service_number: service_number.into(),
        request_id: String::new(),
    };
    let reply = filing(suite).await.add_website(bearer(request, session)).await?;
    Ok(reply.into_inner().order.expect("an order"))
}

#[tokio::test]
async fn an_added_website_is_an_order_until_approved_and_its_number_is_used_for_ever() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let order = add_website(&suite, &zhang, &["blog-zhang.cn"], "ecs2026a00017").await.expect("an order");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("NEW_WEBSITE", "IN_PROGRESS"));
    let mine = my_filing(&suite, &zhang).await.unwrap();
    assert_eq!(mine.order_in_progress.expect("shown").order_number, order.order_number);
    assert_eq!(mine.websites.len(), 1, "not added before the approval");

    assert_eq!(decide(&suite, &order.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    let mine = my_filing(&suite, &zhang).await.unwrap();
    assert!(mine.order_in_progress.is_none());
    let added = mine.websites.iter().find(|w| w.website_number == "浙ICP备19012345号-2").expect("added");
    assert_eq!((added.name.as_str(), added.state.as_str()), ("新增的网站", "ACTIVE"));
    assert_eq!(added.domains, ["blog-zhang.cn"]);

    let again = add_website(&suite, &zhang, &["blog2-zhang.cn"], FRESH).await.expect_err("used");
    assert_eq!(reason(&again), "SERVICE_NUMBER_USED");
    let (zh, en) = messages(&again);
    assert!(zh.contains("备案服务号不可复用") && en.contains("single use"), "{zh} / {en}");

    // deregistered, the website frees its domain but not its number; 张伟 passes the domain
    // to hangzhou-tea at the registrar
    let gone = deregister(&suite, &zhang, "浙ICP备19012345号-2", beian::demo::FILING_PASSWORD).await.unwrap();
    assert_eq!(decide(&suite, &gone.order_number, OrderDecision::Approve, "").await, "ORDER_STATE_APPROVED");
    registered_to(&suite, "blog-zhang.cn", &beian::demo::subjects()[1]).await;
    let tea = login(&suite, "hangzhou-tea").await;
    let reused = add_website(&suite, &tea, &["blog-zhang.cn"], FRESH).await.expect_err("used for ever");
    assert_eq!(reason(&reused), "SERVICE_NUMBER_USED");
    // hangzhou-tea's own deregistered demo website used ECS2021A00004 for good as well
    let seeded = add_website(&suite, &tea, &["blog-zhang.cn"], "ECS2021A00004").await.expect_err("used");
    assert_eq!(reason(&seeded), "SERVICE_NUMBER_USED");
    let refiled = add_website(&suite, &tea, &["blog-zhang.cn"], "ECS2026A00018").await.expect("domain free");
    assert_eq!(refiled.kind, "NEW_WEBSITE");
    suite.stop().await;
}

#[tokio::test]
async fn unapproved_tlds_filed_domains_and_bad_requests_are_refused() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let tld = add_website(&suite, &zhang, &["blog-zhang.cn", "zhang.tv"], FRESH).await.expect_err("tld");
    assert_eq!(reason(&tld), "DOMAIN_TLD_NOT_APPROVED");
    let (zh, _) = messages(&tld);
    assert!(zh.contains("zhang.tv") && zh.contains("未经工信部批复"), "{zh}");
    // hangzhou-tea's live website holds it
    let filed = add_website(&suite, &zhang, &["WWW.hz-tea.com.cn"], FRESH).await.expect_err("filed");
    assert_eq!(reason(&filed), "DOMAIN_ALREADY_FILED");
    // hangzhou-tea's deregistered website does not: it may file the domain again
    let tea = login(&suite, "hangzhou-tea").await;
    let tea_old = add_website(&suite, &tea, &["old-campaign.hz-tea.com.cn"], FRESH).await.expect("free");
    assert_eq!(tea_old.state, "IN_PROGRESS");

    let busy = login(&suite, "zhao-busy").await;
    let refused = add_website(&suite, &busy, &["zhao-shop.cn"], "ECS2026A00019").await.expect_err("busy");
    assert_eq!(reason(&refused), "ORDER_IN_PROGRESS");
    let lisi = login(&suite, "lisi-new").await;
    let nothing = add_website(&suite, &lisi, &["li-si.cn"], "ECS2026A00019").await.expect_err("no subject");
    assert_eq!(reason(&nothing), "NO_SUBJECT_HELD");
    let malformed = add_website(&suite, &lisi, &["li-si.cn"], "ECS-1").await.expect_err("format");
    assert_eq!(reason(&malformed), "INVALID_ARGUMENT");
    let anonymous = filing(&suite)
        .await
        .add_website(AddWebsiteRequest {
            website_name: "x".into(),
            domains: vec!["li-si.cn".into()],
            service_number: FRESH.into(),
            request_id: String::new(),
        })
        .await
        .expect_err("no session");
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");
    let shown = filing(&suite).await.get_my_filing(bearer(GetMyFilingRequest {}, &busy)).await.unwrap();
    assert_eq!(shown.into_inner().filing.unwrap().order_in_progress.unwrap().kind, "CHANGE_WEBSITE");
    suite.stop().await;
}

#[tokio::test]
async fn holders_racing_with_one_service_number_start_one_order() {
    let suite = demo().await;
    let holders = ["zhangwei2019", "hangzhou-tea", "qian-imported"];
    let mut sessions = Vec::new();
    for holder in holders {
        sessions.push(login(&suite, holder).await);
    }
    // each holder's own registered domain
    let domains = ["blog-zhang.cn", "old-campaign.hz-tea.com.cn", "studio-qian.cn"];
    let racing = sessions.iter().zip(domains).map(|(session, domain)| {
        let suite = &suite;
        async move { add_website(suite, session, &[domain], FRESH).await }
    });
    let answers = futures::future::join_all(racing).await;
    let refused: Vec<_> = answers.iter().filter_map(|a| a.as_ref().err()).map(reason).collect();
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 1, "{refused:?}");
    assert!(refused.iter().all(|r| *r == "SERVICE_NUMBER_USED"), "{refused:?}");
    suite.stop().await;
}

#[tokio::test]
async fn an_add_website_retried_with_its_request_id_answers_the_order_it_started() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let request = || AddWebsiteRequest {
        website_name: "新增的网站".into(),
        domains: vec!["blog-zhang.cn".into()],
        service_number: FRESH.into(),
        request_id: "add-blog-1".into(),
    };
    let first = filing(&suite).await.add_website(bearer(request(), &zhang)).await.expect("an order");
    // the answer was lost, say: the same request again is the same order, not ORDER_IN_PROGRESS
    let again = filing(&suite).await.add_website(bearer(request(), &zhang)).await.expect("the same order");
    assert_eq!(again.into_inner().order, first.into_inner().order);
    // without the id, a second call is a new request, refused while the first runs
    let other = add_website(&suite, &zhang, &["blog2-zhang.cn"], "ECS2026A00018").await.expect_err("busy");
    assert_eq!(reason(&other), "ORDER_IN_PROGRESS");
    suite.stop().await;
}
