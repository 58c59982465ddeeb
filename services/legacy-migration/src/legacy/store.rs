//! SQL over the legacy tables.

use sqlx::{Any, AnyExecutor, Row, Transaction};

use super::password::StoredPassword;
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

/// A legacy login as an import checks it.
#[derive(Debug, Clone)]
pub struct Login {
    pub legacy_login_id: String,
    pub password: StoredPassword,
    pub activated: bool,
    pub orders_in_progress: i64,
}

/// The login with that lower-cased email, if any.
pub async fn login_by_email(db: impl AnyExecutor<'_>, email_key: &str) -> Result<Option<Login>, Error> {
    let row = sqlx::query(
        "select legacy_login_id, password_hash, password_format, password_salt, activated, orders_in_progress \
         from legacy_logins where login_email_key = $1",
    )
    .bind(email_key)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Login {
            legacy_login_id: row.try_get("legacy_login_id")?,
            password: StoredPassword {
                format: row.try_get("password_format")?,
                hash: row.try_get("password_hash")?,
                salt: row.try_get("password_salt")?,
            },
            activated: row.try_get::<i64, _>("activated")? != 0,
            orders_in_progress: row.try_get("orders_in_progress")?,
        })
    })
    .transpose()
}

/// Replaces a legacy hash that was just checked with the suite's own; a row whose hash
/// changed meanwhile (a reset) is left alone.
pub async fn rehash_to_suite(
    db: impl AnyExecutor<'_>,
    legacy_login_id: &str,
    old_hash: &str,
    suite_hash: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update legacy_logins set password_hash = $3, password_format = 'suite', password_salt = null, \
         updated_at_ms = $4 where legacy_login_id = $1 and password_hash = $2",
    )
    .bind(legacy_login_id)
    .bind(old_hash)
    .bind(suite_hash)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// A legacy filing of a login, with its migration if it has one.
#[derive(Debug, Clone)]
pub struct LoginFiling {
    pub filing_number: String,
    pub submitted_on: String,
    pub moved_away: bool,
    /// (kind, account id) of its migration.
    pub migration: Option<(String, String)>,
}

pub async fn filings_of_login(
    db: impl AnyExecutor<'_>,
    legacy_login_id: &str,
) -> Result<Vec<LoginFiling>, Error> {
    let rows = sqlx::query(
        "select f.filing_number, f.submitted_on, f.moved_away, m.kind, m.account_id \
         from legacy_filings f left join migrations m on m.filing_number = f.filing_number \
         where f.legacy_login_id = $1 order by f.submitted_on, f.filing_number",
    )
    .bind(legacy_login_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: Option<String> = row.try_get("kind")?;
            let account_id: Option<String> = row.try_get("account_id")?;
            Ok(LoginFiling {
                filing_number: row.try_get("filing_number")?,
                submitted_on: row.try_get("submitted_on")?,
                moved_away: row.try_get::<i64, _>("moved_away")? != 0,
                migration: kind.zip(account_id),
            })
        })
        .collect()
}

/// A legacy filing as a claim checks it: the login it is under aside.
pub async fn filing(db: impl AnyExecutor<'_>, filing_number: &str) -> Result<Option<LoginFiling>, Error> {
    let row = sqlx::query(
        "select f.filing_number, f.submitted_on, f.moved_away, m.kind, m.account_id \
         from legacy_filings f left join migrations m on m.filing_number = f.filing_number \
         where f.filing_number = $1",
    )
    .bind(filing_number)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let kind: Option<String> = row.try_get("kind")?;
        let account_id: Option<String> = row.try_get("account_id")?;
        Ok(LoginFiling {
            filing_number: row.try_get("filing_number")?,
            submitted_on: row.try_get("submitted_on")?,
            moved_away: row.try_get::<i64, _>("moved_away")? != 0,
            migration: kind.zip(account_id),
        })
    })
    .transpose()
}

/// The subject of a legacy filing with its websites and their domains, as
/// filing-registry adopts it.
pub async fn legacy_subject(
    db: impl AnyExecutor<'_> + Copy,
    filing_number: &str,
) -> Result<Option<LegacySubject>, Error> {
    let Some(row) = sqlx::query(
        "select filing_number, name, nature, province_code, city_code, district_code, certificate_type, \
         certificate_number, principal_name, principal_mobile, principal_email \
         from legacy_filings where filing_number = $1",
    )
    .bind(filing_number)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let domains = sqlx::query(
        "select w.website_number, w.name, d.domain from legacy_websites w \
         left join legacy_domains d on d.website_number = w.website_number \
         where w.filing_number = $1 order by w.website_number, d.domain",
    )
    .bind(filing_number)
    .fetch_all(db)
    .await?;
    let mut websites: Vec<LegacyWebsite> = Vec::new();
    for domain in &domains {
        let website_number: String = domain.try_get("website_number")?;
        if websites.last().is_none_or(|w| w.website_number != website_number) {
            websites.push(LegacyWebsite {
                website_number,
                name: domain.try_get("name")?,
                domains: Vec::new(),
            });
        }
        if let (Some(website), Some(name)) =
            (websites.last_mut(), domain.try_get::<Option<String>, _>("domain")?)
        {
            website.domains.push(name);
        }
    }
    Ok(Some(LegacySubject {
        filing_number: row.try_get("filing_number")?,
        name: row.try_get("name")?,
        nature: row.try_get("nature")?,
        region: [row.try_get("province_code")?, row.try_get("city_code")?, row.try_get("district_code")?],
        certificate_type: row.try_get("certificate_type")?,
        certificate_number: row.try_get("certificate_number")?,
        principal_name: row.try_get("principal_name")?,
        principal_mobile: row.try_get("principal_mobile")?,
        principal_email: row.try_get("principal_email")?,
        websites,
    }))
}

/// A legacy subject as it enters a current account. No `Debug`: names, certificate and
/// contacts are personal data.
#[derive(Clone)]
pub struct LegacySubject {
    pub filing_number: String,
    pub name: String,
    /// `INDIVIDUAL` or `ORGANISATION`.
    pub nature: String,
    pub region: [String; 3],
    pub certificate_type: String,
    pub certificate_number: String,
    pub principal_name: String,
    pub principal_mobile: String,
    pub principal_email: String,
    pub websites: Vec<LegacyWebsite>,
}

#[derive(Debug, Clone)]
pub struct LegacyWebsite {
    pub website_number: String,
    pub name: String,
    pub domains: Vec<String>,
}

pub async fn website_count(db: impl AnyExecutor<'_>, filing_number: &str) -> Result<i64, Error> {
    let row =
        sqlx::query("select cast(count(*) as bigint) as n from legacy_websites where filing_number = $1")
            .bind(filing_number)
            .fetch_one(db)
            .await?;
    Ok(row.try_get("n")?)
}

/// Sets a login's stored password as given (seeding and tests: a dump's format).
pub async fn set_stored_password(
    db: impl AnyExecutor<'_>,
    legacy_login_id: &str,
    format: &str,
    hash: &str,
    salt: Option<&str>,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update legacy_logins set password_format = $2, password_hash = $3, password_salt = $4, \
         updated_at_ms = $5 where legacy_login_id = $1",
    )
    .bind(legacy_login_id)
    .bind(format)
    .bind(hash)
    .bind(salt.map(str::to_owned))
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn stored_password(
    db: impl AnyExecutor<'_>,
    legacy_login_id: &str,
) -> Result<StoredPassword, Error> {
    let row = sqlx::query(
        "select password_format, password_hash, password_salt from legacy_logins where legacy_login_id = $1",
    )
    .bind(legacy_login_id)
    .fetch_one(db)
    .await?;
    Ok(StoredPassword {
        format: row.try_get("password_format")?,
        hash: row.try_get("password_hash")?,
        salt: row.try_get("password_salt")?,
    })
}
