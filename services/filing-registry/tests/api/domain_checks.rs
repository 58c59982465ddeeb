//! Domain verification (域名核验) of a new website's domains against the registrars' records
//! (RecordDomainRegistrations): no record or not real-name verified, expired, held by someone
//! else — each refused with its reason and the domain, starting nothing; a later record
//! replaces the earlier one; malformed records name their field and record nothing.

use beian_proto::{common::v1 as common, filing_registry::v1 as pb};
use filing_registry::seed::SeedDomainRegistration;
use tonic::{Code, Status};

use crate::{
    new_websites::{HOLDER, NEW_NUMBER, names_field},
    support::*,
};

/// Long past: 2024-05-29.
const EXPIRED_MS: i64 = 1_716_969_812_000;

/// A record of `domain` as the registrar sends it, held by the first subject: typed as people
/// type (spaces around the name, a lower-case x and spaces in the certificate number).
fn record(domain: &str, real_name_verified: bool, expires_at_ms: i64) -> pb::DomainRegistration {
    pb::DomainRegistration {
        domain: domain.into(),
        registrar: "示例域名注册商".into(),
        holder_name: " 张伟 ".into(),
        holder_certificate_type: common::CertificateType::ResidentIdCard as i32,
        holder_certificate_number: "330106 19900101 123x".into(),
        real_name_verified,
        expire_time: Some(beian_platform::wire::timestamp(expires_at_ms)),
    }
}

/// Makes a valid record invalid in one field.
type Spoil = fn(&mut pb::DomainRegistration);

impl TestApp {
    async fn record(&self, registrations: Vec<pb::DomainRegistration>) -> Result<i32, Status> {
        let request = self.request(pb::RecordDomainRegistrationsRequest { registrations });
        Ok(self.registrations().await.record_domain_registrations(request).await?.into_inner().recorded)
    }
}

#[tokio::test]
async fn each_failing_domain_is_refused_with_its_reason_and_starts_nothing() {
    let app = TestApp::start().await;
    let first = registered(1, "blog-zhang.cn");
    let other_holder =
        SeedDomainRegistration { domain: "named-li.cn", holder_name: "李四", ..first.clone() };
    register(
        &app,
        &[
            first.clone(),
            SeedDomainRegistration { domain: "unverified.cn", real_name_verified: false, ..first.clone() },
            // every rule broken: the first in the seed's order is the reason
            SeedDomainRegistration {
                domain: "all-wrong.cn",
                real_name_verified: false,
                expires_at_ms: EXPIRED_MS,
                ..other_holder.clone()
            },
            SeedDomainRegistration { domain: "expired.cn", expires_at_ms: EXPIRED_MS, ..first.clone() },
            SeedDomainRegistration {
                domain: "expired-li.cn",
                expires_at_ms: EXPIRED_MS,
                ..other_holder.clone()
            },
            other_holder,
            // the same name, another person's number
            registered(2, "numbered-2.cn"),
            SeedDomainRegistration {
                domain: "passport.cn",
                holder_certificate_type: filing_registry::subjects::CertificateType::Passport,
                ..first.clone()
            },
        ],
    )
    .await;
    for (domain, expected) in [
        ("never-registered.cn", "DOMAIN_NOT_REAL_NAME_VERIFIED"),
        ("unverified.cn", "DOMAIN_NOT_REAL_NAME_VERIFIED"),
        ("all-wrong.cn", "DOMAIN_NOT_REAL_NAME_VERIFIED"),
        ("expired.cn", "DOMAIN_EXPIRED"),
        ("expired-li.cn", "DOMAIN_EXPIRED"),
        ("named-li.cn", "DOMAIN_HOLDER_MISMATCH"),
        ("numbered-2.cn", "DOMAIN_HOLDER_MISMATCH"),
        ("passport.cn", "DOMAIN_HOLDER_MISMATCH"),
    ] {
        // the valid domain first: every domain is verified
        let refused = app
            .add_website(HOLDER, &["blog-zhang.cn", &format!("WWW.{domain}")], NEW_NUMBER)
            .await
            .expect_err(domain);
        assert_eq!(
            (reason(&refused).as_str(), refused.code()),
            (expected, Code::FailedPrecondition),
            "{domain}"
        );
        assert_eq!(metadata(&refused, "domain").as_deref(), Some(domain));
    }
    assert_eq!(app.new_website_orders_in_progress().await, 0);
    assert_eq!(app.used_numbers().await, [SERVICE_NUMBER]);
    // the number was not held by any refused request
    let order = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect("a verified domain");
    assert_eq!(order.state, pb::OrderState::InProgress as i32);
    app.stop().await;
}

#[tokio::test]
async fn a_later_record_replaces_the_earlier_one() {
    let app = TestApp::start().await;
    assert_eq!(app.record(vec![record("Blog-Zhang.cn.", true, EXPIRED_MS)]).await.unwrap(), 1);
    let expired = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect_err("expired");
    assert_eq!(reason(&expired), "DOMAIN_EXPIRED");

    // renewed; within one request the later record of a domain wins as well
    let renewed =
        vec![record("blog-zhang.cn", false, YEARS_AHEAD_MS), record("blog-zhang.cn", true, YEARS_AHEAD_MS)];
    assert_eq!(app.record(renewed).await.unwrap(), 2);
    let order = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect("renewed");
    assert_eq!(order.state, pb::OrderState::InProgress as i32);
    app.stop().await;
}

#[tokio::test]
async fn malformed_records_name_their_field_and_record_nothing() {
    let app = TestApp::start().await;
    let valid = || record("blog-zhang.cn", true, YEARS_AHEAD_MS);
    let cases: [(Spoil, &str); 7] = [
        (|r| r.domain = "blog zhang.cn".into(), "registrations[2].domain"),
        (|r| r.registrar = " ".into(), "registrations[2].registrar"),
        (|r| r.holder_name = String::new(), "registrations[2].holder_name"),
        (|r| r.holder_certificate_type = 0, "registrations[2].holder_certificate_type"),
        (|r| r.holder_certificate_number = " - ".into(), "registrations[2].holder_certificate_number"),
        (|r| r.holder_certificate_number = "1".repeat(65), "registrations[2].holder_certificate_number"),
        (|r| r.expire_time = None, "registrations[2].expire_time"),
    ];
    for (spoil, field) in cases {
        let mut bad = record("bad.cn", true, YEARS_AHEAD_MS);
        spoil(&mut bad);
        let refused = app.record(vec![valid(), valid(), bad]).await.expect_err(field);
        assert_eq!(reason(&refused), "INVALID_ARGUMENT");
        assert!(names_field(&refused, field), "{field}: {refused:?}");
    }
    let empty = app.record(Vec::new()).await.expect_err("empty");
    assert!(names_field(&empty, "registrations"), "{empty:?}");
    // all or nothing: the valid records before the bad one were not kept
    let refused = app.add_website(HOLDER, &["blog-zhang.cn"], NEW_NUMBER).await.expect_err("none recorded");
    assert_eq!(reason(&refused), "DOMAIN_NOT_REAL_NAME_VERIFIED");
    // only suite callers record
    let anonymous = pb::RecordDomainRegistrationsRequest { registrations: vec![valid()] };
    let refused =
        app.registrations().await.record_domain_registrations(anonymous).await.expect_err("no token");
    assert_eq!(reason(&refused), "CALLER_UNAUTHENTICATED");
    app.stop().await;
}
