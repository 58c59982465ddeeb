//! `websites.jsonl`: a website of a loaded subject, its state and its domains.

use std::collections::HashMap;

use beian_common::{
    contact::{normalise_email, normalise_mobile},
    filing_number::FilingNumber,
};
use beian_platform::bulk::{
    Outcome, Reason, Table,
    fields::domain_list,
    sql::{MAX_PARAMS, placeholders},
};
use serde::Deserialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{json, stable_id, subject_number, text};
use crate::subjects::WebsiteState;

/// The websites file.
#[derive(Debug, Clone, Copy)]
pub struct Websites;

/// A valid website line. No `Debug`: personal data in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct WebsiteRow {
    pub website_number: String,
    pub filing_number: String,
    pub name: String,
    pub state: WebsiteState,
    /// Normalised, sorted, each once.
    pub domains: Vec<String>,
    /// The website's own principal; the subject's where the line leaves them out.
    pub principal_name: Option<String>,
    pub principal_mobile: Option<String>,
    pub principal_email: Option<String>,
}

#[derive(Deserialize)]
struct WebsiteLine {
    website_number: String,
    filing_number: String,
    name: String,
    state: String,
    domains: Vec<String>,
    #[serde(default)]
    principal_name: Option<String>,
    #[serde(default)]
    principal_mobile: Option<String>,
    #[serde(default)]
    principal_email: Option<String>,
}

/// An optional field: absent, null and blank are the same.
fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn parse(line: &str) -> Result<WebsiteRow, Reason> {
    let row: WebsiteLine = json(line)?;
    let filing_number = subject_number(&row.filing_number)?;
    let number = FilingNumber::parse(&row.website_number)
        .ok()
        .filter(|n| n.is_website() && n.subject_number() == filing_number)
        .ok_or("invalid_website_number")?;
    let domains = domain_list(&row.domains)?;
    Ok(WebsiteRow {
        website_number: number.to_string(),
        filing_number,
        name: text(&row.name, 64)?,
        state: WebsiteState::parse(&row.state).ok_or("invalid_state")?,
        domains,
        principal_name: given(row.principal_name.as_ref()).map(|n| text(n, 64)).transpose()?,
        principal_mobile: given(row.principal_mobile.as_ref())
            .map(|m| normalise_mobile(m).map_err(|_| "invalid_mobile"))
            .transpose()?,
        principal_email: given(row.principal_email.as_ref())
            .map(|e| normalise_email(e).map_err(|_| "invalid_email"))
            .transpose()?,
    })
}

/// A website's columns as stored, after defaulting its principal to the subject's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns {
    subject_id: String,
    name: String,
    state: &'static str,
    principal_name: String,
    principal_mobile: String,
    principal_email: String,
    /// (domain, active), sorted.
    domains: Vec<(String, i64)>,
}

/// A subject as its websites need it: its id and principal.
struct Owner {
    subject_id: String,
    principal: [String; 3],
}

impl Table for Websites {
    type Record = WebsiteRow;

    fn name(&self) -> &'static str {
        "websites"
    }

    fn parse(&self, line: &str) -> Result<WebsiteRow, Reason> {
        parse(line)
    }

    fn key<'r>(&self, record: &'r WebsiteRow) -> &'r str {
        &record.website_number
    }

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        sqlite: bool,
        records: &[&WebsiteRow],
        now_ms: i64,
    ) -> Result<Vec<Outcome>, sqlx::Error> {
        let owners = owners(conn, sqlite, records).await?;
        let stored = stored(conn, sqlite, records).await?;
        let mut outcomes = Vec::with_capacity(records.len());
        let mut changed = Vec::new();
        for record in records {
            let Some(owner) = owners.get(&record.filing_number) else {
                outcomes.push(Outcome::Rejected("unknown_filing"));
                continue;
            };
            let wanted = columns(record, owner);
            let outcome = match stored.get(&record.website_number) {
                None => Outcome::Loaded,
                Some((_, columns)) if *columns == wanted => Outcome::Unchanged,
                Some(_) => Outcome::Updated,
            };
            if outcome != Outcome::Unchanged {
                let stored = stored.get(&record.website_number);
                let id =
                    stored.map_or_else(|| stable_id("website", &record.website_number), |(id, _)| id.clone());
                let domains_differ = stored.is_none_or(|(_, s)| s.domains != wanted.domains);
                changed.push((*record, id, wanted, domains_differ, stored.is_some()));
            }
            outcomes.push(outcome);
        }
        upsert(conn, sqlite, &changed, now_ms).await?;
        replace_domains(conn, sqlite, &changed, now_ms).await?;
        Ok(outcomes)
    }

    fn unique_reason(&self) -> Reason {
        "domain_taken"
    }

    fn reference_reason(&self) -> Reason {
        "unknown_filing"
    }
}

fn columns(record: &WebsiteRow, owner: &Owner) -> Columns {
    let active = i64::from(record.state != WebsiteState::Deregistered);
    let [name, mobile, email] = &owner.principal;
    Columns {
        subject_id: owner.subject_id.clone(),
        name: record.name.clone(),
        state: record.state.as_str(),
        principal_name: record.principal_name.clone().unwrap_or_else(|| name.clone()),
        principal_mobile: record.principal_mobile.clone().unwrap_or_else(|| mobile.clone()),
        principal_email: record.principal_email.clone().unwrap_or_else(|| email.clone()),
        domains: record.domains.iter().map(|d| (d.clone(), active)).collect(),
    }
}

/// The subjects of the records' filing numbers.
async fn owners(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&WebsiteRow],
) -> Result<HashMap<String, Owner>, sqlx::Error> {
    let sql = format!(
        "select filing_number, subject_id, principal_name, principal_mobile, principal_email from subjects \
         where filing_number in ({})",
        placeholders(sqlite, 1, records.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.filing_number.clone());
    }
    let mut owners = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        owners.insert(
            row.try_get("filing_number")?,
            Owner {
                subject_id: row.try_get("subject_id")?,
                principal: [
                    row.try_get("principal_name")?,
                    row.try_get("principal_mobile")?,
                    row.try_get("principal_email")?,
                ],
            },
        );
    }
    Ok(owners)
}

/// The stored websites of the records' numbers: id and columns.
async fn stored(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&WebsiteRow],
) -> Result<HashMap<String, (String, Columns)>, sqlx::Error> {
    let sql = format!(
        "select w.website_number, w.website_id, w.subject_id, w.name, w.state, w.principal_name, \
         w.principal_mobile, w.principal_email, d.domain, d.active \
         from websites w left join website_domains d on d.website_id = w.website_id \
         where w.website_number in ({}) order by w.website_number, d.domain",
        placeholders(sqlite, 1, records.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.website_number.clone());
    }
    let mut stored: HashMap<String, (String, Columns)> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let number: String = row.try_get("website_number")?;
        let domain: Option<String> = row.try_get("domain")?;
        let active: Option<i64> = row.try_get("active")?;
        if !stored.contains_key(&number) {
            let state: String = row.try_get("state")?;
            let state = WebsiteState::parse(&state)
                .ok_or_else(|| sqlx::Error::Decode(format!("stored website state {state:?}").into()))?;
            let columns = Columns {
                subject_id: row.try_get("subject_id")?,
                name: row.try_get("name")?,
                state: state.as_str(),
                principal_name: row.try_get("principal_name")?,
                principal_mobile: row.try_get("principal_mobile")?,
                principal_email: row.try_get("principal_email")?,
                domains: Vec::new(),
            };
            stored.insert(number.clone(), (row.try_get("website_id")?, columns));
        }
        if let (Some(domain), Some(active), Some((_, columns))) = (domain, active, stored.get_mut(&number)) {
            columns.domains.push((domain, active));
        }
    }
    Ok(stored)
}

/// (record, website id, its columns, whether its domains differ from the stored ones, whether it was stored)
type Change<'a> = (&'a WebsiteRow, String, Columns, bool, bool);

/// Inserts new websites and overwrites changed ones, keeping their creation time.
async fn upsert(
    conn: &mut AnyConnection,
    sqlite: bool,
    changed: &[Change<'_>],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const PER_ROW: usize = 10;
    for chunk in changed.chunks(MAX_PARAMS / PER_ROW) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(sqlite, i * PER_ROW + 1, PER_ROW)))
            .collect();
        let sql = format!(
            "insert into websites (website_id, subject_id, website_number, name, state, principal_name, \
             principal_mobile, principal_email, created_at_ms, updated_at_ms) values {} \
             on conflict (website_number) do update set subject_id = excluded.subject_id, \
             name = excluded.name, state = excluded.state, principal_name = excluded.principal_name, \
             principal_mobile = excluded.principal_mobile, principal_email = excluded.principal_email, \
             updated_at_ms = excluded.updated_at_ms",
            rows.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (record, id, columns, _, _) in chunk {
            query = query
                .bind(id.clone())
                .bind(columns.subject_id.clone())
                .bind(record.website_number.clone())
                .bind(columns.name.clone())
                .bind(columns.state)
                .bind(columns.principal_name.clone())
                .bind(columns.principal_mobile.clone())
                .bind(columns.principal_email.clone())
                .bind(now_ms)
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Gives each changed website exactly its line's domains (live unless it is deregistered);
/// a domain another live filing holds breaks the live-domain index: `domain_taken`.
async fn replace_domains(
    conn: &mut AnyConnection,
    sqlite: bool,
    changed: &[Change<'_>],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let differing: Vec<&Change<'_>> = changed.iter().filter(|c| c.3).collect();
    let had: Vec<&str> = differing.iter().filter(|c| c.4).map(|c| c.1.as_str()).collect();
    for chunk in had.chunks(MAX_PARAMS) {
        let sql = format!(
            "delete from website_domains where website_id in ({})",
            placeholders(sqlite, 1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind((*id).to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    let rows: Vec<(&str, &str, i64)> = differing
        .iter()
        .flat_map(|(_, id, columns, _, _)| {
            columns.domains.iter().map(|(d, active)| (id.as_str(), d.as_str(), *active))
        })
        .collect();
    for chunk in rows.chunks(MAX_PARAMS / 4) {
        let values: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", placeholders(sqlite, i * 4 + 1, 4))).collect();
        let sql = format!(
            "insert into website_domains (website_id, domain, active, created_at_ms) values {}",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (id, domain, active) in chunk {
            query = query.bind((*id).to_owned()).bind((*domain).to_owned()).bind(*active).bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_validated_with_the_domain_rules() {
        let line = |number: &str, domains: &str, state: &str| {
            format!(
                r#"{{"website_number":"{number}","filing_number":"京ICP备12345678号","name":"小店","state":"{state}",
                "domains":{domains},"principal_mobile":null}}"#
            )
        };
        let row =
            parse(&line("京ICP备12345678号-1", r#"["WWW.Shop.CN.","shop.cn"]"#, "ACTIVE")).expect("valid");
        assert_eq!(row.domains, ["shop.cn"]);
        assert_eq!(row.principal_mobile, None);
        assert_eq!(
            parse(&line("京ICP备87654321号-1", r#"["shop.cn"]"#, "ACTIVE")).err(),
            Some("invalid_website_number")
        );
        assert_eq!(
            parse(&line("京ICP备12345678号", r#"["shop.cn"]"#, "ACTIVE")).err(),
            Some("invalid_website_number")
        );
        assert_eq!(parse(&line("京ICP备12345678号-1", "[]", "ACTIVE")).err(), Some("invalid_domain"));
        assert_eq!(
            parse(&line("京ICP备12345678号-1", r#"["shop.cn"]"#, "GONE")).err(),
            Some("invalid_state")
        );
    }
}
