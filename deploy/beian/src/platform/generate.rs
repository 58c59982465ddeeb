//! Synthetic exports of the current platform (PLATFORM-EXPORT.md) of any size, the same
//! for the same seed: for tests and operators trying a load. Account `P…n` (login name
//! `platform_user<n>`) has password `Platform#<n>`; subject n is held by it and has the
//! filing password `<n>` in six digits; one account in ten holds no subject.
//!
//! Hashes are Argon2id with the lightest parameters (m=8 KiB, t=1, p=1) so a large export
//! generates in seconds: a real export carries the platform's own, which verify the same
//! way since a PHC string names its parameters.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
use beian_platform::bulk::writer::{Generated, OutFile};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub subjects: u64,
    pub seed: u64,
    /// Invalid rows to mix in, each with a known reason, spread over the files.
    pub bad_rows: u64,
    pub gzip: bool,
}

/// The password of generated account `n`.
pub fn account_password(n: u64) -> String {
    format!("Platform#{n}")
}

/// The filing password of generated subject `n`.
pub fn filing_password(n: u64) -> String {
    format!("{:06}", n % 1_000_000)
}

const REGIONS: [(&str, [&str; 3]); 4] = [
    ("京", ["110000", "110100", "110105"]),
    ("沪", ["310000", "310100", "310104"]),
    ("浙", ["330000", "330100", "330106"]),
    ("粤", ["440000", "440300", "440305"]),
];

fn light_hash(password: &str, rng: &mut StdRng) -> anyhow::Result<String> {
    let params = Params::new(8, 1, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let salt = SaltString::encode_b64(&rng.random::<[u8; 16]>()).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// A well-formed resident ID number of `district`, born on a day of the 1970s–90s.
fn resident_id(district: &str, n: u64, rng: &mut StdRng) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!(
        "{district}19{}{:02}{:02}{:03}",
        rng.random_range(70..=99),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
        n % 1000
    );
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn account(n: u64, rng: &mut StdRng) -> anyhow::Result<serde_json::Value> {
    Ok(json!({
        "account_id": format!("P{n:09}"),
        "login_name": format!("platform_user{n}"),
        "site": if rng.random_ratio(1, 10) { "INTL" } else { "CN" },
        "mobile": format!("137{:08}", n % 100_000_000),
        "email": format!("user{n}@platform.example.com"),
        "password_hash": light_hash(&account_password(n), rng)?,
    }))
}

/// Writes an export of `options.subjects` subjects into `dir` (created if missing).
pub fn generate(dir: &Path, options: &GenerateOptions) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut accounts = OutFile::create(dir, "accounts", options.gzip)?;
    let mut subjects = OutFile::create(dir, "subjects", options.gzip)?;
    let mut websites = OutFile::create(dir, "websites", options.gzip)?;
    let mut bad_rows = Vec::new();
    let n = options.subjects;
    let mut next_bad = 0;
    // bad row k goes after subject (k + 1) · n / (bad_rows + 1)
    let bad_at = |k: u64| (k + 1) * n / (options.bad_rows + 1);
    for i in 0..n {
        accounts.write(&account(i, &mut rng)?)?;
        if i % 10 == 9 {
            // an account that holds no subject
            accounts.write(&account(n + i / 10, &mut rng)?)?;
        }
        let (abbr, region) = REGIONS[rng.random_range(0..REGIONS.len())];
        let filing_number = format!("{abbr}ICP备{:08}号", 20_000_000 + i);
        let organisation = rng.random_ratio(3, 10);
        subjects.write(&json!({
            "filing_number": filing_number,
            "holder_account_id": format!("P{i:09}"),
            "name": if organisation { format!("平台科技有限公司{i}") } else { format!("平台个人{i}") },
            "nature": if organisation { "ORGANISATION" } else { "INDIVIDUAL" },
            "region": region,
            "certificate_type": if organisation { "BUSINESS_LICENSE" } else { "RESIDENT_ID_CARD" },
            "certificate_number": if organisation {
                format!("91{}{:010}", region[0], i)
            } else {
                resident_id(region[2], i, &mut rng)
            },
            "principal_name": format!("负责人{i}"),
            "principal_mobile": format!("136{:08}", i % 100_000_000),
            "principal_email": format!("owner{i}@platform.example.com"),
            "principal_id_number": organisation.then(|| resident_id(region[2], i, &mut rng)),
            "filing_password_hash": light_hash(&filing_password(i), &mut rng)?,
        }))?;
        let sites = if rng.random_ratio(1, 10) { 2 } else { 1 };
        for s in 1..=sites {
            let mut domains = vec![format!("site{i}-{s}.platform.example.cn")];
            if rng.random_ratio(1, 4) {
                domains.push(format!("shop{i}-{s}.platform.example.com.cn"));
            }
            websites.write(&json!({
                "website_number": format!("{filing_number}-{s}"),
                "filing_number": filing_number,
                "name": format!("平台网站{i}-{s}"),
                "state": if rng.random_ratio(1, 20) { "ACCESS_CANCELLED" } else { "ACTIVE" },
                "domains": domains,
            }))?;
        }
        while next_bad < options.bad_rows && bad_at(next_bad) <= i + 1 {
            let (out, reason) = match next_bad % 7 {
                0 => {
                    accounts.write_raw(r#"{"account_id": "broken"#)?;
                    (&accounts, "malformed_json")
                }
                1 => {
                    let mut row = account(10 * n + next_bad, &mut rng)?;
                    row["mobile"] = json!("12345");
                    accounts.write(&row)?;
                    (&accounts, "invalid_mobile")
                }
                2 => {
                    // a password in the clear is refused, never stored or printed
                    let mut row = account(10 * n + next_bad, &mut rng)?;
                    row["password_hash"] = json!(account_password(10 * n + next_bad));
                    accounts.write(&row)?;
                    (&accounts, "invalid_password_hash")
                }
                3 => {
                    subjects.write(&json!({
                        "filing_number": format!("{abbr}ICP备{:08}号", 90_000_000 + next_bad),
                        "holder_account_id": "P-nobody", "name": "孤", "nature": "INDIVIDUAL", "region": region,
                        "certificate_type": "RESIDENT_ID_CARD", "certificate_number": resident_id(region[2], i, &mut rng),
                        "principal_name": "孤", "principal_mobile": "13900000000", "principal_email": "orphan@example.com",
                        "filing_password_hash": light_hash("000000", &mut rng)?,
                    }))?;
                    (&subjects, "unknown_account")
                }
                4 => {
                    subjects.write(&json!({
                        "filing_number": format!("{abbr}ICP备{:08}号", 91_000_000 + next_bad),
                        "holder_account_id": format!("P{i:09}"), "name": "坏", "nature": "INDIVIDUAL", "region": region,
                        "certificate_type": "RESIDENT_ID_CARD", "certificate_number": "110105199001011230",
                        "principal_name": "坏", "principal_mobile": "13900000000", "principal_email": "bad@example.com",
                        "filing_password_hash": light_hash("000000", &mut rng)?,
                    }))?;
                    (&subjects, "invalid_id_number")
                }
                5 => {
                    let orphan = format!("{abbr}ICP备{:08}号", 92_000_000 + next_bad);
                    websites.write(&json!({
                        "website_number": format!("{orphan}-1"), "filing_number": orphan,
                        "name": "孤网站", "state": "ACTIVE", "domains": [format!("orphan{next_bad}.example.cn")],
                    }))?;
                    (&websites, "unknown_filing")
                }
                _ => {
                    websites.write(&json!({
                        "website_number": format!("{filing_number}-{}", 10 + next_bad), "filing_number": filing_number,
                        "name": "坏网站", "state": "ACTIVE", "domains": ["not a domain"],
                    }))?;
                    (&websites, "invalid_domain")
                }
            };
            bad_rows.push(out.bad_row(reason));
            next_bad += 1;
        }
    }
    let mut generated = Generated { lines: Vec::new(), bad_rows };
    for out in [accounts, subjects, websites] {
        generated.finish(out)?;
    }
    Ok(generated)
}
