//! `subjects.jsonl`: a filed subject, its holder and its filing password's hash.

use std::collections::{HashMap, HashSet};

use beian_common::{
    contact::{is_resident_id_number, normalise_certificate_number, normalise_email, normalise_mobile},
    filing_number::is_province_code,
    password::is_argon2id_phc,
};
use beian_platform::bulk::{
    Outcome, Reason, Table,
    sql::{MAX_PARAMS, placeholders},
};
use serde::Deserialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Holders, json, stable_id, subject_number, text};
use crate::subjects::{CertificateType, Nature};

/// The subjects file, loaded only for holders `H` knows.
#[derive(Debug)]
pub struct Subjects<H> {
    pub holders: H,
}

/// A valid subject line, as stored. No `Debug`: personal data in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectRow {
    pub filing_number: String,
    pub holder_account_id: String,
    pub name: String,
    pub nature: Nature,
    pub region: [String; 3],
    pub certificate_type: CertificateType,
    /// Normalised ([`normalise_certificate_number`]), which is also the matching key.
    pub certificate_number: String,
    pub principal_name: String,
    pub principal_mobile: String,
    pub principal_email: String,
    /// An organisation's principal's resident ID number (an individual's is the certificate).
    pub principal_id_number: Option<String>,
    pub filing_password_hash: String,
}

#[derive(Deserialize)]
struct SubjectLine {
    filing_number: String,
    holder_account_id: String,
    name: String,
    nature: String,
    region: Vec<String>,
    certificate_type: String,
    certificate_number: String,
    principal_name: String,
    principal_mobile: String,
    principal_email: String,
    #[serde(default)]
    principal_id_number: Option<String>,
    filing_password_hash: String,
}

fn parse(line: &str) -> Result<SubjectRow, Reason> {
    let row: SubjectLine = json(line)?;
    let filing_number = subject_number(&row.filing_number)?;
    let holder_account_id = row.holder_account_id.trim().to_owned();
    let id_ok = !holder_account_id.is_empty() && holder_account_id.chars().count() <= 64;
    if !id_ok || holder_account_id.chars().any(char::is_control) {
        return Err("invalid_id");
    }
    let nature = Nature::parse(&row.nature).ok_or("invalid_nature")?;
    let six_digits = |code: &String| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let region: [String; 3] = row.region.try_into().map_err(|_| "invalid_region")?;
    if !region.iter().all(six_digits) || !is_province_code(&region[0]) {
        return Err("invalid_region");
    }
    let certificate_type = CertificateType::parse(&row.certificate_type).ok_or("invalid_certificate_type")?;
    let certificate_number = normalise_certificate_number(&text(&row.certificate_number, 64)?);
    if certificate_type == CertificateType::ResidentIdCard && !is_resident_id_number(&certificate_number) {
        return Err("invalid_id_number");
    }
    let principal_id_number = match row.principal_id_number.as_deref().map(str::trim) {
        None | Some("") => None,
        // an individual's principal is the subject: its number is the certificate's
        Some(_) if nature == Nature::Individual => return Err("invalid_id_number"),
        Some(number) => {
            let number = normalise_certificate_number(number);
            if !is_resident_id_number(&number) {
                return Err("invalid_id_number");
            }
            Some(number)
        }
    };
    if !is_argon2id_phc(&row.filing_password_hash) {
        return Err("invalid_password_hash");
    }
    Ok(SubjectRow {
        filing_number,
        holder_account_id,
        name: text(&row.name, 128)?,
        nature,
        region,
        certificate_type,
        certificate_number,
        principal_name: text(&row.principal_name, 64)?,
        principal_mobile: normalise_mobile(&row.principal_mobile).map_err(|_| "invalid_mobile")?,
        principal_email: normalise_email(&row.principal_email).map_err(|_| "invalid_email")?,
        principal_id_number,
        filing_password_hash: row.filing_password_hash,
    })
}

/// The columns a line sets, in [`bind_row`]'s order, after `subject_id`.
const COLUMNS: [&str; 15] = [
    "filing_number",
    "holder_account_id",
    "name",
    "nature",
    "province_code",
    "city_code",
    "district_code",
    "certificate_type",
    "certificate_number",
    "certificate_key",
    "principal_name",
    "principal_mobile",
    "principal_email",
    "principal_id_number",
    "filing_password_hash",
];

/// A stored subject: its id and the row as a line would give it.
struct Stored {
    subject_id: String,
    row: SubjectRow,
}

impl<H: Holders> Table for Subjects<H> {
    type Record = SubjectRow;

    fn name(&self) -> &'static str {
        "subjects"
    }

    fn parse(&self, line: &str) -> Result<SubjectRow, Reason> {
        parse(line)
    }

    fn key<'r>(&self, record: &'r SubjectRow) -> &'r str {
        &record.filing_number
    }

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        sqlite: bool,
        records: &[&SubjectRow],
        now_ms: i64,
    ) -> Result<Vec<Outcome>, sqlx::Error> {
        let holders: Vec<&str> = records
            .iter()
            .map(|r| r.holder_account_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let known =
            self.holders.known(&holders).await.map_err(|e| sqlx::Error::Protocol(format!("{e:#}")))?;
        let stored = stored(conn, sqlite, records).await?;
        let outcomes: Vec<Outcome> = records
            .iter()
            .map(|record| match stored.get(&record.filing_number) {
                _ if !known.contains(&record.holder_account_id) => Outcome::Rejected("unknown_account"),
                None => Outcome::Loaded,
                Some(stored) if stored.row == **record => Outcome::Unchanged,
                Some(_) => Outcome::Updated,
            })
            .collect();
        let changed: Vec<(&SubjectRow, String)> = records
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| matches!(outcome, Outcome::Loaded | Outcome::Updated))
            .map(|(record, _)| {
                let id = stored
                    .get(&record.filing_number)
                    .map_or_else(|| stable_id("subject", &record.filing_number), |s| s.subject_id.clone());
                (*record, id)
            })
            .collect();
        upsert(conn, sqlite, &changed, now_ms).await?;
        let moves: Vec<(&str, Option<&str>, &str)> = changed
            .iter()
            .map(|(record, subject_id)| {
                let from = stored.get(&record.filing_number).map(|s| s.row.holder_account_id.as_str());
                (subject_id.as_str(), from, record.holder_account_id.as_str())
            })
            .filter(|(_, from, to)| *from != Some(*to))
            .collect();
        record_holders(conn, sqlite, &moves, now_ms).await?;
        Ok(outcomes)
    }

    fn unique_reason(&self) -> Reason {
        "account_holds_subject"
    }

    fn reference_reason(&self) -> Reason {
        "constraint_violation"
    }
}

async fn stored(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[&SubjectRow],
) -> Result<HashMap<String, Stored>, sqlx::Error> {
    let sql = format!(
        "select subject_id, {} from subjects where filing_number in ({})",
        COLUMNS.join(", "),
        placeholders(sqlite, 1, records.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in records {
        query = query.bind(record.filing_number.clone());
    }
    let decode = |what: &str, value: &str| sqlx::Error::Decode(format!("stored {what} {value:?}").into());
    let mut stored = HashMap::with_capacity(records.len());
    for row in query.fetch_all(&mut *conn).await? {
        let nature: String = row.try_get("nature")?;
        let certificate_type: String = row.try_get("certificate_type")?;
        let subject = SubjectRow {
            filing_number: row.try_get("filing_number")?,
            holder_account_id: row.try_get::<Option<String>, _>("holder_account_id")?.unwrap_or_default(),
            name: row.try_get("name")?,
            nature: Nature::parse(&nature).ok_or_else(|| decode("nature", &nature))?,
            region: [row.try_get("province_code")?, row.try_get("city_code")?, row.try_get("district_code")?],
            certificate_type: CertificateType::parse(&certificate_type)
                .ok_or_else(|| decode("certificate type", &certificate_type))?,
            certificate_number: row.try_get("certificate_number")?,
            principal_name: row.try_get("principal_name")?,
            principal_mobile: row.try_get("principal_mobile")?,
            principal_email: row.try_get("principal_email")?,
            principal_id_number: row.try_get("principal_id_number")?,
            filing_password_hash: row.try_get("filing_password_hash")?,
        };
        stored.insert(
            subject.filing_number.clone(),
            Stored { subject_id: row.try_get("subject_id")?, row: subject },
        );
    }
    Ok(stored)
}

/// Inserts new subjects and overwrites changed ones, keeping their creation time; a change
/// bumps the version, as every change of a subject does.
async fn upsert(
    conn: &mut AnyConnection,
    sqlite: bool,
    records: &[(&SubjectRow, String)],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let per_row = COLUMNS.len() + 3;
    let updates: Vec<String> = COLUMNS[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
    for chunk in records.chunks(MAX_PARAMS / per_row) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({}, 0)", placeholders(sqlite, i * per_row + 1, per_row)))
            .collect();
        let sql = format!(
            "insert into subjects (subject_id, {cols}, created_at_ms, updated_at_ms, version) values {rows} \
             on conflict (filing_number) do update set {updates}, updated_at_ms = excluded.updated_at_ms, \
             version = subjects.version + 1",
            cols = COLUMNS.join(", "),
            rows = rows.join(", "),
            updates = updates.join(", "),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (record, subject_id) in chunk {
            query = query
                .bind(subject_id.clone())
                .bind(record.filing_number.clone())
                .bind(record.holder_account_id.clone())
                .bind(record.name.clone())
                .bind(record.nature.as_str())
                .bind(record.region[0].clone())
                .bind(record.region[1].clone())
                .bind(record.region[2].clone())
                .bind(record.certificate_type.as_str())
                .bind(record.certificate_number.clone())
                .bind(record.certificate_number.clone())
                .bind(record.principal_name.clone())
                .bind(record.principal_mobile.clone())
                .bind(record.principal_email.clone())
                .bind(record.principal_id_number.clone())
                .bind(record.filing_password_hash.clone())
                .bind(now_ms)
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each subject that entered the registry (`from` None) or that the export gives another
/// holder: the history shows it as a change by the system.
async fn record_holders(
    conn: &mut AnyConnection,
    sqlite: bool,
    moves: &[(&str, Option<&str>, &str)],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const PER_ROW: usize = 5;
    for chunk in moves.chunks(MAX_PARAMS / PER_ROW) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!("({}, 'system', 'platform-load')", placeholders(sqlite, i * PER_ROW + 1, PER_ROW))
            })
            .collect();
        let sql = format!(
            "insert into holder_changes (change_id, subject_id, from_account_id, to_account_id, changed_at_ms, \
             actor, reason) values {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (subject_id, from, to) in chunk {
            query = query
                .bind(uuid::Uuid::new_v4().to_string())
                .bind((*subject_id).to_owned())
                .bind(from.map(str::to_owned))
                .bind((*to).to_owned())
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(nature: &str, certificate: &str, id_number: &str, hash: &str) -> String {
        format!(
            r#"{{"filing_number":"京ICP备12345678号","holder_account_id":"A1","name":"某公司","nature":"{nature}",
            "region":["110000","110100","110105"],"certificate_type":"{}","certificate_number":"{certificate}",
            "principal_name":"张伟","principal_mobile":"138 0000 1111","principal_email":"it@example.com",
            "principal_id_number":{id_number},"filing_password_hash":"{hash}"}}"#,
            if nature == "INDIVIDUAL" { "RESIDENT_ID_CARD" } else { "BUSINESS_LICENSE" }
        )
    }

    #[test]
    fn a_line_is_validated_with_the_domain_rules() {
        let hash = beian_common::password::hash("123456").expect("hashes");
        let person = parse(&line("INDIVIDUAL", "11010519491231002x", "null", &hash)).expect("valid");
        assert_eq!(person.certificate_number, "11010519491231002X");
        assert_eq!(person.principal_mobile, "13800001111");
        let org =
            parse(&line("ORGANISATION", "91110000-MA01", r#""11010519491231002X""#, &hash)).expect("valid");
        assert_eq!(org.principal_id_number.as_deref(), Some("11010519491231002X"));
        let bad = |l: String| parse(&l).err();
        assert_eq!(bad(line("INDIVIDUAL", "110105194912310021", "null", &hash)), Some("invalid_id_number"));
        assert_eq!(
            bad(line("INDIVIDUAL", "11010519491231002X", r#""11010519491231002X""#, &hash)),
            Some("invalid_id_number")
        );
        assert_eq!(bad(line("ORGANISATION", "91110000MA01", r#""123""#, &hash)), Some("invalid_id_number"));
        assert_eq!(
            bad(line("INDIVIDUAL", "11010519491231002X", "null", "123456")),
            Some("invalid_password_hash")
        );
        assert_eq!(bad(line("PERSON", "11010519491231002X", "null", &hash)), Some("invalid_nature"));
        assert_eq!(
            bad(line("INDIVIDUAL", "11010519491231002X", "null", &hash).replace("12345678号", "1号-1")),
            Some("invalid_filing_number")
        );
        assert_eq!(
            bad(line("INDIVIDUAL", "11010519491231002X", "null", &hash).replace("\"110000\"", "\"990000\"")),
            Some("invalid_region")
        );
    }
}
