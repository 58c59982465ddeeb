//! Domain verification (域名核验) through the gateway with the demo data: `AddWebsite` with a
//! domain the registrars' records do not back (`beian::demo::domain_registrations`) is refused
//! with its reason and the domain and starts nothing; a record pushed by the registrar
//! integration (RecordDomainRegistrations, internal) replaces the earlier one.

use beian_platform::wire::{enums::to_wire, timestamp};
use beian_proto::filing_registry::v1::{
    DomainRegistration, RecordDomainRegistrationsRequest,
    domain_registration_internal_service_client::DomainRegistrationInternalServiceClient,
};
use beian_tests::{TestSuite, with_credential};
use filing_registry::seed::SeedSubject;
use tonic::Code;

use crate::{
    filing::{demo, login, my_filing},
    reason,
    service_numbers::{FRESH, add_website},
};

/// The registrar integration records that `domain` is now held by `subject`, real-name
/// verified, live until 2036.
pub(crate) async fn registered_to(suite: &TestSuite, domain: &str, subject: &SeedSubject) {
    let record = DomainRegistration {
        domain: domain.into(),
        registrar: "示例域名注册商".into(),
        holder_name: subject.name.into(),
        holder_certificate_type: to_wire(subject.certificate_type),
        holder_certificate_number: subject.certificate_number.into(),
        real_name_verified: true,
        expire_time: Some(timestamp(2_082_729_600_000)),
    };
    let request = with_credential(suite, RecordDomainRegistrationsRequest { registrations: vec![record] });
    let channel = suite.channel(suite.addresses().filing_registry).await;
    let reply = DomainRegistrationInternalServiceClient::new(channel)
        .record_domain_registrations(request)
        .await
        .expect("recorded");
    assert_eq!(reply.into_inner().recorded, 1);
}

fn domain_of(status: &tonic::Status) -> Option<String> {
    use tonic_types::StatusExt;
    status.get_details_error_info().and_then(|info| info.metadata.get("domain").cloned())
}

#[tokio::test]
async fn domains_not_verified_expired_or_held_by_another_are_refused_and_start_nothing() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    for (domain, expected) in [
        ("no-record-zhang.cn", "DOMAIN_NOT_REAL_NAME_VERIFIED"),
        ("unverified-zhang.cn", "DOMAIN_NOT_REAL_NAME_VERIFIED"),
        ("expired-zhang.cn", "DOMAIN_EXPIRED"),
        ("lisi-blog.cn", "DOMAIN_HOLDER_MISMATCH"),
    ] {
        let refused = add_website(&suite, &zhang, &["blog-zhang.cn", domain], FRESH).await.expect_err(domain);
        assert_eq!(
            (reason(&refused).as_str(), refused.code()),
            (expected, Code::FailedPrecondition),
            "{domain}"
        );
        assert_eq!(domain_of(&refused).as_deref(), Some(domain));
    }
    assert!(my_filing(&suite, &zhang).await.unwrap().order_in_progress.is_none(), "no order started");

    // 李四 passes the domain to 张伟 at the registrar: the later record replaces the earlier
    registered_to(&suite, "lisi-blog.cn", &beian::demo::subjects()[0]).await;
    let order =
        add_website(&suite, &zhang, &["blog-zhang.cn", "lisi-blog.cn"], FRESH).await.expect("verified");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("NEW_WEBSITE", "IN_PROGRESS"));
    suite.stop().await;
}

#[tokio::test]
async fn a_subdomain_is_verified_against_the_registration_it_is_under() {
    let suite = demo().await;
    let zhang = login(&suite, "zhangwei2019").await;
    let refused = add_website(&suite, &zhang, &["shop.lisi-blog.cn"], FRESH).await.expect_err("under 李四's");
    assert_eq!(reason(&refused).as_str(), "DOMAIN_HOLDER_MISMATCH");
    assert_eq!(domain_of(&refused).as_deref(), Some("shop.lisi-blog.cn"));
    let order = add_website(&suite, &zhang, &["shop.blog-zhang.cn"], FRESH).await.expect("under 张伟's");
    assert_eq!((order.kind.as_str(), order.state.as_str()), ("NEW_WEBSITE", "IN_PROGRESS"));
    suite.stop().await;
}
