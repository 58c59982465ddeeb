//! Field checks both exports share.

use beian_common::domain_name::normalise_domain;

use super::Reason;

/// The most domains one website may list.
const MAX_DOMAINS: usize = 20;

/// A website's domains: 1 to 20, each normalised, sorted, without repeats.
pub fn domain_list(domains: &[String]) -> Result<Vec<String>, Reason> {
    if domains.is_empty() || domains.len() > MAX_DOMAINS {
        return Err("invalid_domain");
    }
    let mut normalised = domains
        .iter()
        .map(|d| normalise_domain(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "invalid_domain")?;
    normalised.sort();
    normalised.dedup();
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_sorted_and_unique_within_bounds() {
        let listed = ["WWW.Example.com".to_owned(), "a.example.com".to_owned(), "www.example.com".to_owned()];
        // `www.` goes: the two spellings of example.com are one domain
        assert_eq!(domain_list(&listed), Ok(vec!["a.example.com".to_owned(), "example.com".to_owned()]));
        assert_eq!(domain_list(&[]), Err("invalid_domain"));
        assert_eq!(domain_list(&vec!["a.example.com".to_owned(); 21]), Err("invalid_domain"));
        assert_eq!(domain_list(&["not a domain".to_owned()]), Err("invalid_domain"));
    }
}
