//! The rules a new account password must meet (seed 003): at least 8 characters with
//! upper- and lower-case letters, digits and special characters; not a common password;
//! clearly different from the old one.
//!
//! The first two need only the new password ([`check`]). The third has only the old
//! password's Argon2id hash to go on, so [`similar_to_old`] verifies a bounded set of
//! variants of the new password against it ([`similarity_candidates`]: at most
//! [`MAX_SIMILARITY_CANDIDATES`] verifies, each costing one Argon2id hash — run it off
//! async workers).

use std::{collections::HashSet, sync::LazyLock};

use crate::password;

/// Fewest characters (Unicode scalar values) a password may have.
pub const MIN_CHARS: usize = 8;
/// Most characters a password may have: longer ones are refused as invalid input, so
/// nobody makes the hashing work as long as they like.
pub const MAX_CHARS: usize = 128;
/// Most characters the "old one with a few characters added" rule strips from an end.
const MAX_ADDED_CHARS: usize = 3;
/// Bound on the Argon2id verifies of one similarity check.
pub const MAX_SIMILARITY_CANDIDATES: usize = 6 + 2 * MAX_ADDED_CHARS;

/// Django's list of 20,000 common passwords (lower-cased, deduplicated): see
/// `data/README.md` for its source, version and licence.
static COMMON_PASSWORDS_TEXT: &str = include_str!("../data/common-passwords.txt");

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_PASSWORDS_TEXT.lines().map(str::trim).filter(|line| !line.is_empty()).collect());

/// One of the character rules a weak password fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    MinLength,
    Uppercase,
    Lowercase,
    Digit,
    Special,
}

impl Rule {
    pub const ALL: [Self; 5] =
        [Self::MinLength, Self::Uppercase, Self::Lowercase, Self::Digit, Self::Special];

    /// Stable name, for ErrorInfo metadata front ends may branch on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinLength => "MIN_LENGTH",
            Self::Uppercase => "UPPERCASE",
            Self::Lowercase => "LOWERCASE",
            Self::Digit => "DIGIT",
            Self::Special => "SPECIAL",
        }
    }

    /// What the rule asks for, in English, for a field violation.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MinLength => "at least 8 characters",
            Self::Uppercase => "an upper-case letter",
            Self::Lowercase => "a lower-case letter",
            Self::Digit => "a digit",
            Self::Special => "a special character",
        }
    }

    fn holds(self, password: &str) -> bool {
        match self {
            Self::MinLength => password.chars().count() >= MIN_CHARS,
            Self::Uppercase => password.chars().any(char::is_uppercase),
            Self::Lowercase => password.chars().any(char::is_lowercase),
            Self::Digit => password.chars().any(|c| c.is_ascii_digit()),
            Self::Special => password.chars().any(is_special),
        }
    }
}

/// Anything that is neither a letter, a digit, white space nor a control character.
fn is_special(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

/// Why a new password is refused, by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The character rules it fails, in [`Rule::ALL`] order (never empty).
    TooWeak(Vec<Rule>),
    /// It is on the common-password list (compared case-insensitively).
    TooCommon,
}

/// The rules that need only the new password: weak first, then common.
pub fn check(password: &str) -> Result<(), Violation> {
    let failed: Vec<Rule> = Rule::ALL.into_iter().filter(|rule| !rule.holds(password)).collect();
    if !failed.is_empty() {
        return Err(Violation::TooWeak(failed));
    }
    if is_common(password) {
        return Err(Violation::TooCommon);
    }
    Ok(())
}

/// Whether the password is on the common list, ignoring case.
pub fn is_common(password: &str) -> bool {
    COMMON_PASSWORDS.contains(password.to_lowercase().as_str())
}

/// The old passwords the new one would be "not clearly different" from, to verify
/// against the old hash: the new one itself (equal); the case changes people make — all
/// lower, all upper, swapped (caps lock), lower with the first letter capitalised, the
/// first letter's case toggled (equal ignoring case: every mix of cases would need 2^n
/// verifies, so only these forms are tried); and the new one with 1 to 3 characters cut
/// from its end or from its start (the old one with a few characters added). Distinct,
/// non-empty, at most [`MAX_SIMILARITY_CANDIDATES`].
pub fn similarity_candidates(new: &str) -> Vec<String> {
    let chars: Vec<char> = new.chars().collect();
    let swapped: String = chars
        .iter()
        .map(|&c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<String>()
            } else {
                c.to_uppercase().collect::<String>()
            }
        })
        .collect();
    let lower = new.to_lowercase();
    let capitalised = capitalise_first(&lower);
    let first_toggled = toggle_first(new);
    let mut candidates = vec![new.to_owned(), lower, new.to_uppercase(), swapped, capitalised, first_toggled];
    for cut in 1..=MAX_ADDED_CHARS.min(chars.len().saturating_sub(1)) {
        candidates.push(chars[..chars.len() - cut].iter().collect());
        candidates.push(chars[cut..].iter().collect());
    }
    let mut seen = HashSet::new();
    candidates.retain(|candidate| !candidate.is_empty() && seen.insert(candidate.clone()));
    candidates
}

fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn toggle_first(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let toggled: String =
        if first.is_uppercase() { first.to_lowercase().collect() } else { first.to_uppercase().collect() };
    toggled + chars.as_str()
}

/// Whether `new` is too close to the password `old_hash` was made from. CPU-bound:
/// up to [`MAX_SIMILARITY_CANDIDATES`] Argon2id verifies; stops at the first match.
pub fn similar_to_old(new: &str, old_hash: &str) -> bool {
    similarity_candidates(new).iter().any(|candidate| password::verify(candidate, old_hash))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_strong_uncommon_password_passes() {
        assert_eq!(check("Tea#Garden2026"), Ok(()));
        assert_eq!(check("西湖Longjing-2026"), Ok(()), "letters of any script count");
    }

    #[test]
    fn each_missing_rule_is_named() {
        assert_eq!(check("Ab1!"), Err(Violation::TooWeak(vec![Rule::MinLength])));
        assert_eq!(check("abcdefg1!"), Err(Violation::TooWeak(vec![Rule::Uppercase])));
        assert_eq!(check("ABCDEFG1!"), Err(Violation::TooWeak(vec![Rule::Lowercase])));
        assert_eq!(check("Abcdefgh!"), Err(Violation::TooWeak(vec![Rule::Digit])));
        assert_eq!(check("Abcdefgh1"), Err(Violation::TooWeak(vec![Rule::Special])));
        assert_eq!(
            check("Abcdefg h1"),
            Err(Violation::TooWeak(vec![Rule::Special])),
            "a space is not special"
        );
        assert_eq!(check(""), Err(Violation::TooWeak(Rule::ALL.to_vec())));
        assert_eq!(
            check("123456"),
            Err(Violation::TooWeak(vec![Rule::MinLength, Rule::Uppercase, Rule::Lowercase, Rule::Special]))
        );
    }

    #[test]
    fn the_common_list_is_the_full_list_and_ignores_case() {
        assert!(COMMON_PASSWORDS.len() >= 19_000, "{} entries", COMMON_PASSWORDS.len());
        for common in ["123456", "admin", "password", "woaini1314"] {
            assert!(is_common(common), "{common}");
        }
        // strong by the character rules, yet on the list
        assert_eq!(check("P@ssw0rd"), Err(Violation::TooCommon));
        assert_eq!(check("Password1!"), Err(Violation::TooCommon));
        assert!(!is_common("Tea#Garden2026"));
    }

    #[test]
    fn candidates_cover_case_and_added_characters_and_stay_bounded() {
        let candidates = similarity_candidates("Secret#2026X");
        for expected in [
            "Secret#2026X",
            "secret#2026x",
            "SECRET#2026X",
            "sECRET#2026x",
            "Secret#2026x",
            "secret#2026X",
            "Secret#2026",
            "Secret#20",
            "ecret#2026X",
            "ret#2026X",
        ] {
            assert!(candidates.iter().any(|c| c == expected), "{expected} missing from {candidates:?}");
        }
        assert_eq!(candidates.len(), MAX_SIMILARITY_CANDIDATES);
        let long = "x".repeat(MAX_CHARS) + "Aa1!";
        assert!(similarity_candidates(&long).len() <= MAX_SIMILARITY_CANDIDATES);
        // short or caseless inputs give fewer, never empty or repeated ones
        assert_eq!(similarity_candidates("1"), vec!["1".to_owned()]);
        let digits = similarity_candidates("1234");
        assert_eq!(digits, vec!["1234", "123", "234", "12", "34", "1", "4"]);
    }

    #[test]
    fn similar_means_equal_equal_ignoring_case_or_the_old_with_a_few_added() {
        let old = password::hash("Secret#2026").expect("hashes");
        assert!(similar_to_old("Secret#2026", &old), "equal");
        assert!(similar_to_old("sECRET#2026", &old), "caps lock");
        assert!(similar_to_old("secret#2026", &old), "first letter not capitalised");
        assert!(similar_to_old("SECRET#2026", &old), "all upper");
        assert!(similar_to_old("Secret#2026!!", &old), "two added at the end");
        assert!(similar_to_old("1Secret#2026", &old), "one added at the start");
        assert!(!similar_to_old("Secret#2026abcd", &old), "four added: clearly different");
        assert!(!similar_to_old("Garden#2026", &old));
    }
}
