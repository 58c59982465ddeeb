//! Loading known legacy logins and filings (the demo data set, tests) through
//! the service's own store.

use beian_common::{contact::normalise_certificate_number, domain_name::normalise_domain};
use beian_platform::storage::{Database, now_millis};

use crate::legacy::store::{self, FilingRow, LoginRow};

/// A legacy login with its filings, password in the clear (hashed on insert).
#[derive(Debug, Clone)]
pub struct SeedLogin {
    pub legacy_login_id: &'static str,
    pub login_email: &'static str,
    pub password: &'static str,
    pub activated: bool,
    pub orders_in_progress: i64,
    pub filings: Vec<SeedFiling>,
}

#[derive(Debug, Clone)]
pub struct SeedFiling {
    pub filing_number: &'static str,
    pub name: &'static str,
    /// `INDIVIDUAL` or `ORGANISATION`.
    pub nature: &'static str,
    pub region: [&'static str; 3],
    pub certificate_type: &'static str,
    pub certificate_number: &'static str,
    pub principal_name: &'static str,
    pub principal_mobile: &'static str,
    pub principal_email: &'static str,
    /// `YYYY-MM-DD`.
    pub submitted_on: &'static str,
    pub moved_away: bool,
    /// (website number, name, domains).
    pub websites: Vec<(&'static str, &'static str, Vec<&'static str>)>,
    /// Already imported or claimed: (kind `IMPORT`/`CLAIM`, account id, subject id).
    pub migrated: Option<(&'static str, &'static str, &'static str)>,
}

/// Inserts the logins that are not there yet, with their filings; answers how many were new.
pub async fn insert_logins(db: &Database, seeds: &[SeedLogin]) -> anyhow::Result<usize> {
    let mut inserted = 0;
    for seed in seeds {
        let password_hash = beian_common::password::hash(seed.password)?;
        let now = now_millis();
        let email_key = seed.login_email.trim().to_lowercase();
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        let login = LoginRow {
            legacy_login_id: seed.legacy_login_id,
            login_email: seed.login_email,
            login_email_key: &email_key,
            password_hash: &password_hash,
            activated: seed.activated,
            orders_in_progress: seed.orders_in_progress,
        };
        if !store::insert_login(&mut tx, &login, now).await? {
            continue;
        }
        for filing in &seed.filings {
            insert_filing(&mut tx, seed.legacy_login_id, filing, now).await?;
        }
        tx.commit().await?;
        drop(writer);
        inserted += 1;
    }
    Ok(inserted)
}

async fn insert_filing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    legacy_login_id: &str,
    filing: &SeedFiling,
    now: i64,
) -> anyhow::Result<()> {
    let key = normalise_certificate_number(filing.certificate_number);
    let row = FilingRow {
        filing_number: filing.filing_number,
        legacy_login_id,
        name: filing.name,
        nature: filing.nature,
        region: filing.region,
        certificate_type: filing.certificate_type,
        certificate_number: filing.certificate_number,
        certificate_key: &key,
        principal_name: filing.principal_name,
        principal_mobile: filing.principal_mobile,
        principal_email: filing.principal_email,
        submitted_on: filing.submitted_on,
        moved_away: filing.moved_away,
    };
    store::insert_filing(tx, &row, now).await?;
    for (website_number, name, domains) in &filing.websites {
        let domains = domains.iter().map(|d| normalise_domain(d)).collect::<Result<Vec<_>, _>>()?;
        store::insert_website(tx, website_number, filing.filing_number, name, &domains).await?;
    }
    if let Some((kind, account_id, subject_id)) = filing.migrated {
        let migration_id = format!("seed-{}", filing.filing_number);
        store::insert_done_migration(
            tx,
            &migration_id,
            filing.filing_number,
            kind,
            account_id,
            subject_id,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Replaces a seeded login's password with a hash as a legacy dump stores it (`format`
/// of DUMP.md, its hash and salt): for tests of each legacy format.
pub async fn store_legacy_password(
    db: &Database,
    legacy_login_id: &str,
    format: &str,
    hash: &str,
    salt: Option<&str>,
) -> anyhow::Result<()> {
    store::set_stored_password(&mut *db.writer().await?, legacy_login_id, format, hash, salt, now_millis())
        .await?;
    Ok(())
}

/// A login's stored password: (format, hash, salt).
pub async fn stored_password(
    db: &Database,
    legacy_login_id: &str,
) -> anyhow::Result<(String, String, Option<String>)> {
    let stored = store::stored_password(db.reader(), legacy_login_id).await?;
    Ok((stored.format, stored.hash, stored.salt))
}
