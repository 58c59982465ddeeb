//! SQL over the legacy tables.

use sqlx::{Any, AnyExecutor, Row, Transaction};

use crate::error::Error;

/// What classifying a domain needs of its legacy filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainFiling {
    pub submitted_on: String,
    pub moved_away: bool,
    pub migrated: bool,
    pub login_email: String,
}

pub async fn filing_of_domain(db: impl AnyExecutor<'_>, domain: &str) -> Result<Option<DomainFiling>, Error> {
    let row = sqlx::query(
        "select f.submitted_on, f.moved_away, l.login_email, \
         cast((select count(*) from migrations m where m.filing_number = f.filing_number) as bigint) as migrated \
         from legacy_domains d \
         join legacy_websites w on w.website_number = d.website_number \
         join legacy_filings f on f.filing_number = w.filing_number \
         join legacy_logins l on l.legacy_login_id = f.legacy_login_id \
         where d.domain = $1",
    )
    .bind(domain)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(DomainFiling {
            submitted_on: row.try_get("submitted_on")?,
            moved_away: row.try_get::<i64, _>("moved_away")? != 0,
            migrated: row.try_get::<i64, _>("migrated")? != 0,
            login_email: row.try_get("login_email")?,
        })
    })
    .transpose()
}

/// A legacy login as stored.
#[derive(Debug, Clone)]
pub struct LoginRow<'a> {
    pub legacy_login_id: &'a str,
    pub login_email: &'a str,
    pub login_email_key: &'a str,
    pub password_hash: &'a str,
    pub activated: bool,
    pub orders_in_progress: i64,
}

/// Inserts a login unless it exists; answers whether it was new.
pub async fn insert_login(
    tx: &mut Transaction<'_, Any>,
    login: &LoginRow<'_>,
    now_ms: i64,
) -> Result<bool, Error> {
    let result = sqlx::query(
        "insert into legacy_logins (legacy_login_id, login_email, login_email_key, password_hash, \
         activated, orders_in_progress, created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $7) on conflict do nothing",
    )
    .bind(login.legacy_login_id)
    .bind(login.login_email)
    .bind(login.login_email_key)
    .bind(login.password_hash)
    .bind(i64::from(login.activated))
    .bind(login.orders_in_progress)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A legacy filing as stored.
#[derive(Debug, Clone)]
pub struct FilingRow<'a> {
    pub filing_number: &'a str,
    pub legacy_login_id: &'a str,
    pub name: &'a str,
    pub nature: &'a str,
    pub region: [&'a str; 3],
    pub certificate_type: &'a str,
    pub certificate_number: &'a str,
    pub certificate_key: &'a str,
    pub principal_name: &'a str,
    pub principal_mobile: &'a str,
    pub principal_email: &'a str,
    pub submitted_on: &'a str,
    pub moved_away: bool,
}

pub async fn insert_filing(
    tx: &mut Transaction<'_, Any>,
    filing: &FilingRow<'_>,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into legacy_filings (filing_number, legacy_login_id, name, nature, province_code, \
         city_code, district_code, certificate_type, certificate_number, certificate_key, \
         principal_name, principal_mobile, principal_email, submitted_on, moved_away, \
         created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
    )
    .bind(filing.filing_number)
    .bind(filing.legacy_login_id)
    .bind(filing.name)
    .bind(filing.nature)
    .bind(filing.region[0])
    .bind(filing.region[1])
    .bind(filing.region[2])
    .bind(filing.certificate_type)
    .bind(filing.certificate_number)
    .bind(filing.certificate_key)
    .bind(filing.principal_name)
    .bind(filing.principal_mobile)
    .bind(filing.principal_email)
    .bind(filing.submitted_on)
    .bind(i64::from(filing.moved_away))
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_website(
    tx: &mut Transaction<'_, Any>,
    website_number: &str,
    filing_number: &str,
    name: &str,
    domains: &[String],
) -> Result<(), Error> {
    sqlx::query("insert into legacy_websites (website_number, filing_number, name) values ($1, $2, $3)")
        .bind(website_number)
        .bind(filing_number)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    for domain in domains {
        sqlx::query("insert into legacy_domains (domain, website_number) values ($1, $2)")
            .bind(domain)
            .bind(website_number)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records a finished migration of a filing into a current account.
pub async fn insert_done_migration(
    tx: &mut Transaction<'_, Any>,
    migration_id: &str,
    filing_number: &str,
    kind: &str,
    account_id: &str,
    subject_id: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into migrations (migration_id, filing_number, kind, account_id, state, subject_id, \
         created_at_ms, updated_at_ms) values ($1, $2, $3, $4, 'DONE', $5, $6, $6)",
    )
    .bind(migration_id)
    .bind(filing_number)
    .bind(kind)
    .bind(account_id)
    .bind(subject_id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
