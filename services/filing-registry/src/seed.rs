//! Loading known filings and registrars' records of domains (the demo data set, the load
//! tool, tests) through the registry's own store.

use beian_common::{
    contact::normalise_certificate_number, domain_name::normalise_domain,
    service_number::normalise_service_number,
};
use beian_platform::storage::{Database, now_millis};

use crate::{
    domains::{self, DomainRegistration},
    orders,
    subjects::{
        CertificateType, Nature, Region, Subject, Website, WebsiteState,
        store::{self, HolderChangeRecord},
    },
};

/// A subject to load, with its filing password in the clear (hashed on insert).
#[derive(Debug, Clone)]
pub struct SeedSubject {
    pub subject_id: &'static str,
    pub filing_number: &'static str,
    pub name: &'static str,
    pub nature: Nature,
    /// Province, city, district codes.
    pub region: [&'static str; 3],
    pub certificate_type: CertificateType,
    pub certificate_number: &'static str,
    pub principal_name: &'static str,
    pub principal_mobile: &'static str,
    pub principal_email: &'static str,
    /// An organisation's principal's resident ID number (an individual's is the certificate).
    pub principal_id_number: Option<&'static str>,
    pub filing_password: &'static str,
    pub holder_account_id: &'static str,
    pub websites: Vec<SeedWebsite>,
    /// The kind of an order in progress on the subject, if any (e.g. `CHANGE_WEBSITE`).
    pub order_in_progress: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct SeedWebsite {
    pub website_id: &'static str,
    pub website_number: &'static str,
    pub name: &'static str,
    pub domains: Vec<&'static str>,
    pub state: WebsiteState,
    /// The server filing service number its filing used: recorded as used for ever.
    pub service_number: &'static str,
}

/// A registrar's record of a domain (what `RecordDomainRegistrations` takes).
#[derive(Debug, Clone)]
pub struct SeedDomainRegistration {
    pub domain: &'static str,
    pub registrar: &'static str,
    pub holder_name: &'static str,
    pub holder_certificate_type: CertificateType,
    pub holder_certificate_number: &'static str,
    pub real_name_verified: bool,
    pub expires_at_ms: i64,
}

impl SeedDomainRegistration {
    /// The record of a domain `subject` holds, real-name verified, expiring at `expires_at_ms`:
    /// what a new website of the subject passes domain verification with.
    pub fn verified(subject: &SeedSubject, domain: &'static str, expires_at_ms: i64) -> Self {
        Self {
            domain,
            registrar: "示例域名注册商",
            holder_name: subject.name,
            holder_certificate_type: subject.certificate_type,
            holder_certificate_number: subject.certificate_number,
            real_name_verified: true,
            expires_at_ms,
        }
    }
}

/// Records registrations, each replacing its domain's earlier record; answers how many.
pub async fn record_domain_registrations(
    db: &Database,
    seeds: &[SeedDomainRegistration],
) -> anyhow::Result<usize> {
    let registrations = seeds
        .iter()
        .map(|seed| {
            Ok(DomainRegistration {
                domain: normalise_domain(seed.domain)?,
                registrar: seed.registrar.to_owned(),
                holder_name: seed.holder_name.trim().to_owned(),
                holder_certificate_type: seed.holder_certificate_type,
                holder_certificate_number: seed.holder_certificate_number.to_owned(),
                real_name_verified: seed.real_name_verified,
                expires_at_ms: seed.expires_at_ms,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(domains::record(db, &registrations).await?)
}

/// Inserts the subjects that are not there yet; answers how many were new.
pub async fn insert_subjects(db: &Database, seeds: &[SeedSubject]) -> anyhow::Result<usize> {
    let mut inserted = 0;
    for seed in seeds {
        let subject = subject(seed)?;
        let password_hash = beian_common::password::hash(seed.filing_password)?;
        let now = now_millis();
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        let key = normalise_certificate_number(seed.certificate_number);
        if !store::insert_subject(&mut tx, &subject, &key, &password_hash, now).await? {
            continue;
        }
        if let Some(id_number) = seed.principal_id_number {
            let id_number = normalise_certificate_number(id_number);
            store::set_principal_id_number(&mut tx, &subject.subject_id, &id_number).await?;
        }
        for (website, seeded) in subject.websites.iter().zip(&seed.websites) {
            store::insert_website(&mut tx, &subject.subject_id, website, now).await?;
            let number = normalise_service_number(seeded.service_number)?;
            orders::store::use_service_number(&mut tx, &number, &website.website_id, now).await?;
        }
        store::insert_holder_change(
            &mut tx,
            &HolderChangeRecord {
                change_id: &format!("seed-{}", seed.subject_id),
                subject_id: &subject.subject_id,
                from_account_id: None,
                to_account_id: Some(seed.holder_account_id),
                actor: "system",
                reason: "seed",
                idempotency_key: None,
                changed_at_ms: now,
            },
        )
        .await?;
        if let Some(kind) = seed.order_in_progress {
            store::insert_order_in_progress(
                &mut tx,
                &format!("ORD-{}", seed.subject_id),
                &subject.subject_id,
                kind,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        drop(writer);
        inserted += 1;
    }
    Ok(inserted)
}

fn subject(seed: &SeedSubject) -> anyhow::Result<Subject> {
    let websites = seed
        .websites
        .iter()
        .map(|w| {
            Ok(Website {
                website_id: w.website_id.to_owned(),
                website_number: w.website_number.to_owned(),
                name: w.name.to_owned(),
                domains: normalised_domains(&w.domains)?,
                state: w.state,
                principal_name: seed.principal_name.to_owned(),
                principal_mobile: seed.principal_mobile.to_owned(),
                principal_email: seed.principal_email.to_owned(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Subject {
        subject_id: seed.subject_id.to_owned(),
        filing_number: seed.filing_number.to_owned(),
        name: seed.name.to_owned(),
        nature: seed.nature,
        region: Region {
            province_code: seed.region[0].to_owned(),
            city_code: seed.region[1].to_owned(),
            district_code: seed.region[2].to_owned(),
        },
        certificate_type: seed.certificate_type,
        certificate_number: seed.certificate_number.to_owned(),
        principal_name: seed.principal_name.to_owned(),
        principal_mobile: seed.principal_mobile.to_owned(),
        principal_email: seed.principal_email.to_owned(),
        holder_account_id: Some(seed.holder_account_id.to_owned()),
        websites,
        order_in_progress: seed.order_in_progress.is_some(),
    })
}

/// Normalised and without repeats: `www.example.com` and `example.com` are one domain.
fn normalised_domains(domains: &[&str]) -> anyhow::Result<Vec<String>> {
    let mut normalised = Vec::with_capacity(domains.len());
    for domain in domains {
        let domain = normalise_domain(domain)?;
        if !normalised.contains(&domain) {
            normalised.push(domain);
        }
    }
    Ok(normalised)
}
