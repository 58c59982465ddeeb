//! Normalising the domain names users type, so the same filing is found
//! whether they typed `WWW.Example.com.`, pasted `https://example.com/about`
//! or typed the Unicode form of an internationalised name (`例子.中国`).

use thiserror::Error;

/// Longest domain name in presentation form, without the trailing dot.
const MAX_NAME_LEN: usize = 253;
/// Longest single label.
const MAX_LABEL_LEN: usize = 63;
/// Schemes users paste in front of a domain; anything else is not a website.
const WEB_SCHEMES: [&str; 2] = ["https://", "http://"];
/// Characters that end the host part of a pasted URL.
const AFTER_HOST: [char; 3] = ['/', '?', '#'];

/// Why a value is not a domain name. The text describes the rule broken and
/// never repeats the value, which may be personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DomainNameError {
    #[error("must not be empty")]
    Empty,
    #[error("must be a domain name or an http:// or https:// address")]
    UnsupportedScheme,
    #[error("must not include a user name or password")]
    UserInfo,
    #[error("must not include a port")]
    Port,
    #[error("must not contain spaces")]
    Whitespace,
    #[error("must be a valid internationalised domain name")]
    InvalidInternationalName,
    #[error("must be a domain name such as example.com")]
    NotADomain,
    #[error("must be at most 253 characters long")]
    TooLong,
    #[error("each label must be 1 to 63 letters, digits or hyphens and must not start or end with a hyphen")]
    LabelInvalid,
    #[error("must be a domain name, not an IP address")]
    IpAddress,
}

/// The canonical ASCII form of a domain name a user typed or pasted:
/// `https://WWW.例子.中国./about` → `xn--fsqu00a.xn--fiqs8s`.
///
/// Accepts a leading `http://` or `https://` and drops anything from the
/// first `/`, `?` or `#`; maps Unicode labels to punycode by UTS 46 (which
/// also lower-cases and maps full-width dots); drops one trailing dot and
/// leading `www.` labels while two labels remain, so `www.com` is kept.
/// Normalising a normalised name returns it unchanged.
pub fn normalise_domain(input: &str) -> Result<String, DomainNameError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DomainNameError::Empty);
    }
    let ascii = to_ascii(host_of(trimmed)?)?;
    let name = strip_www(ascii.strip_suffix('.').unwrap_or(&ascii));
    validate(name)?;
    Ok(name.to_owned())
}

/// The ASCII form of a bare domain name, for e-mail addresses: no URL parts,
/// trailing dot or `www.` stripping, since `www.example.com` may be a
/// different mail domain from `example.com`.
pub(crate) fn ascii_domain(input: &str) -> Result<String, DomainNameError> {
    if input.is_empty() {
        return Err(DomainNameError::Empty);
    }
    let ascii = to_ascii(input)?;
    validate(&ascii)?;
    Ok(ascii)
}

/// The host part of a pasted URL, or the whole value when it is not one.
fn host_of(value: &str) -> Result<&str, DomainNameError> {
    let without_scheme = WEB_SCHEMES
        .iter()
        .find_map(|scheme| {
            value
                .get(..scheme.len())
                .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
                .map(|_| &value[scheme.len()..])
        })
        .unwrap_or(value);
    if without_scheme.contains("://") {
        return Err(DomainNameError::UnsupportedScheme);
    }
    let host = without_scheme.split(AFTER_HOST).next().unwrap_or(without_scheme);
    if host.is_empty() {
        return Err(DomainNameError::NotADomain);
    }
    Ok(host)
}

/// Rejects URL parts that cannot be part of a name, then applies UTS 46.
fn to_ascii(host: &str) -> Result<String, DomainNameError> {
    if host.contains('@') {
        return Err(DomainNameError::UserInfo);
    }
    if host.starts_with('[') {
        return Err(DomainNameError::IpAddress);
    }
    if host.contains(':') {
        return Err(DomainNameError::Port);
    }
    if host.contains(char::is_whitespace) {
        return Err(DomainNameError::Whitespace);
    }
    idna::domain_to_ascii(host).map_err(|_| DomainNameError::InvalidInternationalName)
}

/// Drops leading `www.` labels while at least two labels would remain.
fn strip_www(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("www.") {
        if !rest.contains('.') {
            break;
        }
        name = rest;
    }
    name
}

/// Checks the converted name against the hostname rules (RFC 1123).
fn validate(name: &str) -> Result<(), DomainNameError> {
    if name.len() > MAX_NAME_LEN {
        return Err(DomainNameError::TooLong);
    }
    if !name.contains('.') {
        return Err(DomainNameError::NotADomain);
    }
    if !name.split('.').all(is_valid_label) {
        return Err(DomainNameError::LabelInvalid);
    }
    let top_level = name.rsplit('.').next().unwrap_or(name);
    if top_level.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainNameError::IpAddress);
    }
    Ok(())
}

fn is_valid_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(input: &str) -> String {
        normalise_domain(input).expect("test input is a valid domain")
    }

    #[test]
    fn case_trailing_dot_and_whitespace() {
        assert_eq!(normalised("Example.COM."), "example.com");
        assert_eq!(normalised("  example.com\t\n"), "example.com");
        assert_eq!(normalised("\u{3000}example.com\u{3000}"), "example.com");
    }

    #[test]
    fn leading_www_is_dropped_while_two_labels_remain() {
        assert_eq!(normalised("WWW.Example.com"), "example.com");
        assert_eq!(normalised("www.com"), "www.com");
        assert_eq!(normalised("www.www.example.com"), "example.com");
        assert_eq!(normalised("www.www.com"), "www.com");
        assert_eq!(normalised("shop.www.example.com"), "shop.www.example.com");
        assert_eq!(normalised("wwwexample.com"), "wwwexample.com");
    }

    #[test]
    fn pasted_urls_keep_only_the_host() {
        assert_eq!(normalised("https://www.example.com/path?q=1"), "example.com");
        assert_eq!(normalised("http://example.com"), "example.com");
        assert_eq!(normalised("HTTPS://Example.com/"), "example.com");
        assert_eq!(normalised("example.com/about"), "example.com");
        assert_eq!(normalised("example.com?x=1"), "example.com");
        assert_eq!(normalised("example.com#top"), "example.com");
        assert_eq!(normalised("https://example.com./a b"), "example.com");
    }

    #[test]
    fn unicode_labels_become_punycode() {
        assert_eq!(normalised("例子.中国"), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(normalised("https://www.例子.中国/"), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(normalised("XN--FSQU00A.xn--fiqs8s"), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(normalised("bücher.example"), "xn--bcher-kva.example");
    }

    #[test]
    fn full_width_forms_are_mapped() {
        assert_eq!(normalised("例子。中国"), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(normalised("例子．中国。"), "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(normalised("ＥＸＡＭＰＬＥ．ｃｏｍ"), "example.com");
    }

    #[test]
    fn url_parts_that_are_not_a_name_are_rejected() {
        assert_eq!(normalise_domain("example.com:8080"), Err(DomainNameError::Port));
        assert_eq!(normalise_domain("https://example.com:443/"), Err(DomainNameError::Port));
        assert_eq!(normalise_domain("https://user:secret@example.com/"), Err(DomainNameError::UserInfo));
        assert_eq!(normalise_domain("ftp://example.com"), Err(DomainNameError::UnsupportedScheme));
        assert_eq!(normalise_domain("http://[::1]/"), Err(DomainNameError::IpAddress));
        assert_eq!(normalise_domain("https://"), Err(DomainNameError::NotADomain));
        assert_eq!(normalise_domain("/path"), Err(DomainNameError::NotADomain));
    }

    #[test]
    fn malformed_names_are_rejected() {
        assert_eq!(normalise_domain(""), Err(DomainNameError::Empty));
        assert_eq!(normalise_domain(" \t "), Err(DomainNameError::Empty));
        assert_eq!(normalise_domain("exa mple.com"), Err(DomainNameError::Whitespace));
        assert_eq!(normalise_domain("-bad.com"), Err(DomainNameError::LabelInvalid));
        assert_eq!(normalise_domain("bad-.com"), Err(DomainNameError::LabelInvalid));
        assert_eq!(normalise_domain("a..b"), Err(DomainNameError::LabelInvalid));
        assert_eq!(normalise_domain("example.com.."), Err(DomainNameError::LabelInvalid));
        assert_eq!(normalise_domain("under_score.com"), Err(DomainNameError::LabelInvalid));
        assert_eq!(normalise_domain("localhost"), Err(DomainNameError::NotADomain));
        assert_eq!(normalise_domain("."), Err(DomainNameError::NotADomain));
        assert_eq!(normalise_domain("xn--zz.com"), Err(DomainNameError::InvalidInternationalName));
    }

    #[test]
    fn ip_addresses_are_rejected() {
        assert_eq!(normalise_domain("1.2.3.4"), Err(DomainNameError::IpAddress));
        assert_eq!(normalise_domain("http://192.168.0.1/admin"), Err(DomainNameError::IpAddress));
        assert_eq!(normalised("123.com"), "123.com");
        assert_eq!(normalised("1.2.3.example"), "1.2.3.example");
    }

    #[test]
    fn label_and_name_length_limits() {
        let label_63 = "a".repeat(63);
        assert_eq!(normalised(&format!("{label_63}.com")), format!("{label_63}.com"));
        assert_eq!(normalise_domain(&format!("{}.com", "a".repeat(64))), Err(DomainNameError::LabelInvalid));
        let name_253 = format!("{label_63}.{label_63}.{label_63}.{}", "b".repeat(61));
        assert_eq!(name_253.len(), 253);
        assert_eq!(normalised(&name_253), name_253);
        assert_eq!(normalised(&format!("{name_253}.")), name_253);
        let name_254 = format!("{label_63}.{label_63}.{label_63}.{}", "b".repeat(62));
        assert_eq!(name_254.len(), 254);
        assert_eq!(normalise_domain(&name_254), Err(DomainNameError::TooLong));
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for input in [
            "Example.COM.",
            "WWW.Example.com",
            "https://www.example.com/path?q=1",
            "www.com",
            "www.www.www.com",
            "例子.中国",
            "www。例子。中国。",
            "Bücher.Example",
            "ＥＸＡＭＰＬＥ．ｃｏｍ",
            "xn--fsqu00a.xn--fiqs8s",
        ] {
            let once = normalised(input);
            assert_eq!(normalised(&once), once, "{input}");
        }
    }

    #[test]
    fn ascii_domain_keeps_www_and_rejects_url_parts() {
        assert_eq!(ascii_domain("WWW.例子.中国"), Ok("www.xn--fsqu00a.xn--fiqs8s".to_owned()));
        assert_eq!(ascii_domain("example.com."), Err(DomainNameError::LabelInvalid));
        assert_eq!(ascii_domain("example.com/x"), Err(DomainNameError::LabelInvalid));
        assert_eq!(ascii_domain(""), Err(DomainNameError::Empty));
    }

    #[test]
    fn messages_never_repeat_the_input() {
        let input = "secret-name.com:1";
        let message = normalise_domain(input).expect_err("a port is rejected").to_string();
        assert_eq!(message, "must not include a port");
        assert!(!message.contains("secret"));
    }
}
