//! SQL of legacy login resets: the email replacement by case and the password reset by request.

use sqlx::{Any, AnyExecutor, Row, Transaction};

use crate::error::Error;

/// A legacy login as a reset needs it. No `Debug`: the email is personal data, the hash a secret.
pub struct LoginForReset {
    pub legacy_login_id: String,
    pub login_email: String,
    pub activated: bool,
    pub password_hash: String,
    pub password_format: String,
}

/// The login whose lower-cased email is `email_key`.
pub async fn login_by_email(
    db: impl AnyExecutor<'_>,
    email_key: &str,
) -> Result<Option<LoginForReset>, Error> {
    let row = sqlx::query(
        "select legacy_login_id, login_email, activated, password_hash, password_format \
         from legacy_logins where login_email_key = $1",
    )
    .bind(email_key)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(LoginForReset {
            legacy_login_id: row.try_get("legacy_login_id")?,
            login_email: row.try_get("login_email")?,
            activated: row.try_get::<i64, _>("activated")? != 0,
            password_hash: row.try_get("password_hash")?,
            password_format: row.try_get("password_format")?,
        })
    })
    .transpose()
}

/// Records the replacement under `case_number` for the login holding `subject_number`;
/// the statement that decides. False when nothing was recorded: the case was applied
/// before, or no legacy filing has that number.
pub async fn record_email_change(
    tx: &mut Transaction<'_, Any>,
    case_number: &str,
    subject_number: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let result = sqlx::query(
        "insert into legacy_login_email_changes (case_number, legacy_login_id, filing_number, changed_at_ms) \
         select $1, f.legacy_login_id, f.filing_number, $3 from legacy_filings f where f.filing_number = $2 \
         on conflict (case_number) do nothing",
    )
    .bind(case_number)
    .bind(subject_number)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The login a case's replacement applied to, if it was applied.
pub async fn email_change_of(db: impl AnyExecutor<'_>, case_number: &str) -> Result<Option<String>, Error> {
    let row = sqlx::query("select legacy_login_id from legacy_login_email_changes where case_number = $1")
        .bind(case_number)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("legacy_login_id")).transpose()?)
}

/// Sets the login's email and its key. Err with a unique violation when another login has
/// the key (the caller tells that apart).
pub async fn replace_email(
    tx: &mut Transaction<'_, Any>,
    legacy_login_id: &str,
    email: &str,
    email_key: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update legacy_logins set login_email = $2, login_email_key = $3, updated_at_ms = $4 \
         where legacy_login_id = $1",
    )
    .bind(legacy_login_id)
    .bind(email)
    .bind(email_key)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The login of the email change just recorded under `case_number`.
pub async fn changed_login(tx: &mut Transaction<'_, Any>, case_number: &str) -> Result<String, Error> {
    let row = sqlx::query("select legacy_login_id from legacy_login_email_changes where case_number = $1")
        .bind(case_number)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("legacy_login_id")?)
}

/// The login a password reset under `request_id` was done for, if it was done.
pub async fn password_reset_of(db: impl AnyExecutor<'_>, request_id: &str) -> Result<Option<String>, Error> {
    let row = sqlx::query("select legacy_login_id from legacy_password_resets where request_id = $1")
        .bind(request_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("legacy_login_id")).transpose()?)
}

/// Records the reset (the statement that decides: a racing retry loses here), then sets
/// the suite's own hash in place of whatever format the login had.
pub async fn set_password(
    tx: &mut Transaction<'_, Any>,
    request_id: &str,
    legacy_login_id: &str,
    new_hash: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let recorded = sqlx::query(
        "insert into legacy_password_resets (request_id, legacy_login_id, reset_at_ms) values ($1, $2, $3) \
         on conflict (request_id) do nothing",
    )
    .bind(request_id)
    .bind(legacy_login_id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "update legacy_logins set password_hash = $2, password_format = 'suite', password_salt = null, \
         updated_at_ms = $3 where legacy_login_id = $1",
    )
    .bind(legacy_login_id)
    .bind(new_hash)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// A legacy filing as a login reset's details are checked against it. No `Debug`: the
/// certificate number and the principal's name are personal data.
pub struct FilingForReset {
    pub region: [String; 3],
    pub nature: String,
    pub certificate_type: String,
    /// Normalised (upper-cased, no spaces or dashes), as the bulk load and seeds store it.
    pub certificate_key: String,
    pub principal_name: String,
}

/// The legacy filing of `subject_number`, if the legacy platform held it.
pub async fn filing_for_reset(
    db: impl AnyExecutor<'_>,
    subject_number: &str,
) -> Result<Option<FilingForReset>, Error> {
    let row = sqlx::query(
        "select province_code, city_code, district_code, nature, certificate_type, certificate_key, \
         principal_name from legacy_filings where filing_number = $1",
    )
    .bind(subject_number)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(FilingForReset {
            region: [row.try_get("province_code")?, row.try_get("city_code")?, row.try_get("district_code")?],
            nature: row.try_get("nature")?,
            certificate_type: row.try_get("certificate_type")?,
            certificate_key: row.try_get("certificate_key")?,
            principal_name: row.try_get("principal_name")?,
        })
    })
    .transpose()
}
