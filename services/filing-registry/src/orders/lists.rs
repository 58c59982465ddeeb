//! Lists kept as data: the regulator's approved top-level domains
//! (`data/approved-tlds.txt`: a domain under any other TLD can never be filed again once
//! cancelled or deregistered, so the holder is warned), and the provinces that verify a
//! subject change by SMS (`data/sms-pilot-provinces.txt`).

use std::{collections::BTreeSet, sync::LazyLock};

static APPROVED_TEXT: &str = include_str!("../../data/approved-tlds.txt");

static APPROVED: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| entries(APPROVED_TEXT));

static SMS_PILOT_TEXT: &str = include_str!("../../data/sms-pilot-provinces.txt");

static SMS_PILOT: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| entries(SMS_PILOT_TEXT));

/// Lines without comments and blanks.
fn entries(text: &'static str) -> BTreeSet<&'static str> {
    text.lines().filter_map(|line| line.split('#').next()).map(str::trim).filter(|e| !e.is_empty()).collect()
}

/// Whether the province verifies a change of subject details by SMS.
pub fn verifies_changes_by_sms(province_code: &str) -> bool {
    SMS_PILOT.contains(province_code)
}

/// The (normalised) domains whose TLD the regulator has not approved, in the order given.
pub fn unapproved<'a>(domains: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    domains
        .into_iter()
        .filter(|domain| domain.rsplit('.').next().is_none_or(|tld| !APPROVED.contains(tld)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_examples_are_unapproved_and_common_ones_approved() {
        let domains: Vec<String> =
            ["a.cn", "b.com.cn", "xn--fsqu00a.xn--fiqs8s", "c.org", "d.cc", "e.tv", "f.name", "g.com"]
                .map(str::to_owned)
                .to_vec();
        assert_eq!(unapproved(&domains), ["c.org", "d.cc", "e.tv", "f.name"]);
    }

    #[test]
    fn the_twenty_two_pilot_provinces_verify_by_sms() {
        assert_eq!(SMS_PILOT.len(), 22);
        assert!(SMS_PILOT.iter().all(|code| beian_common::filing_number::is_province_code(code)));
        assert!(verifies_changes_by_sms("330000") && !verifies_changes_by_sms("110000"));
    }

    #[test]
    fn the_data_file_parses() {
        assert!(
            APPROVED.len() > 30
                && APPROVED.contains("xn--55qx5d")
                && !APPROVED.iter().any(|t| t.contains(' '))
        );
    }
}
