//! SQL over `subjects`, `websites`, `website_domains`, `orders` and `holder_changes`.

use sqlx::{Any, AnyConnection, AnyExecutor, Row, Transaction, any::AnyRow};

use super::{CertificateType, Nature, Region, Subject, Website, WebsiteState};
use crate::error::Error;

fn subject_from_row(row: &AnyRow) -> Result<Subject, Error> {
    let nature: String = row.try_get("nature")?;
    let certificate_type: String = row.try_get("certificate_type")?;
    Ok(Subject {
        subject_id: row.try_get("subject_id")?,
        filing_number: row.try_get("filing_number")?,
        name: row.try_get("name")?,
        nature: Nature::parse(&nature).ok_or_else(|| Error::internal(format!("stored nature {nature:?}")))?,
        region: Region {
            province_code: row.try_get("province_code")?,
            city_code: row.try_get("city_code")?,
            district_code: row.try_get("district_code")?,
        },
        certificate_type: CertificateType::parse(&certificate_type)
            .ok_or_else(|| Error::internal(format!("stored certificate type {certificate_type:?}")))?,
        certificate_number: row.try_get("certificate_number")?,
        principal_name: row.try_get("principal_name")?,
        principal_mobile: row.try_get("principal_mobile")?,
        principal_email: row.try_get("principal_email")?,
        holder_account_id: row.try_get("holder_account_id")?,
        websites: Vec::new(),
        order_in_progress: row.try_get::<i64, _>("order_in_progress")? != 0,
    })
}

/// The subject and website number of the live filing that holds a normalised domain.
pub async fn find_by_domain(
    db: impl AnyExecutor<'_>,
    domain: &str,
) -> Result<Option<(Subject, String)>, Error> {
    let row = sqlx::query(
        "select s.subject_id, s.filing_number, s.name, s.nature, s.province_code, s.city_code, \
         s.district_code, s.certificate_type, s.certificate_number, s.principal_name, \
         s.principal_mobile, s.principal_email, s.holder_account_id, w.website_number, \
         cast((select count(*) from orders o where o.subject_id = s.subject_id \
               and o.state = 'IN_PROGRESS') as bigint) as order_in_progress \
         from website_domains d \
         join websites w on w.website_id = d.website_id \
         join subjects s on s.subject_id = w.subject_id \
         where d.domain = $1 and d.active = 1",
    )
    .bind(domain)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((subject_from_row(&row)?, row.try_get("website_number")?))).transpose()
}

/// The subject an account holds, without its websites.
pub async fn find_by_holder(db: impl AnyExecutor<'_>, account_id: &str) -> Result<Option<Subject>, Error> {
    let row = sqlx::query(
        "select s.subject_id, s.filing_number, s.name, s.nature, s.province_code, s.city_code, \
         s.district_code, s.certificate_type, s.certificate_number, s.principal_name, \
         s.principal_mobile, s.principal_email, s.holder_account_id, \
         cast((select count(*) from orders o where o.subject_id = s.subject_id \
               and o.state = 'IN_PROGRESS') as bigint) as order_in_progress \
         from subjects s where s.holder_account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(subject_from_row).transpose()
}

/// A subject by its id, without its websites.
pub async fn find_by_id(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<Option<Subject>, Error> {
    let row = sqlx::query(
        "select s.subject_id, s.filing_number, s.name, s.nature, s.province_code, s.city_code, \
         s.district_code, s.certificate_type, s.certificate_number, s.principal_name, \
         s.principal_mobile, s.principal_email, s.holder_account_id, \
         cast((select count(*) from orders o where o.subject_id = s.subject_id \
               and o.state = 'IN_PROGRESS') as bigint) as order_in_progress \
         from subjects s where s.subject_id = $1",
    )
    .bind(subject_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(subject_from_row).transpose()
}

/// The websites of a subject with their live domains, by website number.
pub async fn websites_of(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<Vec<Website>, Error> {
    let rows = sqlx::query(
        "select w.website_id, w.website_number, w.name, w.state, w.principal_name, \
         w.principal_mobile, w.principal_email, d.domain \
         from websites w left join website_domains d on d.website_id = w.website_id and d.active = 1 \
         where w.subject_id = $1 order by w.website_number, d.domain",
    )
    .bind(subject_id)
    .fetch_all(db)
    .await?;
    let mut websites: Vec<Website> = Vec::new();
    for row in rows {
        let website_id: String = row.try_get("website_id")?;
        let domain: Option<String> = row.try_get("domain")?;
        match websites.last_mut() {
            Some(last) if last.website_id == website_id => last.domains.extend(domain),
            _ => {
                let state: String = row.try_get("state")?;
                websites.push(Website {
                    website_id,
                    website_number: row.try_get("website_number")?,
                    name: row.try_get("name")?,
                    domains: domain.into_iter().collect(),
                    state: WebsiteState::parse(&state)
                        .ok_or_else(|| Error::internal(format!("stored website state {state:?}")))?,
                    principal_name: row.try_get("principal_name")?,
                    principal_mobile: row.try_get("principal_mobile")?,
                    principal_email: row.try_get("principal_email")?,
                });
            }
        }
    }
    Ok(websites)
}

/// Inserts a subject held by `holder` and records how it got there; nothing
/// if the subject exists. Answers whether it was new.
pub async fn insert_subject(
    tx: &mut Transaction<'_, Any>,
    subject: &Subject,
    certificate_key: &str,
    filing_password_hash: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let inserted = sqlx::query(
        "insert into subjects (subject_id, filing_number, name, nature, province_code, city_code, \
         district_code, certificate_type, certificate_number, certificate_key, principal_name, \
         principal_mobile, principal_email, filing_password_hash, holder_account_id, version, \
         created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $16) \
         on conflict do nothing",
    )
    .bind(&subject.subject_id)
    .bind(&subject.filing_number)
    .bind(&subject.name)
    .bind(subject.nature.as_str())
    .bind(&subject.region.province_code)
    .bind(&subject.region.city_code)
    .bind(&subject.region.district_code)
    .bind(subject.certificate_type.as_str())
    .bind(&subject.certificate_number)
    .bind(certificate_key)
    .bind(&subject.principal_name)
    .bind(&subject.principal_mobile)
    .bind(&subject.principal_email)
    .bind(filing_password_hash)
    .bind(subject.holder_account_id.as_deref())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(inserted)
}

/// Inserts a website with its domains; DOMAIN_ALREADY_FILED when a live filing holds one of
/// them (the live-domain index decides, also against a concurrent insert).
pub async fn insert_website(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    website: &Website,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into websites (website_id, subject_id, website_number, name, state, principal_name, \
         principal_mobile, principal_email, created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&website.website_id)
    .bind(subject_id)
    .bind(&website.website_number)
    .bind(&website.name)
    .bind(website.state.as_str())
    .bind(&website.principal_name)
    .bind(&website.principal_mobile)
    .bind(&website.principal_email)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    for domain in &website.domains {
        let inserted = sqlx::query(
            "insert into website_domains (website_id, domain, active, created_at_ms) values ($1, $2, $3, $4) \
             on conflict do nothing",
        )
        .bind(&website.website_id)
        .bind(domain)
        .bind(i64::from(website.state != WebsiteState::Deregistered))
        .bind(now_ms)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(Error::DomainAlreadyFiled { domain: domain.clone() });
        }
    }
    Ok(())
}

/// Records a change of holder (`from` is None when the subject entered the registry, `to`
/// when it was deregistered).
pub async fn insert_holder_change(
    tx: &mut Transaction<'_, Any>,
    change: &HolderChangeRecord<'_>,
) -> Result<(), Error> {
    sqlx::query(
        "insert into holder_changes (change_id, subject_id, from_account_id, to_account_id, actor, \
         reason, idempotency_key, changed_at_ms) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(change.change_id)
    .bind(change.subject_id)
    .bind(change.from_account_id)
    .bind(change.to_account_id)
    .bind(change.actor)
    .bind(change.reason)
    .bind(change.idempotency_key)
    .bind(change.changed_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One row of `holder_changes`.
#[derive(Debug)]
pub struct HolderChangeRecord<'a> {
    pub change_id: &'a str,
    pub subject_id: &'a str,
    pub from_account_id: Option<&'a str>,
    pub to_account_id: Option<&'a str>,
    pub actor: &'a str,
    pub reason: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub changed_at_ms: i64,
}

pub async fn insert_order_in_progress(
    tx: &mut Transaction<'_, Any>,
    order_number: &str,
    subject_id: &str,
    kind: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into orders (order_number, subject_id, kind, state, payload, created_at_ms, updated_at_ms) \
         values ($1, $2, $3, 'IN_PROGRESS', '{}', $4, $4)",
    )
    .bind(order_number)
    .bind(subject_id)
    .bind(kind)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the subject's row for an order: bumps its version if `account_id` still holds it,
/// and answers whether it does. The first statement of an order's transaction, as a
/// transfer's move is of its own: the two take the same row (PostgreSQL's row lock,
/// SQLite's one writer), so each sees what the other committed before it.
pub async fn take_for_order(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    account_id: &str,
) -> Result<bool, Error> {
    let taken = sqlx::query(
        "update subjects set version = version + 1 where subject_id = $1 and holder_account_id = $2",
    )
    .bind(subject_id)
    .bind(account_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Ends the holding of a subject deregistered as a whole: it is then nobody's, so its account
/// may hold another subject and no holder's request finds it. Answers the holder it had (None
/// if none). Read after the approval's deciding update, in its transaction: a transfer, which
/// would change the holder, refuses while the order is in progress.
pub async fn release(
    tx: &mut Transaction<'_, Any>,
    subject_id: &str,
    now_ms: i64,
) -> Result<Option<String>, Error> {
    let holder: Option<String> = sqlx::query("select holder_account_id from subjects where subject_id = $1")
        .bind(subject_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("holder_account_id")?;
    let Some(holder) = holder else { return Ok(None) };
    let released = sqlx::query(
        "update subjects set holder_account_id = null, version = version + 1, updated_at_ms = $3 \
         where subject_id = $1 and holder_account_id = $2",
    )
    .bind(subject_id)
    .bind(&holder)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if released != 1 {
        return Err(Error::internal(format!("subject {subject_id} changed holder while deregistered")));
    }
    Ok(Some(holder))
}

/// The subject of a filing number (`subject_number`), provided `website_number` (if
/// given) is one of its websites that is not deregistered.
pub async fn find_by_filing_number(
    db: impl AnyExecutor<'_>,
    subject_number: &str,
    website_number: Option<&str>,
) -> Result<Option<Subject>, Error> {
    let row = sqlx::query(
        "select s.subject_id, s.filing_number, s.name, s.nature, s.province_code, s.city_code, \
         s.district_code, s.certificate_type, s.certificate_number, s.principal_name, \
         s.principal_mobile, s.principal_email, s.holder_account_id, \
         cast((select count(*) from orders o where o.subject_id = s.subject_id \
               and o.state = 'IN_PROGRESS') as bigint) as order_in_progress \
         from subjects s where s.filing_number = $1 and ($2 is null or exists \
           (select 1 from websites w where w.subject_id = s.subject_id and w.website_number = $2 \
            and w.state <> 'DEREGISTERED'))",
    )
    .bind(subject_number)
    .bind(website_number)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(subject_from_row).transpose()
}

/// The ID number of an organisation's principal, where it is on file.
pub async fn principal_id_number(
    db: impl AnyExecutor<'_>,
    subject_id: &str,
) -> Result<Option<String>, Error> {
    let row = sqlx::query("select principal_id_number from subjects where subject_id = $1")
        .bind(subject_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get::<Option<String>, _>("principal_id_number")).transpose()?.flatten())
}

pub async fn set_principal_id_number(
    conn: &mut AnyConnection,
    subject_id: &str,
    id_number: &str,
) -> Result<(), Error> {
    sqlx::query("update subjects set principal_id_number = $2 where subject_id = $1")
        .bind(subject_id)
        .bind(id_number)
        .execute(conn)
        .await?;
    Ok(())
}
