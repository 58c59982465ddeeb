//! The regulator's approved top-level domains (`data/approved-tlds.txt`): a domain under
//! any other TLD can never be filed again once cancelled or deregistered, so the holder
//! is warned when an order would do that.

use std::{collections::BTreeSet, sync::LazyLock};

static APPROVED_TEXT: &str = include_str!("../../data/approved-tlds.txt");

static APPROVED: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| {
    APPROVED_TEXT
        .lines()
        .filter_map(|line| line.split('#').next())
        .map(str::trim)
        .filter(|tld| !tld.is_empty())
        .collect()
});

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
    fn the_data_file_parses() {
        assert!(
            APPROVED.len() > 30
                && APPROVED.contains("xn--55qx5d")
                && !APPROVED.iter().any(|t| t.contains(' '))
        );
    }
}
