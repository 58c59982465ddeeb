//! SQL over `domain_registrations`.

use beian_common::contact::normalise_certificate_number;
use sqlx::{AnyExecutor, AssertSqlSafe, Row};

use super::{DomainRegistration, Holding};
use crate::{error::Error, subjects::CertificateType};

/// Inserts the domain's registration, or replaces the one stored.
pub async fn upsert(
    db: impl AnyExecutor<'_>,
    registration: &DomainRegistration,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into domain_registrations (domain, registrar, holder_name, holder_certificate_type, \
         holder_certificate_number, holder_certificate_key, real_name_verified, expires_at_ms, \
         updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         on conflict (domain) do update set registrar = excluded.registrar, \
         holder_name = excluded.holder_name, holder_certificate_type = excluded.holder_certificate_type, \
         holder_certificate_number = excluded.holder_certificate_number, \
         holder_certificate_key = excluded.holder_certificate_key, \
         real_name_verified = excluded.real_name_verified, expires_at_ms = excluded.expires_at_ms, \
         updated_at_ms = excluded.updated_at_ms",
    )
    .bind(&registration.domain)
    .bind(&registration.registrar)
    .bind(&registration.holder_name)
    .bind(registration.holder_certificate_type.as_str())
    .bind(&registration.holder_certificate_number)
    .bind(normalise_certificate_number(&registration.holder_certificate_number))
    .bind(i64::from(registration.real_name_verified))
    .bind(registration.expires_at_ms)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// The registration a normalised domain is under: its own record, or else its nearest
/// parent's (`shop.example.com.cn` is under `example.com.cn`). Registrars record registered
/// domains only, so the longest recorded suffix is the registered domain, without a list of
/// public suffixes.
pub async fn find(db: impl AnyExecutor<'_>, domain: &str) -> Result<Option<Holding>, Error> {
    let candidates = super::self_and_parents(domain);
    let placeholders: Vec<String> = (1..=candidates.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "select holder_name, holder_certificate_type, holder_certificate_key, real_name_verified, \
         expires_at_ms from domain_registrations where domain in ({}) \
         order by length(domain) desc limit 1",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for candidate in candidates {
        query = query.bind(candidate);
    }
    let row = query.fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let certificate_type: String = row.try_get("holder_certificate_type")?;
    Ok(Some(Holding {
        holder_name: row.try_get("holder_name")?,
        holder_certificate_type: CertificateType::parse(&certificate_type)
            .ok_or_else(|| Error::internal(format!("stored certificate type {certificate_type:?}")))?,
        holder_certificate_key: row.try_get("holder_certificate_key")?,
        real_name_verified: row.try_get::<i64, _>("real_name_verified")? != 0,
        expires_at_ms: row.try_get("expires_at_ms")?,
    }))
}
