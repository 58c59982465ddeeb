//! The new-filing stop through the gateway (SPEC §4, seed 002 §6): CheckFilingType answers
//! FIRST, NEW_WEBSITE, ACCESS or CLAIM from the caller's account, the registry and the legacy
//! platform (ARCHITECTURE.md's table), refuses what one account cannot file, and stops details
//! of the legacy import band with FILING_EXISTS_ON_LEGACY naming the masked legacy email.

use beian::dev::OrderDecision;
use beian_proto::{
    common::v1::{CertificateType, Region, SubjectNature},
    gateway::v1::{CancelAccessRequest, CheckFilingTypeRequest, FilingType, SendCancelAccessCodeRequest},
};
use beian_tests::TestSuite;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    filing::{bearer, decide, demo, filing, login},
    messages, reason,
};

/// Region, nature, certificate and domain as the 开始备案 form sends them.
pub(crate) fn details(
    region: [&str; 3],
    nature: SubjectNature,
    certificate_number: &str,
    domain: &str,
) -> CheckFilingTypeRequest {
    CheckFilingTypeRequest {
        region: Some(Region {
            province_code: region[0].into(),
            city_code: region[1].into(),
            district_code: region[2].into(),
        }),
        nature: nature as i32,
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: certificate_number.into(),
        domain: domain.into(),
    }
}

/// The legacy filings' region (`deploy/beian/src/demo.rs`).
pub(crate) const SHANGHAI: [&str; 3] = ["310000", "310100", "310104"];
const HANGZHOU: [&str; 3] = ["330000", "330100", "330106"];
const SHENZHEN: [&str; 3] = ["440000", "440300", "440305"];
/// `zhangwei2019`'s subject.
const ZHANG_ID: &str = "33010619900101123X";

async fn check(
    suite: &TestSuite,
    session: &str,
    request: CheckFilingTypeRequest,
) -> Result<FilingType, Status> {
    let reply = filing(suite).await.check_filing_type(bearer(request, session)).await?.into_inner();
    Ok(FilingType::try_from(reply.filing_type).expect("a known type"))
}

#[tokio::test]
async fn every_filing_type_follows_the_account_the_registry_and_the_legacy_platform() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let zhang = login(&suite, "zhangwei2019").await;
    let individual = SubjectNature::Individual;

    // nothing anywhere, an account without a subject: 首次备案
    let fresh = details(HANGZHOU, individual, "330106199505050017", "brand-new-site.cn");
    assert_eq!(check(&suite, &lisi, fresh.clone()).await.unwrap(), FilingType::First);
    // a legacy filing after the cut-over is nothing to migrate: file directly
    let late = details(SHANGHAI, individual, "31010419920202222x", "late-2017.cn");
    assert_eq!(check(&suite, &lisi, late).await.unwrap(), FilingType::First, "certificate any case");
    // the caller's own subject and a new domain: 新增网站
    let own = details(HANGZHOU, individual, ZHANG_ID, "zhang-second-shop.cn");
    assert_eq!(check(&suite, &zhang, own).await.unwrap(), FilingType::NewWebsite);
    // a legacy filing before 2010-06-01, never moved nor migrated: 认领备案
    let pioneer = details(SHANGHAI, individual, "310104196606066663", "www.Pioneer-2008.cn");
    assert_eq!(check(&suite, &lisi, pioneer).await.unwrap(), FilingType::Claim);
    // one moved to another provider: the regulator holds it, access is filed here again
    let moved = details(SHANGHAI, individual, "310104197009099998", "moved-away.cn");
    assert_eq!(check(&suite, &lisi, moved).await.unwrap(), FilingType::Access);
    // a migrated one is the registry's now: its holder adds websites
    let qian = login(&suite, "qian-imported").await;
    let imported = details(SHENZHEN, individual, "440305198203036780", "qian-second.cn");
    assert_eq!(check(&suite, &qian, imported.clone()).await.unwrap(), FilingType::NewWebsite);

    // 接入备案: the holder's website whose access was cancelled
    let shop = details(HANGZHOU, individual, ZHANG_ID, "shop-zhang.cn");
    let filed = check(&suite, &zhang, shop.clone()).await.expect_err("filed and live");
    assert_eq!((filed.code(), reason(&filed).as_str()), (Code::AlreadyExists, "DOMAIN_ALREADY_FILED"));
    assert_eq!(messages(&filed).0, "域名shop-zhang.cn已备案，不能重复备案");
    cancel_access(&suite, &zhang).await;
    assert_eq!(check(&suite, &zhang, shop.clone()).await.unwrap(), FilingType::Access);
    // that domain is still another subject's filing for anybody else
    let stranger = details(HANGZHOU, individual, "330106199505050017", "shop-zhang.cn");
    assert_eq!(reason(&check(&suite, &lisi, stranger).await.unwrap_err()), "DOMAIN_ALREADY_FILED");

    // one account, one subject: other details from an account that holds one
    let other = check(&suite, &zhang, fresh).await.expect_err("holds another subject");
    assert_eq!(
        (other.code(), reason(&other).as_str()),
        (Code::FailedPrecondition, "ACCOUNT_HOLDS_OTHER_SUBJECT")
    );
    assert_eq!(messages(&other).0, "一个阿里云账号只能对应一个备案主体信息，请更换账号后备案");
    let claim_too = details(SHANGHAI, individual, "310104196606066663", "pioneer-2008.cn");
    assert_eq!(reason(&check(&suite, &zhang, claim_too).await.unwrap_err()), "ACCOUNT_HOLDS_OTHER_SUBJECT");
    // details of a subject another account holds: transfer it first
    let elsewhere = check(&suite, &lisi, imported).await.expect_err("qian holds it");
    assert_eq!(
        (elsewhere.code(), reason(&elsewhere).as_str()),
        (Code::FailedPrecondition, "SUBJECT_HELD_BY_ANOTHER_ACCOUNT")
    );
    suite.stop().await;
}

/// zhangwei2019 cancels its website's access and the regulator approves it.
async fn cancel_access(suite: &TestSuite, session: &str) {
    let request = SendCancelAccessCodeRequest { website_number: "浙ICP备19012345号-1".into() };
    let sent = filing(suite).await.send_cancel_access_code(bearer(request, session)).await.unwrap();
    let code = suite.code_sent_to("15212341234", 1).await;
    let cancel = CancelAccessRequest {
        flow_id: sent.into_inner().flow_id,
        code,
        filing_password: beian::demo::FILING_PASSWORD.into(),
    };
    let order = filing(suite).await.cancel_access(bearer(cancel, session)).await.unwrap();
    let order = order.into_inner().order.expect("an order");
    assert_eq!(
        decide(suite, &order.order_number, OrderDecision::Approve, "已核实").await,
        "ORDER_STATE_APPROVED"
    );
}

#[tokio::test]
async fn details_of_the_import_band_stop_with_the_masked_legacy_email() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    // 2012-05-20 on `old-shop@legacy.example.com`: its domain, or a new one for the same subject
    for domain in ["old-shop.com.cn", "old-shop-new.cn"] {
        let stop = details(SHANGHAI, SubjectNature::Individual, "31010419770707777X", domain);
        let stopped = check(&suite, &lisi, stop).await.expect_err("exists on the legacy platform");
        assert_eq!(
            (stopped.code(), reason(&stopped).as_str()),
            (Code::FailedPrecondition, "FILING_EXISTS_ON_LEGACY")
        );
        let (zh, en) = messages(&stopped);
        assert_eq!(zh, "需通过验证原备案账号 o***@legacy.example.com，将备案信息导入后继续备案");
        assert_eq!(
            en,
            "Verify the legacy login o***@legacy.example.com and import its filing before you continue"
        );
        let info = stopped.get_details_error_info().expect("ErrorInfo");
        assert_eq!(info.metadata.get("legacy_email").map(String::as_str), Some("o***@legacy.example.com"));
        assert!(!format!("{stopped:?}").contains("old-shop@"), "the email is masked everywhere");
    }
    // the stop needs the subject's details: the domain alone names nobody's legacy login
    let guess = details(SHANGHAI, SubjectNature::Individual, "310104199001011234", "old-shop.com.cn");
    assert_eq!(check(&suite, &lisi, guess).await.unwrap(), FilingType::First);
    suite.stop().await;
}

#[tokio::test]
async fn the_check_needs_a_session_and_well_formed_details() {
    let suite = demo().await;
    let fresh = details(HANGZHOU, SubjectNature::Individual, "330106199505050017", "brand-new-site.cn");
    let anonymous = filing(&suite).await.check_filing_type(fresh.clone()).await.expect_err("no session");
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");
    let lisi = login(&suite, "lisi-new").await;
    let field = |status: Status| {
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        status.get_details_bad_request().expect("BadRequest").field_violations[0].field.clone()
    };
    let mut no_district = fresh.clone();
    no_district.region.as_mut().unwrap().district_code = String::new();
    assert_eq!(field(check(&suite, &lisi, no_district).await.unwrap_err()), "region.district_code");
    let no_nature = CheckFilingTypeRequest { nature: 0, ..fresh.clone() };
    assert_eq!(field(check(&suite, &lisi, no_nature).await.unwrap_err()), "nature");
    let bad_domain = CheckFilingTypeRequest { domain: "not a domain".into(), ..fresh.clone() };
    assert_eq!(field(check(&suite, &lisi, bad_domain).await.unwrap_err()), "domain");
    let no_certificate = CheckFilingTypeRequest { certificate_number: " ".into(), ..fresh };
    assert_eq!(field(check(&suite, &lisi, no_certificate).await.unwrap_err()), "certificate_number");
    suite.stop().await;
}
