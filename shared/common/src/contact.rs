//! Validation of the contact details people type, returning the normalised
//! value to store, so the same mobile number or e-mail address always
//! compares equal.

use chrono::NaiveDate;
use thiserror::Error;

use crate::domain_name::{DomainNameError, ascii_domain};
use crate::width::to_half_width;

/// Digits in a mainland mobile number without country code.
const MOBILE_DIGITS: usize = 11;
/// Ways users write the +86 country code, longest first.
const CHINA_PREFIXES: [&str; 3] = ["0086", "+86", "86"];
/// Longest local part, in octets as SMTP counts them (RFC 5321).
const MAX_LOCAL_PART_LEN: usize = 64;
/// Longest mailbox that fits an SMTP path (RFC 5321).
const MAX_EMAIL_LEN: usize = 254;
/// Characters in a second-generation resident ID number.
const RESIDENT_ID_LEN: usize = 18;
/// ISO 7064 MOD 11-2 weights of the 17 body digits.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each weighted sum modulo 11.
const ID_CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Why a contact detail was rejected. The text describes the rule broken and
/// never repeats the value, which is personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ContactError {
    #[error("must be a mainland China mobile number such as 13812345678")]
    MobileInvalid,
    #[error("must be an e-mail address such as name@example.com")]
    EmailInvalid,
    #[error("the part before @ must be at most 64 characters long")]
    EmailLocalPartTooLong,
    #[error("must be at most 254 characters long")]
    EmailTooLong,
    /// Not `#[source]`: the text already includes the domain error's text.
    #[error("the domain after @ {0}")]
    EmailDomain(DomainNameError),
}

/// The 11 national digits of a mainland China mobile number:
/// `+86 138-1234-5678` → `13812345678`.
///
/// Spaces, hyphens and an optional `+86`, `0086` or `86` prefix are dropped
/// and full-width digits mapped; the rest must be 11 digits starting with
/// `1` and then `3` to `9`.
pub fn normalise_mobile(input: &str) -> Result<String, ContactError> {
    let compact: String =
        input.chars().map(to_half_width).filter(|c| !c.is_whitespace() && *c != '-').collect();
    let national = CHINA_PREFIXES.iter().find_map(|prefix| compact.strip_prefix(prefix)).unwrap_or(&compact);
    let bytes = national.as_bytes();
    let valid = bytes.len() == MOBILE_DIGITS
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    if valid { Ok(national.to_owned()) } else { Err(ContactError::MobileInvalid) }
}

/// `local@domain` with the local part as typed and the domain in lower-case
/// ASCII, so `张伟@例子.中国` → `张伟@xn--fsqu00a.xn--fiqs8s`.
///
/// The local part is case-sensitive in principle, so it is kept; the domain
/// is converted like [`crate::normalise_domain`] but without dropping `www.`
/// or URL parts, since `www.example.com` may be a different mail domain.
pub fn normalise_email(input: &str) -> Result<String, ContactError> {
    let trimmed = input.trim();
    let (local, domain) = trimmed.split_once('@').ok_or(ContactError::EmailInvalid)?;
    if local.is_empty()
        || domain.contains('@')
        || local.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(ContactError::EmailInvalid);
    }
    if local.len() > MAX_LOCAL_PART_LEN {
        return Err(ContactError::EmailLocalPartTooLong);
    }
    let domain = ascii_domain(domain).map_err(ContactError::EmailDomain)?;
    let email = format!("{local}@{domain}");
    if email.len() > MAX_EMAIL_LEN {
        return Err(ContactError::EmailTooLong);
    }
    Ok(email)
}

/// A certificate number as a lookup key: full-width forms mapped to ASCII,
/// spaces and hyphens removed, letters upper-cased
/// (`ｍａ１２－３４ x` → `MA1234X`).
pub fn normalise_certificate_number(input: &str) -> String {
    input
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `input` is a well-formed 18-character PRC resident ID number: 17
/// digits with a real `YYYYMMDD` birth date at positions 7–14, then the ISO
/// 7064 MOD 11-2 check character (`0`–`9` or upper-case `X`). Pass typed
/// values through [`normalise_certificate_number`] first.
pub fn is_resident_id_number(input: &str) -> bool {
    let bytes = input.as_bytes();
    if bytes.len() != RESIDENT_ID_LEN {
        return false;
    }
    let (body, check) = bytes.split_at(RESIDENT_ID_LEN - 1);
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = body.iter().zip(ID_WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    check[0] == ID_CHECK_CHARS[(sum % 11) as usize] && is_real_date(&body[6..14])
}

/// Whether eight ASCII digits `YYYYMMDD` name a date on the calendar.
fn is_real_date(digits: &[u8]) -> bool {
    let number = |part: &[u8]| part.iter().fold(0, |value, digit| value * 10 + u32::from(digit - b'0'));
    i32::try_from(number(&digits[..4]))
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, number(&digits[4..6]), number(&digits[6..])))
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_reduced_to_eleven_digits() {
        for input in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "8613812345678",
            "008613812345678",
            "0086-138-1234-5678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(normalise_mobile(input), Ok("13812345678".to_owned()), "{input}");
        }
        assert_eq!(normalise_mobile("19912345678"), Ok("19912345678".to_owned()));
    }

    #[test]
    fn non_mobile_numbers_are_rejected() {
        for input in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "10812345678",
            "23812345678",
            "1381234567a",
            "+8513812345678",
            "+1 415 555 0100",
            "010-12345678",
            "86",
            "+86",
            "1381234567８9",
            "138.1234.5678",
        ] {
            assert_eq!(normalise_mobile(input), Err(ContactError::MobileInvalid), "{input}");
        }
    }

    #[test]
    fn email_domain_is_normalised_and_local_part_kept() {
        assert_eq!(normalise_email("  Jane.Doe@Example.COM "), Ok("Jane.Doe@example.com".to_owned()));
        assert_eq!(normalise_email("张伟@例子.中国"), Ok("张伟@xn--fsqu00a.xn--fiqs8s".to_owned()));
        assert_eq!(normalise_email("ops+icp@Mail.Example.com"), Ok("ops+icp@mail.example.com".to_owned()));
        assert_eq!(normalise_email("webmaster@www.example.com"), Ok("webmaster@www.example.com".to_owned()));
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for input in ["", "jane.example.com", "@example.com", "a@b@example.com", "jane doe@example.com"] {
            assert_eq!(normalise_email(input), Err(ContactError::EmailInvalid), "{input}");
        }
        assert_eq!(normalise_email("jane@"), Err(ContactError::EmailDomain(DomainNameError::Empty)));
        assert_eq!(
            normalise_email("jane@localhost"),
            Err(ContactError::EmailDomain(DomainNameError::NotADomain))
        );
        assert_eq!(
            normalise_email("jane@example.com:25"),
            Err(ContactError::EmailDomain(DomainNameError::Port))
        );
        assert_eq!(
            normalise_email("jane@exam ple.com"),
            Err(ContactError::EmailDomain(DomainNameError::Whitespace))
        );
    }

    #[test]
    fn email_length_limits() {
        let local_64 = "a".repeat(64);
        assert!(normalise_email(&format!("{local_64}@example.com")).is_ok());
        assert_eq!(
            normalise_email(&format!("{}@example.com", "a".repeat(65))),
            Err(ContactError::EmailLocalPartTooLong)
        );
        // 22 characters but 66 octets.
        assert_eq!(
            normalise_email(&format!("{}@example.com", "张".repeat(22))),
            Err(ContactError::EmailLocalPartTooLong)
        );
        let label = "b".repeat(63);
        let domain_189 = format!("{label}.{label}.{}", "c".repeat(61));
        assert_eq!(domain_189.len(), 189);
        assert_eq!(normalise_email(&format!("{local_64}@{domain_189}")).map(|email| email.len()), Ok(254));
        let domain_190 = format!("{label}.{label}.{}", "c".repeat(62));
        assert_eq!(normalise_email(&format!("{local_64}@{domain_190}")), Err(ContactError::EmailTooLong));
    }

    #[test]
    fn email_errors_never_repeat_the_input() {
        let error = normalise_email("secret.person@example.com:25").expect_err("port rejected");
        assert_eq!(error.to_string(), "the domain after @ must not include a port");
        for input in ["secret.person", "secret.person@localhost", "secret person@example.com"] {
            let message = normalise_email(input).expect_err("rejected").to_string();
            assert!(!message.contains("secret"), "{message}");
        }
        let message = normalise_mobile("secret13812345").expect_err("rejected").to_string();
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn certificate_numbers_become_lookup_keys() {
        assert_eq!(normalise_certificate_number("ｍａ１２－３４ x"), "MA1234X");
        assert_eq!(normalise_certificate_number(" 91110108-MA01ABCD2X "), "91110108MA01ABCD2X");
        assert_eq!(
            normalise_certificate_number("１１０１０５\u{3000}１９４９１２３１００２ｘ"),
            "11010519491231002X"
        );
        assert_eq!(normalise_certificate_number("京A-12345"), "京A12345");
        assert_eq!(normalise_certificate_number(""), "");
    }

    /// The check character by the recursive ISO 7064 MOD 11-2 definition,
    /// independent of the weight table the code uses.
    fn with_check_char(body: &str) -> String {
        let remainder = body.bytes().fold(0, |p, digit| (p + u32::from(digit - b'0')) * 2 % 11);
        let check = match (12 - remainder) % 11 {
            10 => 'X',
            value => char::from_digit(value, 10).expect("value below 10"),
        };
        format!("{body}{check}")
    }

    /// The same number with its check character replaced by every other one.
    fn wrong_check_chars(id: &str) -> impl Iterator<Item = String> + '_ {
        let (body, check) = id.split_at(17);
        "0123456789X".chars().filter(move |c| !check.starts_with(*c)).map(move |c| format!("{body}{c}"))
    }

    #[test]
    fn published_sample_ids_are_valid() {
        assert!(is_resident_id_number("11010519491231002X"));
        assert!(is_resident_id_number("440524188001010014"));
        assert_eq!(with_check_char("11010519491231002"), "11010519491231002X");
    }

    #[test]
    fn computed_ids_are_valid_and_other_check_chars_are_not() {
        for body in [
            "61010219900101147",
            "32058320000229001",
            "65010119811231999",
            "11010520240101000",
            "44030619991010345",
        ] {
            let id = with_check_char(body);
            assert!(is_resident_id_number(&id), "{id}");
            for wrong in wrong_check_chars(&id) {
                assert!(!is_resident_id_number(&wrong), "{wrong}");
            }
        }
    }

    #[test]
    fn impossible_birth_dates_are_rejected() {
        for body in [
            "11010519900230123", // 30 February
            "11010519010229123", // 29 February 1901
            "11010519901301123", // month 13
            "11010519900000123", // month 0
            "11010519900132123", // day 32
        ] {
            let id = with_check_char(body);
            assert!(!is_resident_id_number(&id), "{id}");
        }
        assert!(is_resident_id_number(&with_check_char("11010520000229123")));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        let valid = with_check_char("61010219900101147");
        assert!(!is_resident_id_number(""));
        assert!(!is_resident_id_number(&valid[..17]));
        assert!(!is_resident_id_number(&format!("{valid}0")));
        assert!(!is_resident_id_number(&format!(" {valid}")));
        assert!(!is_resident_id_number("11010519491231002x"));
        assert!(!is_resident_id_number("1101051949123100XX"));
        assert!(!is_resident_id_number("11010519491231002Ｘ"));
        assert!(!is_resident_id_number("A1010519491231002X"));
        assert!(is_resident_id_number(&normalise_certificate_number("110105 19491231 002x")));
    }
}
