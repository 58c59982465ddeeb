//! AdoptLegacySubject: a legacy filing enters an account once, keyed by its migration id.

use beian_proto::{common::v1 as common, filing_registry::v1 as pb};
use tonic_types::StatusExt;

use crate::support::*;

const LEGACY_FILING: &str = "京ICP备09001234号";

fn legacy_subject(domain: &str) -> pb::LegacySubject {
    pb::LegacySubject {
        filing_number: LEGACY_FILING.into(),
        name: "老站主".into(),
        nature: common::SubjectNature::Individual as i32,
        region: Some(common::Region {
            province_code: "110000".into(),
            city_code: "110100".into(),
            district_code: "110105".into(),
        }),
        certificate_type: common::CertificateType::ResidentIdCard as i32,
        certificate_number: "11010519800101123x".into(),
        principal_name: "王老".into(),
        principal_mobile: "13700001111".into(),
        principal_email: "Old.Owner@Example.com".into(),
        websites: vec![pb::LegacyWebsite {
            website_number: format!("{LEGACY_FILING}-1"),
            name: "老站".into(),
            domains: vec![domain.into(), format!("www.{domain}")],
            principal_name: String::new(),
            principal_mobile: String::new(),
        }],
    }
}

fn adopt(migration_id: &str, account_id: &str, domain: &str) -> pb::AdoptLegacySubjectRequest {
    pb::AdoptLegacySubjectRequest {
        migration_id: migration_id.into(),
        account_id: account_id.into(),
        subject: Some(legacy_subject(domain)),
        reason: "import".into(),
    }
}

impl TestApp {
    async fn adopt(&self, request: pb::AdoptLegacySubjectRequest) -> Result<String, tonic::Status> {
        let reply = self.internal().await.adopt_legacy_subject(self.request(request)).await?;
        Ok(reply.into_inner().subject_id)
    }
}

#[tokio::test]
async fn an_adopted_subject_is_held_with_its_websites_once_however_often_it_is_asked() {
    let app = TestApp::start().await;
    let subject_id = app.adopt(adopt("mig-1", "acc-new", "old-site.cn")).await.expect("adopted");
    let again = app.adopt(adopt("mig-1", "acc-new", "old-site.cn")).await.expect("a retry");
    assert_eq!(again, subject_id, "a retry answers the first subject");

    let held = app.held("acc-new").await.expect("held");
    assert_eq!((held.subject_id.as_str(), held.filing_number.as_str()), (subject_id.as_str(), LEGACY_FILING));
    assert_eq!(held.websites.len(), 1);
    assert_eq!(held.websites[0].domains, ["old-site.cn"], "www. and the bare name are one domain");
    assert_eq!(held.websites[0].state, pb::WebsiteState::Active as i32);

    let history = app
        .public()
        .await
        .list_holder_history(
            app.request(pb::ListHolderHistoryRequest { account_id: "acc-new".into(), ..Default::default() }),
        )
        .await
        .expect("history")
        .into_inner();
    assert_eq!(history.changes.len(), 1, "one change, not one per call");
    let change = &history.changes[0];
    assert_eq!(
        (change.from_account_id.as_str(), change.to_account_id.as_str(), change.reason.as_str()),
        ("", "acc-new", "import")
    );
    app.stop().await;
}

#[tokio::test]
async fn one_account_one_subject_one_filing_once_and_live_domains_stay_where_they_are() {
    let app = TestApp::start().await;
    // acc-t1 holds 浙ICP备19012345号 already
    let holds = app.adopt(adopt("mig-1", "acc-t1", "old-site.cn")).await.expect_err("holds one");
    assert_eq!(reason(&holds), "ACCOUNT_ALREADY_HOLDS_SUBJECT");
    // shop-zhang.cn is live on acc-t1's website
    let filed = app.adopt(adopt("mig-2", "acc-new", "shop-zhang.cn")).await.expect_err("filed");
    assert_eq!(reason(&filed), "DOMAIN_ALREADY_FILED");
    assert_eq!(reason(&app.held("acc-new").await.expect_err("none")), "NO_SUBJECT_HELD", "nothing half made");

    app.adopt(adopt("mig-3", "acc-new", "old-site.cn")).await.expect("adopted");
    // the same legacy filing again, under another migration into another account
    let twice = app.adopt(adopt("mig-4", "acc-other", "old-site.cn")).await.expect_err("here already");
    assert_eq!(reason(&twice), "LEGACY_ALREADY_IMPORTED");
    app.stop().await;
}

#[tokio::test]
async fn of_two_accounts_adopting_one_legacy_filing_at_once_exactly_one_holds_it() {
    let app = TestApp::start().await;
    let (first, second) = tokio::join!(
        app.adopt(adopt("mig-a", "acc-a", "old-site.cn")),
        app.adopt(adopt("mig-b", "acc-b", "old-site.cn")),
    );
    assert_eq!(usize::from(first.is_ok()) + usize::from(second.is_ok()), 1, "{first:?} / {second:?}");
    let held = [app.held("acc-a").await, app.held("acc-b").await];
    assert_eq!(held.iter().filter(|held| held.is_ok()).count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn malformed_adoptions_name_their_field() {
    let app = TestApp::start().await;
    let mut website_number = adopt("mig-1", "acc-new", "old-site.cn");
    website_number.subject.as_mut().unwrap().filing_number = format!("{LEGACY_FILING}-1");
    let mut no_domain = adopt("mig-1", "acc-new", "old-site.cn");
    no_domain.subject.as_mut().unwrap().websites[0].domains.clear();
    let mut reason_field = adopt("mig-1", "acc-new", "old-site.cn");
    reason_field.reason = "gift".into();
    for (request, field) in [
        (website_number, "subject.filing_number"),
        (no_domain, "subject.websites[0].domains"),
        (reason_field, "reason"),
    ] {
        let refused = app.adopt(request).await.expect_err("invalid");
        let violations = refused.get_details_bad_request().expect("field violations").field_violations;
        assert_eq!(violations[0].field, field);
    }
    app.stop().await;
}
