//! SQL over the `accounts` table.

use sqlx::{AnyExecutor, Row, any::AnyRow};

use super::{Account, login_name_key};
use crate::error::Error;

fn account_from_row(row: &AnyRow) -> Result<Account, Error> {
    let site: String = row.try_get("site")?;
    Ok(Account {
        account_id: row.try_get("account_id")?,
        login_name: row.try_get("login_name")?,
        site: site.parse().map_err(Error::internal)?,
        mobile: row.try_get("mobile")?,
        email: row.try_get("email")?,
        staff: row.try_get::<i64, _>("staff")? != 0,
    })
}

/// The account and its password hash, by login name (case-insensitive).
pub async fn find_with_hash_by_login_name(
    db: impl AnyExecutor<'_>,
    login_name: &str,
) -> Result<Option<(Account, String)>, Error> {
    let row = sqlx::query(
        "select account_id, login_name, site, mobile, email, staff, password_hash \
         from accounts where login_name_key = $1",
    )
    .bind(login_name_key(login_name))
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((account_from_row(&row)?, row.try_get("password_hash")?))).transpose()
}

pub async fn find_by_login_name(
    db: impl AnyExecutor<'_>,
    login_name: &str,
) -> Result<Option<Account>, Error> {
    Ok(find_with_hash_by_login_name(db, login_name).await?.map(|(account, _)| account))
}

pub async fn find_by_id(db: impl AnyExecutor<'_>, account_id: &str) -> Result<Option<Account>, Error> {
    let row = sqlx::query(
        "select account_id, login_name, site, mobile, email, staff from accounts where account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(account_from_row).transpose()
}

/// Inserts an account unless its id or login name exists; answers whether it did.
pub async fn insert_if_absent(
    db: impl AnyExecutor<'_>,
    account: &Account,
    password_hash: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let result = sqlx::query(
        "insert into accounts (account_id, login_name, login_name_key, site, mobile, email, \
         password_hash, staff, created_at_ms, updated_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) on conflict do nothing",
    )
    .bind(&account.account_id)
    .bind(&account.login_name)
    .bind(login_name_key(&account.login_name))
    .bind(account.site.as_str())
    .bind(&account.mobile)
    .bind(&account.email)
    .bind(password_hash)
    .bind(i64::from(account.staff))
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The account and its password hash, by id.
pub async fn find_with_hash_by_id(
    db: impl AnyExecutor<'_>,
    account_id: &str,
) -> Result<Option<(Account, String)>, Error> {
    let row = sqlx::query(
        "select account_id, login_name, site, mobile, email, staff, password_hash \
         from accounts where account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    row.map(|row| Ok((account_from_row(&row)?, row.try_get("password_hash")?))).transpose()
}

/// Replaces the password hash, if it is still `old_hash` (the one the new password was
/// checked against); answers whether it did.
pub async fn replace_password_hash(
    db: impl AnyExecutor<'_>,
    account_id: &str,
    old_hash: &str,
    new_hash: &str,
    now_ms: i64,
) -> Result<bool, Error> {
    let result = sqlx::query(
        "update accounts set password_hash = $3, updated_at_ms = $4 \
         where account_id = $1 and password_hash = $2",
    )
    .bind(account_id)
    .bind(old_hash)
    .bind(new_hash)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}
