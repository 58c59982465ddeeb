//! Writing a batch of valid records: one read of what is stored, then
//! multi-row upserts of only the rows that are new or differ.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row, any::AnyArguments, query::Query};

use beian_platform::bulk::{
    Outcome,
    sql::{MAX_PARAMS, placeholders},
};

use super::record::{Kind, Record, Table, Value};

fn bind<'q>(query: Query<'q, sqlx::Any, AnyArguments>, value: &Value) -> Query<'q, sqlx::Any, AnyArguments> {
    match value {
        Value::Text(text) => query.bind(text.clone()),
        Value::OptText(text) => query.bind(text.clone()),
        Value::Int(int) => query.bind(*int),
    }
}

/// Applies records whose keys are distinct; any database error (a constraint
/// a row breaks included) is returned for the caller to retry row by row.
pub async fn apply(
    conn: &mut AnyConnection,
    sqlite: bool,
    table: Table,
    records: &[&Record],
    now_ms: i64,
) -> Result<Vec<Outcome>, sqlx::Error> {
    let stored = stored(conn, sqlite, table, records).await?;
    let domains =
        if table == Table::Websites { stored_domains(conn, sqlite, records).await? } else { HashMap::new() };
    let no_domains = Vec::new();
    let outcomes: Vec<Outcome> = records
        .iter()
        .map(|record| match stored.get(&record.key) {
            None if table == Table::Moves => Outcome::Rejected("unknown_filing"),
            None => Outcome::Loaded,
            // a filing moves once: its first move is new, not a correction
            Some(values) if table == Table::Moves && values.iter().all(|v| *v == Value::OptText(None)) => {
                Outcome::Loaded
            }
            Some(values)
                if *values == record.values
                    && domains.get(&record.key).unwrap_or(&no_domains) == &record.domains =>
            {
                Outcome::Unchanged
            }
            Some(_) => Outcome::Updated,
        })
        .collect();
    let changed: Vec<&Record> = records
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| matches!(outcome, Outcome::Loaded | Outcome::Updated))
        .map(|(record, _)| *record)
        .collect();
    if changed.is_empty() {
        return Ok(outcomes);
    }
    match table {
        Table::Moves => mark_moved(conn, &changed, now_ms).await?,
        _ => upsert(conn, sqlite, table, &changed, now_ms).await?,
    }
    if table == Table::Websites {
        replace_domains(conn, sqlite, &changed, &domains).await?;
    }
    if table == Table::Orders {
        // an updated order may have changed login: both logins' counts change
        let mut logins: HashSet<String> = HashSet::new();
        for record in &changed {
            if let Some(Value::Text(login)) = record.values.first() {
                logins.insert(login.clone());
            }
            if let Some(Some(Value::Text(login))) = stored.get(&record.key).map(|v| v.first()) {
                logins.insert(login.clone());
            }
        }
        recount_orders(conn, sqlite, &logins.into_iter().collect::<Vec<_>>()).await?;
    }
    Ok(outcomes)
}

/// The stored columns of the records' keys.
async fn stored(
    conn: &mut AnyConnection,
    sqlite: bool,
    table: Table,
    records: &[&Record],
) -> Result<HashMap<String, Vec<Value>>, sqlx::Error> {
    let columns = table.columns();
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "select {key}, {cols} from {table} where {key} in ({places})",
        key = table.key_column(),
        cols = names.join(", "),
        table = table.sql_table(),
        places = placeholders(sqlite, 1, records.len()),
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.key.clone());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut stored = HashMap::with_capacity(rows.len());
    for row in rows {
        let key: String = row.try_get(0)?;
        let mut values = Vec::with_capacity(columns.len());
        for (i, (_, kind)) in columns.iter().enumerate() {
            values.push(match kind {
                Kind::Text => Value::Text(row.try_get(i + 1)?),
                Kind::OptText => Value::OptText(row.try_get(i + 1)?),
                Kind::Int => Value::Int(row.try_get(i + 1)?),
            });
        }
        stored.insert(key, values);
    }
    Ok(stored)
}

/// The stored domains of the websites among the records, sorted.
async fn stored_domains(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&Record],
) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
    let sql = format!(
        "select website_number, domain from legacy_domains where website_number in ({})",
        placeholders(sqlite, 1, records.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.key.clone());
    }
    let mut domains: HashMap<String, Vec<String>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        domains.entry(row.try_get(0)?).or_default().push(row.try_get(1)?);
    }
    for list in domains.values_mut() {
        list.sort();
    }
    Ok(domains)
}

/// Inserts new rows and overwrites changed ones, keeping their creation time.
async fn upsert(
    conn: &mut AnyConnection,
    sqlite: bool,
    table: Table,
    records: &[&Record],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let columns: Vec<&str> = table.columns().iter().map(|(name, _)| *name).collect();
    let mut all = vec![table.key_column()];
    all.extend(&columns);
    let mut updates: Vec<String> = columns.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    if table.timestamps() {
        all.extend(["created_at_ms", "updated_at_ms"]);
        updates.push("updated_at_ms = excluded.updated_at_ms".to_owned());
    }
    let per_row = all.len();
    for chunk in records.chunks(MAX_PARAMS / per_row) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(sqlite, i * per_row + 1, per_row)))
            .collect();
        let sql = format!(
            "insert into {table} ({cols}) values {rows} on conflict ({key}) do update set {updates}",
            table = table.sql_table(),
            cols = all.join(", "),
            rows = rows.join(", "),
            key = table.key_column(),
            updates = updates.join(", "),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for record in chunk {
            query = query.bind(record.key.clone());
            for value in &record.values {
                query = bind(query, value);
            }
            if table.timestamps() {
                query = query.bind(now_ms).bind(now_ms);
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves are few: one update each, of a filing known to exist.
async fn mark_moved(conn: &mut AnyConnection, records: &[&Record], now_ms: i64) -> Result<(), sqlx::Error> {
    for record in records {
        let [Value::OptText(provider), Value::OptText(moved_on)] = record.values.as_slice() else {
            return Err(sqlx::Error::Protocol("a move record has a provider and a date".into()));
        };
        sqlx::query(
            "update legacy_filings set moved_away = 1, moved_to_provider = $1, moved_on = $2, \
             updated_at_ms = $3 where filing_number = $4",
        )
        .bind(provider.clone())
        .bind(moved_on.clone())
        .bind(now_ms)
        .bind(record.key.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Gives each changed website exactly its record's domains.
async fn replace_domains(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&Record],
    stored: &HashMap<String, Vec<String>>,
) -> Result<(), sqlx::Error> {
    let differing: Vec<&Record> =
        records.iter().filter(|r| stored.get(&r.key).is_none_or(|d| *d != r.domains)).copied().collect();
    let had_domains: Vec<&Record> =
        differing.iter().filter(|r| stored.contains_key(&r.key)).copied().collect();
    for chunk in had_domains.chunks(MAX_PARAMS) {
        let sql = format!(
            "delete from legacy_domains where website_number in ({})",
            placeholders(sqlite, 1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for record in chunk {
            query = query.bind(record.key.clone());
        }
        query.execute(&mut *conn).await?;
    }
    let pairs: Vec<(&str, &str)> =
        differing.iter().flat_map(|r| r.domains.iter().map(|d| (d.as_str(), r.key.as_str()))).collect();
    for chunk in pairs.chunks(MAX_PARAMS / 2) {
        let rows: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", placeholders(sqlite, i * 2 + 1, 2))).collect();
        let sql = format!("insert into legacy_domains (domain, website_number) values {}", rows.join(", "));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (domain, website) in chunk {
            query = query.bind(domain.to_string()).bind(website.to_string());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Keeps each login's count of orders in progress equal to its stored orders.
async fn recount_orders(
    conn: &mut AnyConnection,
    sqlite: bool,
    logins: &[String],
) -> Result<(), sqlx::Error> {
    for chunk in logins.chunks(MAX_PARAMS) {
        let sql = format!(
            "update legacy_logins set orders_in_progress = \
             (select count(*) from legacy_orders o where o.legacy_login_id = legacy_logins.legacy_login_id) \
             where legacy_login_id in ({})",
            placeholders(sqlite, 1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for login in chunk {
            query = query.bind(login.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
