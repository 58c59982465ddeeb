//! Synthetic legacy dumps of any size, the same for the same seed: for tests
//! and the benchmark. Each filing has its own login and one or two websites;
//! one extra login in twenty holds only orders in progress; one pre-2010
//! filing in five moved to another provider.
//!
//! Passwords, for a later import to check: login `L…n` has password
//! `Legacy#n` (hashed as md5, md5-salted or sha1-salted), except every fourth,
//! stored as bcrypt of [`BCRYPT_PASSWORD`].

use std::path::Path;

use beian_platform::bulk::writer::OutFile;
pub use beian_platform::bulk::writer::{BadRow, Generated};
use md5::{Digest, Md5};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use sha1::Sha1;

/// The password of every generated bcrypt login, and its hash (cost 10).
pub const BCRYPT_PASSWORD: &str = "Legacy#bcrypt";
const BCRYPT_HASH: &str = "$2a$10$TAt3waRxTLkgmwj3j.d/gelNhhF2SCeZ/ynL/5Zl9N8C5FFfkIcXy";

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub filings: u64,
    pub seed: u64,
    /// Invalid rows to mix in (malformed, bad values, unknown references), spread over the files.
    pub bad_rows: u64,
    pub gzip: bool,
}

const REGIONS: [(&str, [&str; 3]); 4] = [
    ("京", ["110000", "110100", "110105"]),
    ("沪", ["310000", "310100", "310104"]),
    ("浙", ["330000", "330100", "330106"]),
    ("粤", ["440000", "440300", "440305"]),
];

fn date(rng: &mut StdRng, from_year: i32, to_year: i32) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(from_year..=to_year),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

fn password(n: u64, rng: &mut StdRng) -> (&'static str, String, Option<String>) {
    let plain = format!("Legacy#{n}");
    match n % 4 {
        0 => ("md5", hex::encode(Md5::digest(plain.as_bytes())), None),
        1 => {
            let salt = format!("{:08x}", rng.random::<u32>());
            ("md5-salted", hex::encode(Md5::digest(format!("{salt}{plain}").as_bytes())), Some(salt))
        }
        2 => {
            let salt = format!("{:08x}", rng.random::<u32>());
            ("sha1-salted", hex::encode(Sha1::digest(format!("{salt}{plain}").as_bytes())), Some(salt))
        }
        _ => ("bcrypt", BCRYPT_HASH.to_owned(), None),
    }
}

fn login(n: u64, rng: &mut StdRng) -> serde_json::Value {
    let (format, hash, salt) = password(n, rng);
    json!({
        "legacy_login_id": format!("L{n:09}"),
        "login_email": format!("user{n}@legacy.example.com"),
        "activated": rng.random_ratio(19, 20),
        "password_format": format,
        "password_hash": hash,
        "password_salt": salt,
    })
}

/// Writes a dump of `options.filings` filings into `dir` (created if missing).
pub fn generate(dir: &Path, options: &GenerateOptions) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut logins = OutFile::create(dir, "logins", options.gzip)?;
    let mut filings = OutFile::create(dir, "filings", options.gzip)?;
    let mut websites = OutFile::create(dir, "websites", options.gzip)?;
    let mut orders = OutFile::create(dir, "orders", options.gzip)?;
    let mut moves = OutFile::create(dir, "moves", options.gzip)?;
    let mut bad_rows = Vec::new();
    let n = options.filings;
    // bad row k goes after filing (k + 1) · n / (bad_rows + 1)
    let mut next_bad = 0;
    let bad_at = |k: u64| (k + 1) * n / (options.bad_rows + 1);
    for i in 0..n {
        logins.write(&login(i, &mut rng))?;
        let (abbr, region) = REGIONS[rng.random_range(0..REGIONS.len())];
        let filing_number = format!("{abbr}ICP备{:08}号", 10_000_000 + i);
        let organisation = rng.random_ratio(3, 10);
        // mostly the import band (2010-06-01 … 2017-01-31), some claims, a few after
        let submitted_on = date(&mut rng, 2005, 2017);
        filings.write(&json!({
            "filing_number": filing_number,
            "legacy_login_id": format!("L{i:09}"),
            "name": if organisation { format!("测试科技有限公司{i}") } else { format!("测试个人{i}") },
            "nature": if organisation { "ORGANISATION" } else { "INDIVIDUAL" },
            "region": region,
            "certificate_type": if organisation { "BUSINESS_LICENSE" } else { "RESIDENT_ID_CARD" },
            "certificate_number": if organisation {
                format!("91{}{:010}", region[0], i)
            } else {
                format!("{}19{:02}{:07}", region[2], rng.random_range(50..=99), i % 10_000_000)
            },
            "principal_name": format!("负责人{i}"),
            "principal_mobile": format!("139{:08}", i % 100_000_000),
            "principal_email": format!("owner{i}@example.com"),
            "submitted_on": submitted_on,
        }))?;
        let sites = if rng.random_ratio(1, 10) { 2 } else { 1 };
        for s in 1..=sites {
            let mut domains = vec![format!("site{i}-{s}.example.cn")];
            if rng.random_ratio(1, 4) {
                domains.push(format!("shop{i}-{s}.example.com.cn"));
            }
            websites.write(&json!({
                "website_number": format!("{filing_number}-{s}"),
                "filing_number": filing_number,
                "name": format!("网站{i}-{s}"),
                "domains": domains,
            }))?;
        }
        if submitted_on.as_str() < "2010-06-01" && rng.random_ratio(1, 5) {
            moves.write(&json!({
                "filing_number": filing_number,
                "provider": "another-provider.example",
                "moved_on": date(&mut rng, 2011, 2016),
            }))?;
        }
        if i % 20 == 19 {
            // a login holding only orders in progress
            let extra = n + i / 20;
            logins.write(&login(extra, &mut rng))?;
            for o in 0..rng.random_range(1..=2) {
                orders.write(&json!({
                    "order_number": format!("LO{extra:09}-{o}"),
                    "legacy_login_id": format!("L{extra:09}"),
                    "submitted_on": date(&mut rng, 2015, 2016),
                }))?;
            }
        }
        while next_bad < options.bad_rows && bad_at(next_bad) <= i + 1 {
            let (out, reason) = match next_bad % 6 {
                0 => {
                    logins.write_raw(r#"{"legacy_login_id": "broken"#)?;
                    (&logins, "malformed_json")
                }
                1 => {
                    let mut row = login(10 * n + next_bad, &mut rng);
                    row["password_format"] = json!("plain");
                    logins.write(&row)?;
                    (&logins, "invalid_password_format")
                }
                2 => {
                    filings.write(&json!({
                        "filing_number": format!("坏ICP备{next_bad:08}号"), "legacy_login_id": format!("L{i:09}"),
                        "name": "坏", "nature": "INDIVIDUAL", "region": region, "certificate_type": "RESIDENT_ID_CARD",
                        "certificate_number": "110105199001011234", "principal_name": "坏", "principal_mobile": "13900000000",
                        "principal_email": "bad@example.com", "submitted_on": "2013-02-30",
                    }))?;
                    (&filings, "invalid_date")
                }
                3 => {
                    filings.write(&json!({
                        "filing_number": format!("孤ICP备{next_bad:08}号"), "legacy_login_id": "L-nobody",
                        "name": "孤", "nature": "INDIVIDUAL", "region": region, "certificate_type": "RESIDENT_ID_CARD",
                        "certificate_number": "110105199001011234", "principal_name": "孤", "principal_mobile": "13900000000",
                        "principal_email": "orphan@example.com", "submitted_on": "2013-02-03",
                    }))?;
                    (&filings, "unknown_login")
                }
                4 => {
                    websites.write(&json!({
                        "website_number": format!("{filing_number}-bad{next_bad}"), "filing_number": filing_number,
                        "name": "坏网站", "domains": ["not a domain"],
                    }))?;
                    (&websites, "invalid_domain")
                }
                _ => {
                    orders.write(&json!({
                        "order_number": format!("LO-orphan-{next_bad}"), "legacy_login_id": "L-nobody",
                        "submitted_on": "2016-01-02",
                    }))?;
                    (&orders, "unknown_login")
                }
            };
            bad_rows.push(out.bad_row(reason));
            next_bad += 1;
        }
    }
    let mut generated = Generated { lines: Vec::new(), bad_rows };
    for out in [logins, filings, websites, orders, moves] {
        generated.finish(out)?;
    }
    Ok(generated)
}
