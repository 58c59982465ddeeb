//! Masking of personal data for display, logs and error text, so that full
//! mobile numbers, e-mail addresses, ID numbers and login names never leave
//! the service that holds them.
//!
//! Every function works on `char`s, never bytes, and never panics. Values
//! shorter than the spec formats reveal at most a third of their characters
//! (never more than two), so a short value is not effectively shown in full.

use std::fmt;

/// Length of a mainland mobile number without country code.
const MOBILE_LEN: usize = 11;
/// Shortest ID number shown in the `610*****477` form.
const ID_NUMBER_MIN_LEN: usize = 8;
/// Shortest login name that keeps two leading characters and one trailing.
const LOGIN_LONG_LEN: usize = 6;
/// Most characters a too-short value may reveal.
const SHORT_MAX_REVEALED: usize = 2;

/// `15212341234` → `152****1234`.
///
/// A leading `+86`, or `86` followed by exactly 11 characters, is kept as is
/// and the rest is masked as the national number. A national part shorter
/// than 11 characters becomes `****` followed by its last `len / 3`
/// characters, at most 2 (`1234567890` → `****90`, `123` → `****3`).
pub fn mask_mobile(mobile: &str) -> String {
    let (country_code, national) = split_country_code(mobile);
    let chars: Vec<char> = national.chars().collect();
    let masked =
        if chars.len() >= MOBILE_LEN { keep_ends(&chars, 3, "****", 4) } else { mask_short(&chars, "****") };
    format!("{country_code}{masked}")
}

/// `jane.doe@example.com` → `j***@example.com`.
///
/// The domain is kept; the local part (everything before the last `@`) is cut
/// to its first character, or to nothing when empty (`***@example.com`).
/// Without an `@` the value is masked as a login name.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return mask_login_name(email);
    };
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

/// `610102199001011477` → `610*****477`.
///
/// Values shorter than 8 characters become `*****` followed by their last
/// `len / 3` characters, at most 2 (`1234567` → `*****67`).
pub fn mask_id_number(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() >= ID_NUMBER_MIN_LEN {
        keep_ends(&chars, 3, "*****", 3)
    } else {
        mask_short(&chars, "*****")
    }
}

/// `zhangsan2019` → `zh***9`.
///
/// A login name containing `@` is masked as an e-mail address. Otherwise 6 or
/// more characters keep the first 2 and the last 1, shorter ones keep only the
/// first (`li` → `l***`), and an empty name stays empty.
pub fn mask_login_name(login_name: &str) -> String {
    if login_name.contains('@') {
        return mask_email(login_name);
    }
    let chars: Vec<char> = login_name.chars().collect();
    match chars.len() {
        0 => String::new(),
        len if len >= LOGIN_LONG_LEN => keep_ends(&chars, 2, "***", 1),
        _ => keep_ends(&chars, 1, "***", 0),
    }
}

/// `张三丰` → `张**`: a person's name, its first character then one star per
/// other character (at least one, at most three, so long names do not show
/// their length); an empty name stays empty.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return String::new() };
    let stars = chars.count().clamp(1, 3);
    std::iter::once(first).chain(std::iter::repeat_n('*', stars)).collect()
}

/// Splits off a `+86` or `86` country code; `86` only when an 11-character
/// national number follows, since a bare `86…` may be a national number.
fn split_country_code(mobile: &str) -> (&str, &str) {
    if let Some(national) = mobile.strip_prefix("+86") {
        return ("+86", national);
    }
    match mobile.strip_prefix("86") {
        Some(national) if national.chars().count() == MOBILE_LEN => ("86", national),
        _ => ("", mobile),
    }
}

/// `stars` followed by the last `len / 3` characters, at most 2.
fn mask_short(chars: &[char], stars: &str) -> String {
    let revealed = (chars.len() / 3).min(SHORT_MAX_REVEALED);
    keep_ends(chars, 0, stars, revealed)
}

/// The first `head` and last `tail` characters around `stars`; callers ensure
/// `head + tail <= chars.len()`.
fn keep_ends(chars: &[char], head: usize, stars: &str, tail: usize) -> String {
    let tail_start = chars.len().saturating_sub(tail);
    chars[..head].iter().copied().chain(stars.chars()).chain(chars[tail_start..].iter().copied()).collect()
}

/// Defines a wrapper whose `Display` and `Debug` print only the masked form,
/// so personal data can go into tracing fields (`%` or `?`) safely.
macro_rules! masked_wrapper {
    ($(#[$doc:meta])* $name:ident => $mask:ident) => {
        $(#[$doc])*
        pub struct $name<'a>(pub &'a str);

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&$mask(self.0))
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&$mask(self.0), f)
            }
        }
    };
}

masked_wrapper!(
    /// A mobile number that formats as [`mask_mobile`] output.
    MaskedMobile => mask_mobile
);
masked_wrapper!(
    /// An e-mail address that formats as [`mask_email`] output.
    MaskedEmail => mask_email
);
masked_wrapper!(
    /// An ID number that formats as [`mask_id_number`] output.
    MaskedIdNumber => mask_id_number
);
masked_wrapper!(
    /// A login name that formats as [`mask_login_name`] output.
    MaskedLoginName => mask_login_name
);

#[cfg(test)]
mod tests {
    use super::*;

    type Mask = fn(&str) -> String;

    const MASKS: [(&str, Mask); 4] = [
        ("mobile", mask_mobile),
        ("email", mask_email),
        ("id_number", mask_id_number),
        ("login_name", mask_login_name),
    ];

    fn revealed(masked: &str) -> usize {
        masked.chars().filter(|c| *c != '*').count()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(mask_mobile("15212341234"), "152****1234");
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_id_number("610102199001011477"), "610*****477");
        assert_eq!(mask_login_name("zhangsan2019"), "zh***9");
    }

    #[test]
    fn names_keep_their_first_character_only() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张"), "张*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("欧阳娜娜娜娜"), "欧***");
        assert_eq!(mask_name("Jane Doe"), "J***");
        assert_eq!(mask_name(&mask_name("张三丰")), "张**");
    }

    #[test]
    fn mobile_keeps_country_code() {
        assert_eq!(mask_mobile("+8615212341234"), "+86152****1234");
        assert_eq!(mask_mobile("8615212341234"), "86152****1234");
        assert_eq!(mask_mobile("+86123"), "+86****3");
    }

    #[test]
    fn mobile_starting_with_86_is_not_split_unless_13_long() {
        assert_eq!(mask_mobile("86123456789"), "861****6789");
    }

    #[test]
    fn short_mobile_reveals_at_most_a_third() {
        assert_eq!(mask_mobile(""), "****");
        assert_eq!(mask_mobile("12"), "****");
        assert_eq!(mask_mobile("123"), "****3");
        assert_eq!(mask_mobile("1234567890"), "****90");
        for len in 0..MOBILE_LEN {
            let value = "9".repeat(len);
            let masked = mask_mobile(&value);
            assert!(revealed(&masked) <= len / 3, "{value} -> {masked}");
            assert!(revealed(&masked) <= SHORT_MAX_REVEALED);
        }
    }

    #[test]
    fn short_id_number_reveals_at_most_two() {
        assert_eq!(mask_id_number(""), "*****");
        assert_eq!(mask_id_number("12"), "*****");
        assert_eq!(mask_id_number("1234"), "*****4");
        assert_eq!(mask_id_number("1234567"), "*****67");
        assert_eq!(mask_id_number("12345678"), "123*****678");
        for len in 0..ID_NUMBER_MIN_LEN {
            let masked = mask_id_number(&"9".repeat(len));
            assert!(revealed(&masked) <= SHORT_MAX_REVEALED, "{len} -> {masked}");
        }
    }

    #[test]
    fn email_edge_cases() {
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("j@"), "j***@");
        assert_eq!(mask_email("a@b@example.com"), "a***@example.com");
        assert_eq!(mask_email("zhangsan2019"), "zh***9");
        assert_eq!(mask_email(""), "");
    }

    #[test]
    fn login_name_lengths() {
        assert_eq!(mask_login_name(""), "");
        assert_eq!(mask_login_name("l"), "l***");
        assert_eq!(mask_login_name("lisi5"), "l***");
        assert_eq!(mask_login_name("lisi55"), "li***5");
        assert_eq!(mask_login_name("li.si@corp.cn"), "l***@corp.cn");
    }

    #[test]
    fn multibyte_input_is_masked_by_char() {
        assert_eq!(mask_mobile("一二三四五六七八九十壹"), "一二三****八九十壹");
        assert_eq!(mask_email("张伟@例子.中国"), "张***@例子.中国");
        assert_eq!(mask_id_number("甲乙丙丁戊己庚辛"), "甲乙丙*****己庚辛");
        assert_eq!(mask_login_name("张三丰zhang"), "张三***g");
        assert_eq!(mask_login_name("张三"), "张***");
        assert_eq!(mask_mobile("📱12"), "****2");
    }

    #[test]
    fn very_long_input_is_cut_to_fixed_shape() {
        let long = "1".repeat(100_000);
        assert_eq!(mask_mobile(&long), "111****1111");
        assert_eq!(mask_id_number(&long), "111*****111");
        assert_eq!(mask_login_name(&long), "11***1");
        assert_eq!(mask_email(&format!("{long}@example.com")), "1***@example.com");
    }

    #[test]
    fn masking_a_masked_value_changes_nothing() {
        for (kind, mask) in MASKS {
            for value in ["15212341234", "jane.doe@example.com", "610102199001011477"] {
                let once = mask(value);
                assert_eq!(mask(&once), once, "{kind}: {value}");
            }
        }
    }

    #[test]
    fn wrappers_format_only_the_masked_form() {
        assert_eq!(MaskedMobile("15212341234").to_string(), "152****1234");
        assert_eq!(format!("{:?}", MaskedMobile("15212341234")), "\"152****1234\"");
        assert_eq!(MaskedEmail("jane.doe@example.com").to_string(), "j***@example.com");
        assert_eq!(format!("{:?}", MaskedIdNumber("610102199001011477")), "\"610*****477\"");
        assert_eq!(MaskedLoginName("zhangsan2019").to_string(), "zh***9");
    }

    /// Deterministic xorshift generator, so failures reproduce.
    struct Strings(u64);

    impl Strings {
        // No '*': a value already in masked form legitimately masks to itself.
        const ALPHABET: &[char] =
            &['0', '1', '5', '8', '6', '+', 'a', 'Z', '.', '@', '-', ' ', '张', '伟', 'é', '📱'];

        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn next_string(&mut self) -> String {
            let len = self.next_u64() % 40;
            (0..len)
                .map(|_| {
                    let index = self.next_u64() % Self::ALPHABET.len() as u64;
                    Self::ALPHABET[index as usize]
                })
                .collect()
        }
    }

    #[test]
    fn generated_values_never_appear_in_masked_output() {
        let mut strings = Strings(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let value = strings.next_string();
            for (kind, mask) in MASKS {
                let masked = mask(&value);
                // "@domain" has an empty local part: nothing personal to hide.
                let only_domain = value.starts_with('@') && kind != "mobile" && kind != "id_number";
                if value.chars().count() >= 8 && !only_domain {
                    assert!(!masked.contains(&value), "{kind}: {value:?} -> {masked:?}");
                }
            }
        }
    }
}
