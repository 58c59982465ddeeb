//! SQL matching a new filing's details against the legacy filings.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// The details a filing is matched by, normalised by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub region: [&'a str; 3],
    pub nature: &'a str,
    pub certificate_type: &'a str,
    pub certificate_key: &'a str,
    pub domain: &'a str,
}

/// A legacy filing with those details, in the clear (masked at the wire).
#[derive(Clone, PartialEq, Eq)]
pub struct MatchedRow {
    pub filing_number: String,
    pub nature: String,
    pub region: [String; 3],
    pub certificate_type: String,
    pub certificate_number: String,
    pub principal_name: String,
    pub submitted_on: String,
    pub moved_away: bool,
    pub migrated: bool,
    pub login_email: String,
    pub domain_matches: bool,
}

/// The filing of those subject details whose websites hold the domain, else the first by
/// number; None when no legacy filing has the details.
pub async fn find(db: impl AnyExecutor<'_>, key: Key<'_>) -> Result<Option<MatchedRow>, Error> {
    let row = sqlx::query(
        "select f.filing_number, f.nature, f.province_code, f.city_code, f.district_code, \
         f.certificate_type, f.certificate_number, f.principal_name, f.submitted_on, f.moved_away, \
         l.login_email, \
         cast((select count(*) from migrations m where m.filing_number = f.filing_number) as bigint) \
           as migrated, \
         cast((select count(*) from legacy_domains d \
               join legacy_websites w on w.website_number = d.website_number \
               where w.filing_number = f.filing_number and d.domain = $7) as bigint) as domain_matches \
         from legacy_filings f \
         join legacy_logins l on l.legacy_login_id = f.legacy_login_id \
         where f.certificate_key = $1 and f.certificate_type = $2 and f.nature = $3 \
           and f.province_code = $4 and f.city_code = $5 and f.district_code = $6 \
         order by domain_matches desc, f.filing_number \
         limit 1",
    )
    .bind(key.certificate_key)
    .bind(key.certificate_type)
    .bind(key.nature)
    .bind(key.region[0])
    .bind(key.region[1])
    .bind(key.region[2])
    .bind(key.domain)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(MatchedRow {
            filing_number: row.try_get("filing_number")?,
            nature: row.try_get("nature")?,
            region: [row.try_get("province_code")?, row.try_get("city_code")?, row.try_get("district_code")?],
            certificate_type: row.try_get("certificate_type")?,
            certificate_number: row.try_get("certificate_number")?,
            principal_name: row.try_get("principal_name")?,
            submitted_on: row.try_get("submitted_on")?,
            moved_away: row.try_get::<i64, _>("moved_away")? != 0,
            migrated: row.try_get::<i64, _>("migrated")? != 0,
            login_email: row.try_get("login_email")?,
            domain_matches: row.try_get::<i64, _>("domain_matches")? != 0,
        })
    })
    .transpose()
}
