//! The demo data set of `beian up --seed demo`: a few accounts, filings and
//! legacy logins that cover every case of the spec, so a newcomer can walk each
//! workflow with grpcurl. All personal data is invented; domains use names
//! reserved for examples or plainly fictional ones. Loading twice changes nothing.
//!
//! Every current account's password is [`ACCOUNT_PASSWORD`]; every legacy
//! login's is [`LEGACY_PASSWORD`]; every filing password is [`FILING_PASSWORD`].

use beian_platform::storage::Database;
use filing_registry::{
    seed::{SeedDomainRegistration, SeedSubject, SeedWebsite},
    subjects::{CertificateType, Nature, WebsiteState},
};
use identity_recovery::{accounts::Site, seed::SeedAccount};
use legacy_migration::seed::{SeedFiling, SeedLogin};

pub const ACCOUNT_PASSWORD: &str = "Demo#2026pass";
pub const LEGACY_PASSWORD: &str = "Legacy#2012pass";
pub const FILING_PASSWORD: &str = "483920";

/// The databases the demo data goes into.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    pub identity_recovery: &'a Database,
    pub filing_registry: &'a Database,
    pub legacy_migration: &'a Database,
}

/// What was loaded, for the start-up banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub accounts: usize,
    pub subjects: usize,
    pub domain_registrations: usize,
    pub legacy_logins: usize,
}

pub async fn load(targets: Targets<'_>) -> anyhow::Result<Loaded> {
    let loaded = Loaded {
        accounts: identity_recovery::seed::insert_accounts(targets.identity_recovery, &accounts()).await?,
        subjects: filing_registry::seed::insert_subjects(targets.filing_registry, &subjects()).await?,
        domain_registrations: filing_registry::seed::record_domain_registrations(
            targets.filing_registry,
            &domain_registrations(),
        )
        .await?,
        legacy_logins: legacy_migration::seed::insert_logins(targets.legacy_migration, &legacy_logins())
            .await?,
    };
    tracing::info!(?loaded, "demo data loaded");
    Ok(loaded)
}

fn account(
    account_id: &'static str,
    login_name: &'static str,
    site: Site,
    mobile: &'static str,
    email: &'static str,
) -> SeedAccount {
    SeedAccount { account_id, login_name, site, mobile, email, password: ACCOUNT_PASSWORD, staff: false }
}

/// Current accounts. Who is who:
/// - `zhangwei2019` holds an individual's filing (§1 lookup by `shop-zhang.cn`, §5 transfer source);
/// - `hangzhou-tea` holds an organisation's filing with an IDN domain, a domain under a TLD the
///   regulator has not approved (`.tv`: cancel access and deregistration warn) and a deregistered
///   website;
/// - `lisi-new` holds nothing (transfer target, import target);
/// - `wang-intl` is on the international site (transfers refused);
/// - `zhao-busy` holds a filing with an order in progress (orders and transfer targets refused);
/// - `qian-imported` holds the filing imported from the legacy login `moved-in@legacy.example.com`;
/// - `reviewer01` is review staff.
pub fn accounts() -> Vec<SeedAccount> {
    vec![
        account("1000000000000001", "zhangwei2019", Site::Cn, "15212341234", "zhang.wei@example.com"),
        account("1000000000000002", "hangzhou-tea", Site::Cn, "13800001111", "it@hz-tea.example.com"),
        account("1000000000000003", "lisi-new", Site::Cn, "13912345678", "li.si@example.net"),
        account("1000000000000004", "wang-intl", Site::Intl, "18600002222", "wang@example.org"),
        account("1000000000000005", "zhao-busy", Site::Cn, "13700003333", "zhao@example.com"),
        account("1000000000000006", "qian-imported", Site::Cn, "13600004444", "qian@example.com"),
        SeedAccount {
            staff: true,
            ..account("1000000000000099", "reviewer01", Site::Cn, "13500009999", "reviewer01@example.com")
        },
    ]
}

/// An active website whose filing used `service_number`.
fn website(
    website_id: &'static str,
    website_number: &'static str,
    name: &'static str,
    domains: Vec<&'static str>,
    service_number: &'static str,
) -> SeedWebsite {
    SeedWebsite { website_id, website_number, name, domains, state: WebsiteState::Active, service_number }
}

/// Filings on the current platform. Each website's filing used a server filing service
/// number (ECS…A0000n, n its website id's last digit), used for ever: `AddWebsite` with one of
/// them, also `ECS2021A00004` of hangzhou-tea's deregistered website, is SERVICE_NUMBER_USED.
pub fn subjects() -> Vec<SeedSubject> {
    vec![
        SeedSubject {
            subject_id: "sub-0001",
            filing_number: "浙ICP备19012345号",
            name: "张伟",
            nature: Nature::Individual,
            region: ["330000", "330100", "330106"],
            certificate_type: CertificateType::ResidentIdCard,
            certificate_number: "33010619900101123X",
            principal_name: "张伟",
            principal_mobile: "15212341234",
            principal_email: "zhang.wei@example.com",
            principal_id_number: None,
            filing_password: FILING_PASSWORD,
            holder_account_id: "1000000000000001",
            websites: vec![website(
                "web-0001",
                "浙ICP备19012345号-1",
                "张伟的小店",
                vec!["shop-zhang.cn", "www.shop-zhang.cn"],
                "ECS2019A00001",
            )],
            order_in_progress: None,
        },
        SeedSubject {
            subject_id: "sub-0002",
            filing_number: "浙ICP备20190001号",
            name: "杭州示例茶叶有限公司",
            nature: Nature::Organisation,
            region: ["330000", "330100", "330106"],
            certificate_type: CertificateType::BusinessLicense,
            certificate_number: "91330106MA2B123456",
            principal_name: "陈静",
            principal_mobile: "13800001111",
            principal_email: "it@hz-tea.example.com",
            // 陈静's own ID number: SMS-verified changes (浙江) check its last six characters
            principal_id_number: Some("330106198703152846"),
            filing_password: FILING_PASSWORD,
            holder_account_id: "1000000000000002",
            websites: vec![
                website(
                    "web-0002",
                    "浙ICP备20190001号-1",
                    "示例茶叶官网",
                    vec!["hz-tea.com.cn"],
                    "ECS2020A00002",
                ),
                website(
                    "web-0003",
                    "浙ICP备20190001号-2",
                    "西湖龙井",
                    vec!["西湖龙井示例.中国", "longjing-example.tv"],
                    "ECS2020A00003",
                ),
                SeedWebsite {
                    state: WebsiteState::Deregistered,
                    ..website(
                        "web-0004",
                        "浙ICP备20190001号-3",
                        "旧活动页",
                        vec!["old-campaign.hz-tea.com.cn"],
                        "ECS2021A00004",
                    )
                },
            ],
            order_in_progress: None,
        },
        SeedSubject {
            subject_id: "sub-0003",
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
            filing_password: FILING_PASSWORD,
            holder_account_id: "1000000000000005",
            websites: vec![website(
                "web-0005",
                "京ICP备18000777号-1",
                "赵敏的博客",
                vec!["zhao-blog.cn"],
                "ECS2018A00005",
            )],
            order_in_progress: Some("CHANGE_WEBSITE"),
        },
        SeedSubject {
            subject_id: "sub-0004",
            filing_number: "粤ICP备11004567号",
            name: "钱多多",
            nature: Nature::Individual,
            region: ["440000", "440300", "440305"],
            certificate_type: CertificateType::ResidentIdCard,
            certificate_number: "440305198203036780",
            principal_name: "钱多多",
            principal_mobile: "13600004444",
            principal_email: "qian@example.com",
            principal_id_number: None,
            filing_password: FILING_PASSWORD,
            holder_account_id: "1000000000000006",
            websites: vec![website(
                "web-0006",
                "粤ICP备11004567号-1",
                "钱记工作室",
                vec!["imported-site.cn"],
                "ECS2011A00006",
            )],
            order_in_progress: None,
        },
    ]
}

/// When the demo's live domain registrations expire: 2036-01-01, years ahead.
const REGISTRATIONS_EXPIRE_MS: i64 = 2_082_729_600_000;

/// Registrars' records of domains (域名实名信息), which a new website's domains are verified
/// against (域名核验). Every demo website's domains, and those its holder may add as a new
/// website, are real-name verified, live and held by their subject: `blog-zhang.cn` and
/// `blog2-zhang.cn` (zhangwei2019), `old-campaign.hz-tea.com.cn` (hangzhou-tea, its
/// deregistered website's), `studio-qian.cn` (qian-imported). As zhangwei2019, `AddWebsite`
/// with one of these is refused before any order starts:
pub fn domain_registrations() -> Vec<SeedDomainRegistration> {
    let subjects = subjects();
    let zhang = &subjects[0];
    let filed = subjects.iter().flat_map(|subject| {
        subject.websites.iter().flat_map(|website| &website.domains).map(move |domain| (subject, *domain))
    });
    let may_add = [
        (zhang, "blog-zhang.cn"),
        (zhang, "blog2-zhang.cn"),
        (&subjects[1], "old-campaign.hz-tea.com.cn"),
        (&subjects[3], "studio-qian.cn"),
    ];
    let mut registrations: Vec<SeedDomainRegistration> = filed
        .chain(may_add)
        .map(|(subject, domain)| SeedDomainRegistration::verified(subject, domain, REGISTRATIONS_EXPIRE_MS))
        .collect();
    let zhangs = SeedDomainRegistration::verified(zhang, "", REGISTRATIONS_EXPIRE_MS);
    registrations.extend([
        // 张伟's, but he never completed the registrar's real-name verification (实名认证):
        // DOMAIN_NOT_REAL_NAME_VERIFIED, as for any domain without a record (`no-record-zhang.cn`)
        SeedDomainRegistration { domain: "unverified-zhang.cn", real_name_verified: false, ..zhangs.clone() },
        // 张伟's, not renewed since 2024-05-29: DOMAIN_EXPIRED
        SeedDomainRegistration {
            domain: "expired-zhang.cn",
            expires_at_ms: 1_716_969_812_000,
            ..zhangs.clone()
        },
        // verified and live, but 李四's (another name and ID number): DOMAIN_HOLDER_MISMATCH
        SeedDomainRegistration {
            domain: "lisi-blog.cn",
            holder_name: "李四",
            holder_certificate_number: "110101199003074519",
            ..zhangs
        },
    ]);
    registrations
}

fn legacy_login(
    legacy_login_id: &'static str,
    login_email: &'static str,
    filings: Vec<SeedFiling>,
) -> SeedLogin {
    SeedLogin {
        legacy_login_id,
        login_email,
        password: LEGACY_PASSWORD,
        activated: true,
        orders_in_progress: 0,
        filings,
    }
}

fn legacy_filing(
    filing_number: &'static str,
    website_number: &'static str,
    name: &'static str,
    certificate_number: &'static str,
    submitted_on: &'static str,
    domain: &'static str,
) -> SeedFiling {
    SeedFiling {
        filing_number,
        name,
        nature: "INDIVIDUAL",
        region: ["310000", "310100", "310104"],
        certificate_type: "RESIDENT_ID_CARD",
        certificate_number,
        principal_name: name,
        principal_mobile: "13300005555",
        principal_email: "legacy.owner@example.com",
        submitted_on,
        moved_away: false,
        websites: vec![(website_number, name, vec![domain])],
        migrated: None,
    }
}

/// Logins and filings of the legacy platform, one per case of SPEC §4:
/// - `old-shop@…`: filed 2012-05-20 → import (into `lisi-new`; into `zhangwei2019` is refused);
/// - `never-activated@…`: never activated;
/// - `moved-in@…`: filed 2011, already imported into `qian-imported`;
/// - `empty@…`: holds no filing;
/// - `orders-only@…`: only orders in progress, no subject;
/// - `pioneer@…`: filed 2008-04-15 → claim;
/// - `moved-away@…`: filed 2009, later moved to another provider → not claimable;
/// - `late@…`: filed 2017-03-15, after the cut-over → nothing to do: file directly;
/// - `pioneer-org@…`: an organisation's, filed 2009-11-11 → claim with its certificate.
pub fn legacy_logins() -> Vec<SeedLogin> {
    vec![
        legacy_login(
            "legacy-0001",
            "old-shop@legacy.example.com",
            vec![legacy_filing(
                "沪ICP备12003456号",
                "沪ICP备12003456号-1",
                "孙小店",
                "31010419770707777X",
                "2012-05-20",
                "old-shop.com.cn",
            )],
        ),
        SeedLogin {
            activated: false,
            ..legacy_login(
                "legacy-0002",
                "never-activated@legacy.example.com",
                vec![legacy_filing(
                    "沪ICP备13007890号",
                    "沪ICP备13007890号-1",
                    "周未激活",
                    "310104198101018884",
                    "2013-03-01",
                    "inactive-site.cn",
                )],
            )
        },
        legacy_login(
            "legacy-0003",
            "moved-in@legacy.example.com",
            vec![SeedFiling {
                region: ["440000", "440300", "440305"],
                migrated: Some(("IMPORT", "1000000000000006", "sub-0004")),
                ..legacy_filing(
                    "粤ICP备11004567号",
                    "粤ICP备11004567号-1",
                    "钱多多",
                    "440305198203036780",
                    "2011-08-08",
                    "imported-site.cn",
                )
            }],
        ),
        legacy_login("legacy-0004", "empty@legacy.example.com", vec![]),
        SeedLogin {
            orders_in_progress: 2,
            ..legacy_login("legacy-0005", "orders-only@legacy.example.com", vec![])
        },
        legacy_login(
            "legacy-0006",
            "pioneer@legacy.example.com",
            vec![legacy_filing(
                "沪ICP备08001234号",
                "沪ICP备08001234号-1",
                "吴先锋",
                "310104196606066663",
                "2008-04-15",
                "pioneer-2008.cn",
            )],
        ),
        legacy_login(
            "legacy-0007",
            "moved-away@legacy.example.com",
            vec![SeedFiling {
                moved_away: true,
                ..legacy_filing(
                    "沪ICP备09005678号",
                    "沪ICP备09005678号-1",
                    "郑已迁",
                    "310104197009099998",
                    "2009-01-10",
                    "moved-away.cn",
                )
            }],
        ),
        legacy_login(
            "legacy-0008",
            "late@legacy.example.com",
            vec![legacy_filing(
                "沪ICP备17002468号",
                "沪ICP备17002468号-1",
                "冯晚来",
                "31010419920202222X",
                "2017-03-15",
                "late-2017.cn",
            )],
        ),
        legacy_login(
            "legacy-0009",
            "pioneer-org@legacy.example.com",
            vec![SeedFiling {
                nature: "ORGANISATION",
                certificate_type: "BUSINESS_LICENSE",
                principal_name: "卫先行",
                ..legacy_filing(
                    "沪ICP备09007777号",
                    "沪ICP备09007777号-1",
                    "上海先行示例有限公司",
                    "91310104MA1FL0009X",
                    "2009-11-11",
                    "pioneer-org-2009.com.cn",
                )
            }],
        ),
    ]
}
