//! MatchSubjectDetails: what the registry holds of a new filing's details (the gateway's
//! CheckFilingType decides the filing type from it).

use sqlx::{AnyExecutor, Row};

use super::{CertificateType, Nature, Region};
use crate::{error::Error, service::FilingRegistry};

/// A new filing's details, normalised (certificate key upper-cased, domain punycoded).
#[derive(Clone, PartialEq, Eq)]
pub struct NewFilingDetails {
    pub account_id: String,
    pub region: Region,
    pub nature: Nature,
    pub certificate_type: CertificateType,
    pub certificate_key: String,
    pub domain: String,
}

impl std::fmt::Debug for NewFilingDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewFilingDetails")
            .field("account_id", &self.account_id)
            .field("region", &self.region)
            .field("nature", &self.nature)
            .field("certificate_type", &self.certificate_type)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// Where a domain is filed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainState {
    /// Never filed, removed or deregistered: it may be filed.
    NotFiled,
    Active,
    /// Access cancelled here; the regulator keeps the filing.
    AccessCancelled,
}

/// The facts CheckFilingType decides from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailsMatch {
    pub holds_subject: bool,
    pub held_subject_matches: bool,
    pub details_held_elsewhere: bool,
    pub domain_state: DomainState,
    pub domain_in_held_subject: bool,
}

impl FilingRegistry {
    pub async fn match_subject_details(&self, details: &NewFilingDetails) -> Result<DetailsMatch, Error> {
        let held = held_subject(self.db.reader(), details).await?;
        let elsewhere = held_elsewhere(self.db.reader(), details).await?;
        let domain = domain_filing(self.db.reader(), &details.domain).await?;
        let held_id = held.as_ref().map(|(id, _)| id.as_str());
        let (domain_state, domain_subject) = match domain {
            None => (DomainState::NotFiled, None),
            Some((state, subject_id)) => (state, Some(subject_id)),
        };
        Ok(DetailsMatch {
            holds_subject: held.is_some(),
            held_subject_matches: held.as_ref().is_some_and(|(_, matches)| *matches),
            details_held_elsewhere: elsewhere,
            domain_state,
            domain_in_held_subject: held_id.is_some() && domain_subject.as_deref() == held_id,
        })
    }
}

/// The account's subject id and whether it has these details.
async fn held_subject(
    db: impl AnyExecutor<'_>,
    details: &NewFilingDetails,
) -> Result<Option<(String, bool)>, Error> {
    let row = sqlx::query(
        "select subject_id, \
         case when certificate_key = $2 and certificate_type = $3 and nature = $4 \
              and province_code = $5 and city_code = $6 and district_code = $7 \
         then 1 else 0 end as matches \
         from subjects where holder_account_id = $1",
    )
    .bind(&details.account_id)
    .bind(&details.certificate_key)
    .bind(details.certificate_type.as_str())
    .bind(details.nature.as_str())
    .bind(&details.region.province_code)
    .bind(&details.region.city_code)
    .bind(&details.region.district_code)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((row.try_get("subject_id")?, row.try_get::<i64, _>("matches")? != 0))).transpose()
}

/// Whether another account holds a subject with these details.
async fn held_elsewhere(db: impl AnyExecutor<'_>, details: &NewFilingDetails) -> Result<bool, Error> {
    let count: i64 = sqlx::query_scalar(
        "select cast(count(*) as bigint) from subjects \
         where certificate_key = $2 and certificate_type = $3 and nature = $4 \
           and province_code = $5 and city_code = $6 and district_code = $7 \
           and holder_account_id <> $1",
    )
    .bind(&details.account_id)
    .bind(&details.certificate_key)
    .bind(details.certificate_type.as_str())
    .bind(details.nature.as_str())
    .bind(&details.region.province_code)
    .bind(&details.region.city_code)
    .bind(&details.region.district_code)
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

/// The state and subject of the website that holds the domain live, if any.
async fn domain_filing(
    db: impl AnyExecutor<'_>,
    domain: &str,
) -> Result<Option<(DomainState, String)>, Error> {
    let row = sqlx::query(
        "select w.state, w.subject_id from website_domains d \
         join websites w on w.website_id = d.website_id \
         where d.domain = $1 and d.active = 1",
    )
    .bind(domain)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let state: String = row.try_get("state")?;
    let state = match state.as_str() {
        "ACTIVE" => DomainState::Active,
        "ACCESS_CANCELLED" => DomainState::AccessCancelled,
        // a deregistered website's domains are inactive; one left active may be filed again
        "DEREGISTERED" => DomainState::NotFiled,
        other => return Err(Error::internal(format!("stored website state {other:?}"))),
    };
    Ok(Some((state, row.try_get("subject_id")?)))
}
