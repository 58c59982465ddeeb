//! One dump line of each table, validated into the values stored (DUMP.md).

use beian_common::contact::normalise_certificate_number;
use beian_platform::bulk::{Reason, fields::domain_list};
use chrono::NaiveDate;
use serde::Deserialize;

/// A column's value as bound and as read back for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

/// How a column decodes when read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    OptText,
    Int,
}

/// A valid row: its key, its columns in [`Table::columns`] order and, for a website, its domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub values: Vec<Value>,
    pub domains: Vec<String>,
}

/// The tables of a dump, in the order they load (each refers to the ones before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Logins,
    Filings,
    Websites,
    Orders,
    Moves,
}

impl Table {
    pub const ALL: [Table; 5] = [Table::Logins, Table::Filings, Table::Websites, Table::Orders, Table::Moves];

    /// The file's name without `.jsonl`, also the report's name for the table.
    pub fn name(self) -> &'static str {
        match self {
            Table::Logins => "logins",
            Table::Filings => "filings",
            Table::Websites => "websites",
            Table::Orders => "orders",
            Table::Moves => "moves",
        }
    }

    pub(crate) fn sql_table(self) -> &'static str {
        match self {
            Table::Logins => "legacy_logins",
            Table::Filings | Table::Moves => "legacy_filings",
            Table::Websites => "legacy_websites",
            Table::Orders => "legacy_orders",
        }
    }

    pub(crate) fn key_column(self) -> &'static str {
        match self {
            Table::Logins => "legacy_login_id",
            Table::Filings | Table::Moves => "filing_number",
            Table::Websites => "website_number",
            Table::Orders => "order_number",
        }
    }

    /// The columns a row sets and compares, besides the key.
    pub(crate) fn columns(self) -> &'static [(&'static str, Kind)] {
        use Kind::{Int, OptText, Text};
        match self {
            Table::Logins => &[
                ("login_email", Text),
                ("login_email_key", Text),
                ("activated", Int),
                ("password_format", Text),
                ("password_hash", Text),
                ("password_salt", OptText),
            ],
            Table::Filings => &[
                ("legacy_login_id", Text),
                ("name", Text),
                ("nature", Text),
                ("province_code", Text),
                ("city_code", Text),
                ("district_code", Text),
                ("certificate_type", Text),
                ("certificate_number", Text),
                ("certificate_key", Text),
                ("principal_name", Text),
                ("principal_mobile", Text),
                ("principal_email", Text),
                ("submitted_on", Text),
            ],
            Table::Websites => &[("filing_number", Text), ("name", Text)],
            Table::Orders => &[("legacy_login_id", Text), ("submitted_on", Text)],
            Table::Moves => &[("moved_to_provider", OptText), ("moved_on", OptText)],
        }
    }

    /// Whether the table keeps created/updated times.
    pub(crate) fn timestamps(self) -> bool {
        !matches!(self, Table::Websites)
    }

    /// The reason for a row the database refused as a duplicate of another row's unique value.
    pub(crate) fn unique_reason(self) -> Reason {
        match self {
            Table::Logins => "email_taken",
            Table::Websites => "domain_taken",
            Table::Filings | Table::Orders | Table::Moves => "duplicate",
        }
    }

    /// The reason for a row the database refused as referring to a missing row.
    pub(crate) fn reference_reason(self) -> Reason {
        match self {
            Table::Websites | Table::Moves => "unknown_filing",
            Table::Logins | Table::Filings | Table::Orders => "unknown_login",
        }
    }

    /// Validates one line into a record.
    pub fn parse(self, line: &str) -> Result<Record, Reason> {
        match self {
            Table::Logins => parse_login(line),
            Table::Filings => parse_filing(line),
            Table::Websites => parse_website(line),
            Table::Orders => parse_order(line),
            Table::Moves => parse_move(line),
        }
    }
}

fn json<'a, T: Deserialize<'a>>(line: &'a str) -> Result<T, Reason> {
    serde_json::from_str(line).map_err(|_| "malformed_json")
}

fn id(value: String) -> Result<String, Reason> {
    let ok = !value.is_empty() && value.chars().count() <= 64 && !value.chars().any(char::is_control);
    if ok { Ok(value) } else { Err("invalid_id") }
}

fn text(value: String) -> Result<Value, Reason> {
    let trimmed = value.trim();
    let ok = !trimmed.is_empty() && trimmed.chars().count() <= 256 && !trimmed.chars().any(char::is_control);
    if ok { Ok(Value::Text(trimmed.to_owned())) } else { Err("invalid_text") }
}

fn date(value: &str) -> Result<Value, Reason> {
    let valid = value.len() == 10 && NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok();
    if valid { Ok(Value::Text(value.to_owned())) } else { Err("invalid_date") }
}

fn email(value: &str) -> Result<String, Reason> {
    let value = value.trim();
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && !domain.starts_with('.')
        });
    if valid { Ok(value.to_owned()) } else { Err("invalid_email") }
}

fn is_hex(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `$2a$`/`$2b$`/`$2y$`, a two-digit cost 04–31, `$`, 53 characters of bcrypt's base64.
/// Checked as bytes: a dump's hash may hold a multi-byte character across any offset.
fn is_bcrypt(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 60
        && matches!(&bytes[..4], b"$2a$" | b"$2b$" | b"$2y$")
        && bytes[4..6].iter().all(u8::is_ascii_digit)
        && (4..=31).contains(&((bytes[4] - b'0') * 10 + (bytes[5] - b'0')))
        && bytes[6] == b'$'
        && bytes[7..].iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/'))
}

#[derive(Deserialize)]
struct LoginLine {
    legacy_login_id: String,
    login_email: String,
    activated: bool,
    password_format: String,
    password_hash: String,
    #[serde(default)]
    password_salt: Option<String>,
}

fn parse_login(line: &str) -> Result<Record, Reason> {
    let row: LoginLine = json(line)?;
    let key = id(row.legacy_login_id)?;
    let email = email(&row.login_email)?;
    let salt = row.password_salt.filter(|s| !s.is_empty());
    let salt_ok = |salt: &Option<String>| salt.as_ref().is_some_and(|s| s.chars().count() <= 64);
    let hash = match row.password_format.as_str() {
        "md5" | "md5-salted" | "sha1-salted" => {
            let len = if row.password_format == "sha1-salted" { 40 } else { 32 };
            if !is_hex(&row.password_hash, len) {
                return Err("invalid_password_hash");
            }
            let salted = row.password_format != "md5";
            if salted != salt_ok(&salt) || (!salted && salt.is_some()) {
                return Err("invalid_salt");
            }
            row.password_hash.to_ascii_lowercase()
        }
        "bcrypt" => {
            if !is_bcrypt(&row.password_hash) {
                return Err("invalid_password_hash");
            }
            if salt.is_some() {
                return Err("invalid_salt");
            }
            row.password_hash
        }
        _ => return Err("invalid_password_format"),
    };
    let email_key = email.to_lowercase();
    Ok(Record {
        key,
        values: vec![
            Value::Text(email),
            Value::Text(email_key),
            Value::Int(i64::from(row.activated)),
            Value::Text(row.password_format),
            Value::Text(hash),
            Value::OptText(salt),
        ],
        domains: Vec::new(),
    })
}

#[derive(Deserialize)]
struct FilingLine {
    filing_number: String,
    legacy_login_id: String,
    name: String,
    nature: String,
    region: Vec<String>,
    certificate_type: String,
    certificate_number: String,
    principal_name: String,
    principal_mobile: String,
    principal_email: String,
    submitted_on: String,
}

fn parse_filing(line: &str) -> Result<Record, Reason> {
    let row: FilingLine = json(line)?;
    let key = id(row.filing_number)?;
    let login = id(row.legacy_login_id)?;
    if !matches!(row.nature.as_str(), "INDIVIDUAL" | "ORGANISATION") {
        return Err("invalid_nature");
    }
    let six_digits = |code: &String| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    if row.region.len() != 3 || !row.region.iter().all(six_digits) {
        return Err("invalid_region");
    }
    let certificate_number = text(row.certificate_number)?;
    let Value::Text(number) = &certificate_number else { return Err("invalid_text") };
    let certificate_key = normalise_certificate_number(number);
    let mut region = row.region.into_iter().map(Value::Text);
    let mut values = vec![Value::Text(login), text(row.name)?, Value::Text(row.nature)];
    values.extend(region.by_ref());
    values.extend([
        text(row.certificate_type)?,
        certificate_number,
        Value::Text(certificate_key),
        text(row.principal_name)?,
        text(row.principal_mobile)?,
        text(row.principal_email)?,
        date(&row.submitted_on)?,
    ]);
    Ok(Record { key, values, domains: Vec::new() })
}

#[derive(Deserialize)]
struct WebsiteLine {
    website_number: String,
    filing_number: String,
    name: String,
    domains: Vec<String>,
}

fn parse_website(line: &str) -> Result<Record, Reason> {
    let row: WebsiteLine = json(line)?;
    let key = id(row.website_number)?;
    let filing = id(row.filing_number)?;
    let domains = domain_list(&row.domains)?;
    Ok(Record { key, values: vec![Value::Text(filing), text(row.name)?], domains })
}

#[derive(Deserialize)]
struct OrderLine {
    order_number: String,
    legacy_login_id: String,
    submitted_on: String,
}

fn parse_order(line: &str) -> Result<Record, Reason> {
    let row: OrderLine = json(line)?;
    Ok(Record {
        key: id(row.order_number)?,
        values: vec![Value::Text(id(row.legacy_login_id)?), date(&row.submitted_on)?],
        domains: Vec::new(),
    })
}

#[derive(Deserialize)]
struct MoveLine {
    filing_number: String,
    provider: String,
    moved_on: String,
}

fn parse_move(line: &str) -> Result<Record, Reason> {
    let row: MoveLine = json(line)?;
    let Value::Text(provider) = text(row.provider)? else { return Err("invalid_text") };
    let Value::Text(moved_on) = date(&row.moved_on)? else { return Err("invalid_date") };
    Ok(Record {
        key: id(row.filing_number)?,
        values: vec![Value::OptText(Some(provider)), Value::OptText(Some(moved_on))],
        domains: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_formats_are_checked_by_shape() {
        let line = |format: &str, hash: &str, salt: &str| {
            format!(
                r#"{{"legacy_login_id":"L1","login_email":"A@Example.com","activated":true,
                "password_format":"{format}","password_hash":"{hash}","password_salt":{salt}}}"#
            )
        };
        let md5 = "5F4DCC3B5AA765D61D8327DEB882CF99";
        let sha1 = "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8";
        let bcrypt = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
        let record = Table::Logins.parse(&line("md5", md5, "null")).expect("md5");
        assert_eq!(record.values[1], Value::Text("a@example.com".into()));
        assert_eq!(record.values[4], Value::Text(md5.to_ascii_lowercase()));
        assert!(Table::Logins.parse(&line("md5-salted", md5, r#""ab""#)).is_ok());
        assert!(Table::Logins.parse(&line("sha1-salted", sha1, r#""ab""#)).is_ok());
        assert!(Table::Logins.parse(&line("bcrypt", bcrypt, "null")).is_ok());
        assert_eq!(Table::Logins.parse(&line("md5-salted", md5, "null")), Err("invalid_salt"));
        assert_eq!(Table::Logins.parse(&line("md5", md5, r#""ab""#)), Err("invalid_salt"));
        assert_eq!(Table::Logins.parse(&line("sha1-salted", md5, r#""ab""#)), Err("invalid_password_hash"));
        assert_eq!(Table::Logins.parse(&line("bcrypt", &bcrypt[..59], "null")), Err("invalid_password_hash"));
        assert_eq!(Table::Logins.parse(&line("plain", "secret", "null")), Err("invalid_password_format"));
        assert_eq!(Table::Logins.parse("{not json"), Err("malformed_json"));
    }

    #[test]
    fn a_bcrypt_hash_with_a_multi_byte_character_is_refused_not_a_panic() {
        let line = |hash: &str| {
            format!(
                r#"{{"legacy_login_id":"L1","login_email":"a@example.com","activated":true,
                "password_format":"bcrypt","password_hash":"{hash}"}}"#
            )
        };
        // 60 bytes each, a two-byte `é` across byte 4, across byte 6, then in the tail
        let hashes = [
            format!("$2a{}{}", 'é', "C".repeat(55)),
            format!("$2a$0{}{}", 'é', "C".repeat(53)),
            format!("$2a$05${}{}", "C".repeat(51), 'é'),
        ];
        for hash in hashes {
            assert_eq!(hash.len(), 60);
            assert_eq!(Table::Logins.parse(&line(&hash)), Err("invalid_password_hash"), "{hash}");
        }
        // a sign is no digit of the cost
        let signed = format!("$2a$+5${}", "C".repeat(53));
        assert_eq!(Table::Logins.parse(&line(&signed)), Err("invalid_password_hash"));
    }

    #[test]
    fn website_domains_are_normalised_and_dates_checked() {
        let site = Table::Websites
            .parse(r#"{"website_number":"W1","filing_number":"F1","name":"n","domains":["WWW.Example.CN."]}"#)
            .expect("valid");
        assert_eq!(site.domains, vec!["example.cn".to_owned()]);
        let bad = r#"{"website_number":"W1","filing_number":"F1","name":"n","domains":["not a domain"]}"#;
        assert_eq!(Table::Websites.parse(bad), Err("invalid_domain"));
        let order = r#"{"order_number":"O1","legacy_login_id":"L1","submitted_on":"2016-02-30"}"#;
        assert_eq!(Table::Orders.parse(order), Err("invalid_date"));
    }
}
