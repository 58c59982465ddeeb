//! The accounts file of the current platform's export (`beian platform load`,
//! deploy/beian/PLATFORM-EXPORT.md): one line validated into an account as this service
//! stores it, and a batch written as upserts of only the rows that are new or differ.

use std::collections::{HashMap, HashSet};

use beian_common::{
    contact::{normalise_email, normalise_mobile},
    password::is_argon2id_phc,
};
use beian_platform::{
    bulk::{
        Outcome, Reason, Table,
        sql::{MAX_PARAMS, placeholders},
    },
    storage::Database,
};
use serde::Deserialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Site, login_name_key};

/// Where a load's checkpoints are kept in this service's database (migration 0008).
pub const CHECKPOINTS: &str = "platform_load_checkpoints";

/// The accounts file: `accounts.jsonl`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts;

/// A valid account line. No `Debug`: personal data in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: String,
    pub login_name: String,
    pub site: Site,
    /// Normalised as the service keeps them.
    pub mobile: String,
    pub email: String,
    /// Argon2id, PHC string form.
    pub password_hash: String,
}

#[derive(Deserialize)]
struct AccountLine {
    account_id: String,
    login_name: String,
    site: String,
    mobile: String,
    email: String,
    password_hash: String,
}

/// 1–64 characters, none of them blank or control: an id as other rows refer to it.
pub fn is_id(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 64
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn parse(line: &str) -> Result<AccountRow, Reason> {
    let row: AccountLine = serde_json::from_str(line).map_err(|_| "malformed_json")?;
    if !is_id(&row.account_id) {
        return Err("invalid_id");
    }
    let login_name = row.login_name.trim();
    if !is_id(login_name) {
        return Err("invalid_login_name");
    }
    Ok(AccountRow {
        account_id: row.account_id,
        login_name: login_name.to_owned(),
        site: Site::parse(&row.site).ok_or("invalid_site")?,
        mobile: normalise_mobile(&row.mobile).map_err(|_| "invalid_mobile")?,
        email: normalise_email(&row.email).map_err(|_| "invalid_email")?,
        password_hash: if is_argon2id_phc(&row.password_hash) {
            row.password_hash
        } else {
            return Err("invalid_password_hash");
        },
    })
}

impl Table for Accounts {
    type Record = AccountRow;

    fn name(&self) -> &'static str {
        "accounts"
    }

    fn parse(&self, line: &str) -> Result<AccountRow, Reason> {
        parse(line)
    }

    fn key<'r>(&self, record: &'r AccountRow) -> &'r str {
        &record.account_id
    }

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        sqlite: bool,
        records: &[&AccountRow],
        now_ms: i64,
    ) -> Result<Vec<Outcome>, sqlx::Error> {
        let stored = stored(conn, sqlite, records).await?;
        let outcomes: Vec<Outcome> = records
            .iter()
            .map(|record| match stored.get(&record.account_id) {
                None => Outcome::Loaded,
                Some(row) if row == *record => Outcome::Unchanged,
                Some(_) => Outcome::Updated,
            })
            .collect();
        let changed: Vec<&AccountRow> = records
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| matches!(outcome, Outcome::Loaded | Outcome::Updated))
            .map(|(record, _)| *record)
            .collect();
        upsert(conn, sqlite, &changed, now_ms).await?;
        // a new password hash ends the account's sessions, as a reset does
        let new_hash: Vec<&str> = changed
            .iter()
            .filter(|r| stored.get(&r.account_id).is_some_and(|s| s.password_hash != r.password_hash))
            .map(|r| r.account_id.as_str())
            .collect();
        end_sessions(conn, sqlite, &new_hash).await?;
        Ok(outcomes)
    }

    fn unique_reason(&self) -> Reason {
        "login_name_taken"
    }

    fn reference_reason(&self) -> Reason {
        "constraint_violation"
    }
}

async fn stored(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&AccountRow],
) -> Result<HashMap<String, AccountRow>, sqlx::Error> {
    let sql = format!(
        "select account_id, login_name, site, mobile, email, password_hash from accounts \
         where account_id in ({})",
        placeholders(sqlite, 1, records.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.account_id.clone());
    }
    let mut stored = HashMap::with_capacity(records.len());
    for row in query.fetch_all(&mut *conn).await? {
        let site: String = row.try_get("site")?;
        let account = AccountRow {
            account_id: row.try_get("account_id")?,
            login_name: row.try_get("login_name")?,
            site: Site::parse(&site)
                .ok_or_else(|| sqlx::Error::Decode(format!("stored site {site:?}").into()))?,
            mobile: row.try_get("mobile")?,
            email: row.try_get("email")?,
            password_hash: row.try_get("password_hash")?,
        };
        stored.insert(account.account_id.clone(), account);
    }
    Ok(stored)
}

/// Inserts new accounts (never staff) and overwrites changed ones, keeping their creation
/// time and staff flag.
async fn upsert(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&AccountRow],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const COLUMNS: usize = 10;
    for chunk in records.chunks(MAX_PARAMS / COLUMNS) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(sqlite, i * COLUMNS + 1, COLUMNS)))
            .collect();
        let sql = format!(
            "insert into accounts (account_id, login_name, login_name_key, site, mobile, email, \
             password_hash, staff, created_at_ms, updated_at_ms) values {} \
             on conflict (account_id) do update set login_name = excluded.login_name, \
             login_name_key = excluded.login_name_key, site = excluded.site, mobile = excluded.mobile, \
             email = excluded.email, password_hash = excluded.password_hash, \
             updated_at_ms = excluded.updated_at_ms",
            rows.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for record in chunk {
            query = query
                .bind(record.account_id.clone())
                .bind(record.login_name.clone())
                .bind(login_name_key(&record.login_name))
                .bind(record.site.as_str())
                .bind(record.mobile.clone())
                .bind(record.email.clone())
                .bind(record.password_hash.clone())
                .bind(0_i64)
                .bind(now_ms)
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn end_sessions(
    conn: &mut AnyConnection,
    sqlite: bool,
    account_ids: &[&str],
) -> Result<(), sqlx::Error> {
    for chunk in account_ids.chunks(MAX_PARAMS) {
        let sql =
            format!("delete from sessions where account_id in ({})", placeholders(sqlite, 1, chunk.len()));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind((*id).to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Which of `account_ids` are accounts here: a subject of the export must be held by one.
pub async fn known(db: &Database, account_ids: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    let mut known = HashSet::with_capacity(account_ids.len());
    let sqlite = db.writes_one_at_a_time();
    for chunk in account_ids.chunks(MAX_PARAMS) {
        let sql = format!(
            "select account_id from accounts where account_id in ({})",
            placeholders(sqlite, 1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind((*id).to_owned());
        }
        for row in query.fetch_all(db.reader()).await? {
            known.insert(row.try_get("account_id")?);
        }
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(mobile: &str, email: &str, hash: &str) -> String {
        format!(
            r#"{{"account_id":"A1","login_name":" Shop_Owner ","site":"CN","mobile":"{mobile}","email":"{email}","password_hash":"{hash}"}}"#
        )
    }

    #[test]
    fn a_line_is_validated_with_the_domain_rules() {
        let hash = beian_common::password::hash("Secret-123").expect("hashes");
        let row = parse(&line("+86 138-0000-1111", "Owner@例子.中国", &hash)).expect("valid");
        assert_eq!((row.login_name.as_str(), row.mobile.as_str()), ("Shop_Owner", "13800001111"));
        assert_eq!(row.email, "Owner@xn--fsqu00a.xn--fiqs8s");
        assert_eq!(parse(&line("12345", "a@example.com", &hash)).err(), Some("invalid_mobile"));
        assert_eq!(parse(&line("13800001111", "no-at", &hash)).err(), Some("invalid_email"));
        assert_eq!(
            parse(&line("13800001111", "a@example.com", "Secret-123")).err(),
            Some("invalid_password_hash")
        );
        assert_eq!(
            parse(&line("13800001111", "a@example.com", &hash).replace("CN", "EU")).err(),
            Some("invalid_site")
        );
        assert_eq!(parse("{").err(), Some("malformed_json"));
    }
}
