//! The synthetic data set: N current filings, each with its own domain
//! `load-{i}.example.cn` (and `order-{i}.example.cn` registered to it, which its
//! holder may add as a new website), its own mobile and its own holder account, and N
//! accounts holding nothing (`load-target-{i}`, where the transfer scenario moves
//! filing `i`), loaded through the services' seed APIs before the suite opens its
//! ports.
//!
//! The seed APIs take a service's `Database`, which only the running service
//! holds; so the two databases are opened here with the services' own
//! migrations (same files, same checksums: the services find them applied).

use beian::Databases;
use filing_registry::{
    seed::{SeedDomainRegistration, SeedSubject, SeedWebsite},
    subjects::{CertificateType, Nature, WebsiteState},
};
use identity_recovery::{accounts::Site, seed::SeedAccount};

/// Every synthetic account's password.
pub const PASSWORD: &str = "Load#2026pass";
const FILING_PASSWORD: &str = "483920";
/// When the synthetic domains' registrations expire: 2036-01-01, years ahead.
const REGISTRATIONS_EXPIRE_MS: i64 = 2_082_729_600_000;

/// What a request needs to know of filing `i`.
#[derive(Debug, Clone)]
pub struct Filing {
    pub domain: String,
    /// Where its SMS codes go (the filing's and the holder's mobile).
    pub mobile: String,
}

/// The login name of filing `i`'s holder account.
pub fn login_name(i: usize) -> String {
    format!("load-user-{i}")
}

/// The login name of the empty account filing `i` may be transferred to.
pub fn target_login_name(i: usize) -> String {
    format!("load-target-{i}")
}

/// The email bound to filing `i`'s holder account (its mobile is the filing's).
pub fn holder_email(i: usize) -> String {
    format!("load-{i}@example.cn")
}

/// The account id of filing `i`'s holder.
pub fn holder_account_id(i: usize) -> String {
    format!("9{i:015}")
}

/// The account id of the empty account filing `i` may be transferred to.
pub fn target_account_id(i: usize) -> String {
    format!("8{i:015}")
}

/// The mobile of that empty account.
pub fn target_mobile(i: usize) -> String {
    format!("138{i:08}")
}

/// Filing `i`'s subject filing number.
pub fn filing_number(i: usize) -> String {
    format!("京ICP备{:08}号", 50_000_000 + i)
}

/// The domain filing `i`'s holder may add as a new website: registered to its subject.
pub fn new_website_domain(i: usize) -> String {
    format!("order-{i}.example.cn")
}

pub fn filing(i: usize) -> Filing {
    Filing { domain: format!("load-{i}.example.cn"), mobile: format!("139{i:08}") }
}

/// Loads filings `0..count`; answers them in order.
pub async fn load(databases: &Databases, count: usize) -> anyhow::Result<Vec<Filing>> {
    anyhow::ensure!(count < 100_000_000, "at most 99,999,999 filings (mobiles are 139 + 8 digits)");
    let identity = identity_recovery::Application::open_database(&databases.identity_recovery).await?;
    let registry = filing_registry::Application::open_database(&databases.filing_registry).await?;
    // Both seed APIs hash a password per row (Argon2): spread the rows over
    // the cores, since this is most of the start-up time.
    let chunk = count.div_ceil(cores()).max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for start in (0..count).step_by(chunk) {
        let rows = start..(start + chunk).min(count);
        let (identity, registry) = (identity.clone(), registry.clone());
        tasks.spawn(async move {
            let accounts: Vec<SeedAccount> = rows.clone().flat_map(|i| [account(i), target(i)]).collect();
            identity_recovery::seed::insert_accounts(&identity, &accounts).await?;
            let subjects: Vec<SeedSubject> = rows.clone().map(subject).collect();
            filing_registry::seed::insert_subjects(&registry, &subjects).await?;
            let registrations: Vec<SeedDomainRegistration> =
                rows.zip(&subjects).flat_map(|(i, subject)| registrations(i, subject)).collect();
            filing_registry::seed::record_domain_registrations(&registry, &registrations).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    identity.close().await;
    registry.close().await;
    Ok((0..count).map(filing).collect())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The seed types hold `&'static str` (they were made for the fixed demo set);
/// a load run seeds once per process, so leaking its strings is harmless.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn account_id(i: usize) -> &'static str {
    leak(holder_account_id(i))
}

fn account(i: usize) -> SeedAccount {
    let Filing { mobile, .. } = filing(i);
    SeedAccount {
        account_id: account_id(i),
        login_name: leak(login_name(i)),
        site: Site::Cn,
        mobile: leak(mobile),
        email: leak(holder_email(i)),
        password: PASSWORD,
        staff: false,
    }
}

fn target(i: usize) -> SeedAccount {
    SeedAccount {
        account_id: leak(target_account_id(i)),
        login_name: leak(target_login_name(i)),
        mobile: leak(target_mobile(i)),
        email: leak(format!("load-target-{i}@example.cn")),
        ..account(i)
    }
}

/// The registrar's records of filing `i`'s domain and of the one it may add.
fn registrations(i: usize, subject: &SeedSubject) -> [SeedDomainRegistration; 2] {
    let filed = subject.websites[0].domains[0];
    [filed, leak(new_website_domain(i))]
        .map(|domain| SeedDomainRegistration::verified(subject, domain, REGISTRATIONS_EXPIRE_MS))
}

fn subject(i: usize) -> SeedSubject {
    let Filing { domain, mobile } = filing(i);
    let filing_number = filing_number(i);
    SeedSubject {
        subject_id: leak(format!("load-sub-{i}")),
        filing_number: leak(filing_number.clone()),
        name: leak(format!("负载测试{i}")),
        nature: Nature::Individual,
        region: ["110000", "110100", "110105"],
        certificate_type: CertificateType::ResidentIdCard,
        certificate_number: leak(format!("11010519900101{:04}", i % 10_000)),
        principal_name: leak(format!("负载测试{i}")),
        principal_mobile: leak(mobile),
        principal_email: leak(format!("load-{i}@example.cn")),
        principal_id_number: None,
        filing_password: FILING_PASSWORD,
        holder_account_id: account_id(i),
        websites: vec![SeedWebsite {
            website_id: leak(format!("load-web-{i}")),
            website_number: leak(format!("{filing_number}-1")),
            name: leak(format!("负载测试站点{i}")),
            domains: vec![leak(domain)],
            state: WebsiteState::Active,
            service_number: leak(format!("LOAD{i:010}")),
        }],
        order_in_progress: None,
    }
}
