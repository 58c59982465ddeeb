//! ICP filing numbers (`京ICP备12345678号-1`), parsed into one canonical form
//! so a number typed with full-width digits or lower-case `icp` finds the
//! same filing.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::width::to_half_width;

/// Province abbreviations that open a filing number, with their GB/T 2260
/// province codes. MIIT issues ICP numbers in the 31 mainland provinces.
const PROVINCES: [(char, &str); 31] = [
    ('京', "110000"),
    ('津', "120000"),
    ('冀', "130000"),
    ('晋', "140000"),
    ('蒙', "150000"),
    ('辽', "210000"),
    ('吉', "220000"),
    ('黑', "230000"),
    ('沪', "310000"),
    ('苏', "320000"),
    ('浙', "330000"),
    ('皖', "340000"),
    ('闽', "350000"),
    ('赣', "360000"),
    ('鲁', "370000"),
    ('豫', "410000"),
    ('鄂', "420000"),
    ('湘', "430000"),
    ('粤', "440000"),
    ('桂', "450000"),
    ('琼', "460000"),
    ('渝', "500000"),
    ('川', "510000"),
    ('贵', "520000"),
    ('云', "530000"),
    ('藏', "540000"),
    ('陕', "610000"),
    ('甘', "620000"),
    ('青', "630000"),
    ('宁', "640000"),
    ('新', "650000"),
];

/// Serial numbers have between these many digits.
const SERIAL_DIGITS: std::ops::RangeInclusive<usize> = 4..=12;

/// The GB/T 2260 province code for a filing-number province abbreviation:
/// `'京'` → `"110000"`.
pub fn province_code_of_abbreviation(abbreviation: char) -> Option<&'static str> {
    PROVINCES.iter().find(|(known, _)| *known == abbreviation).map(|(_, code)| *code)
}

/// Whether `code` is the GB/T 2260 code of one of the 31 mainland provinces.
pub fn is_province_code(code: &str) -> bool {
    PROVINCES.iter().any(|(_, known)| *known == code)
}

/// Whether the number records a filing (备案) or a commercial operating
/// licence (经营许可证).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilingKind {
    /// `备`: a non-commercial filing.
    Record,
    /// `证`: an ICP operating licence.
    Licence,
}

impl FilingKind {
    fn from_char(c: char) -> Option<Self> {
        match c {
            '备' => Some(Self::Record),
            '证' => Some(Self::Licence),
            _ => None,
        }
    }

    fn as_char(self) -> char {
        match self {
            Self::Record => '备',
            Self::Licence => '证',
        }
    }
}

/// Why a value is not a filing number. The text describes the rule broken
/// and never repeats the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FilingNumberError {
    #[error("must not be empty")]
    Empty,
    #[error("must start with a province abbreviation such as 京")]
    UnknownProvince,
    #[error("must be an ICP filing number such as 京ICP备12345678号 or 京ICP备12345678号-1")]
    Malformed,
    #[error("must have a serial number of 4 to 12 digits")]
    SerialInvalid,
    #[error("must have 号 after the serial number")]
    MissingHao,
    #[error("must have a positive website number without leading zeros after 号-")]
    WebsiteIndexInvalid,
}

/// A subject (`京ICP备12345678号`) or website (`京ICP备12345678号-1`) number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilingNumber {
    province_abbreviation: char,
    province_code: &'static str,
    kind: FilingKind,
    serial: String,
    website_index: Option<u32>,
}

impl FilingNumber {
    /// Reads a filing number, ignoring surrounding whitespace and accepting
    /// full-width digits, letters and hyphen and a lower-case `icp`.
    pub fn parse(input: &str) -> Result<Self, FilingNumberError> {
        let text: String = input.trim().chars().map(to_half_width).collect();
        let mut chars = text.chars();
        let province_abbreviation = chars.next().ok_or(FilingNumberError::Empty)?;
        let province_code =
            province_code_of_abbreviation(province_abbreviation).ok_or(FilingNumberError::UnknownProvince)?;
        let rest = chars.as_str();
        let rest = rest
            .get(..3)
            .filter(|icp| icp.eq_ignore_ascii_case("ICP"))
            .map(|_| &rest[3..])
            .ok_or(FilingNumberError::Malformed)?;
        let mut chars = rest.chars();
        let kind = chars.next().and_then(FilingKind::from_char).ok_or(FilingNumberError::Malformed)?;
        let (serial, suffix) = chars.as_str().split_once('号').ok_or(FilingNumberError::MissingHao)?;
        if !SERIAL_DIGITS.contains(&serial.len()) || !serial.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FilingNumberError::SerialInvalid);
        }
        let website_index = match suffix {
            "" => None,
            _ => Some(parse_website_index(suffix)?),
        };
        Ok(Self { province_abbreviation, province_code, kind, serial: serial.to_owned(), website_index })
    }

    /// The number of the filing subject, without any website suffix:
    /// `京ICP备12345678号`.
    pub fn subject_number(&self) -> String {
        format!("{}ICP{}{}号", self.province_abbreviation, self.kind.as_char(), self.serial)
    }

    /// Whether this numbers a website (`号-N`) rather than a subject.
    pub fn is_website(&self) -> bool {
        self.website_index.is_some()
    }

    /// The GB/T 2260 code of the issuing province, e.g. `"110000"`.
    pub fn province_code(&self) -> &'static str {
        self.province_code
    }

    pub fn kind(&self) -> FilingKind {
        self.kind
    }

    /// The digits between `备`/`证` and `号`, leading zeros kept.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// `N` in `号-N`, for website numbers.
    pub fn website_index(&self) -> Option<u32> {
        self.website_index
    }
}

/// The `-N` suffix: a hyphen then a positive number without leading zeros,
/// so each website has exactly one spelling.
fn parse_website_index(suffix: &str) -> Result<u32, FilingNumberError> {
    let digits = suffix.strip_prefix('-').ok_or(FilingNumberError::Malformed)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FilingNumberError::WebsiteIndexInvalid);
    }
    digits.parse().map_err(|_| FilingNumberError::WebsiteIndexInvalid)
}

impl FromStr for FilingNumber {
    type Err = FilingNumberError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

/// The canonical form, `京ICP备12345678号` or `京ICP备12345678号-1`.
impl fmt::Display for FilingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.subject_number())?;
        match self.website_index {
            Some(index) => write!(f, "-{index}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> FilingNumber {
        FilingNumber::parse(input).expect("test input is a valid filing number")
    }

    #[test]
    fn canonical_numbers_round_trip() {
        for canonical in [
            "京ICP备12345678号",
            "京ICP备12345678号-1",
            "粤ICP备2021012345号-23",
            "沪ICP证123456号",
            "新ICP备0012号",
            "浙ICP备123456789012号-4294967295",
        ] {
            assert_eq!(parsed(canonical).to_string(), canonical);
            assert_eq!(canonical.parse::<FilingNumber>(), Ok(parsed(canonical)));
        }
    }

    #[test]
    fn subject_number_parts() {
        let number = parsed("京ICP备12345678号");
        assert!(!number.is_website());
        assert_eq!(number.province_code(), "110000");
        assert_eq!(number.kind(), FilingKind::Record);
        assert_eq!(number.serial(), "12345678");
        assert_eq!(number.website_index(), None);
        assert_eq!(number.subject_number(), "京ICP备12345678号");
    }

    #[test]
    fn website_number_names_its_subject() {
        let website = parsed("粤ICP备2021012345号-7");
        assert!(website.is_website());
        assert_eq!(website.website_index(), Some(7));
        assert_eq!(website.province_code(), "440000");
        assert_eq!(website.subject_number(), "粤ICP备2021012345号");
        assert_eq!(parsed(&website.subject_number()), parsed("粤ICP备2021012345号"));
    }

    #[test]
    fn licence_numbers_are_accepted() {
        let licence = parsed("京ICP证030173号-1");
        assert_eq!(licence.kind(), FilingKind::Licence);
        assert_eq!(licence.serial(), "030173");
        assert_eq!(licence.to_string(), "京ICP证030173号-1");
        assert_ne!(parsed("京ICP证030173号"), parsed("京ICP备030173号"));
    }

    #[test]
    fn typed_variants_normalise() {
        assert_eq!(parsed("  京icp备１２３４５６７８号－２\u{3000}").to_string(), "京ICP备12345678号-2");
        assert_eq!(parsed("京ＩＣＰ备12345678号").to_string(), "京ICP备12345678号");
        assert_eq!(parsed("京Icp备12345678号").to_string(), "京ICP备12345678号");
    }

    #[test]
    fn unknown_province_is_rejected() {
        assert_eq!(FilingNumber::parse("港ICP备12345678号"), Err(FilingNumberError::UnknownProvince));
        assert_eq!(FilingNumber::parse("ICP备12345678号"), Err(FilingNumberError::UnknownProvince));
    }

    #[test]
    fn missing_or_misplaced_parts_are_rejected() {
        assert_eq!(FilingNumber::parse(""), Err(FilingNumberError::Empty));
        assert_eq!(FilingNumber::parse("  "), Err(FilingNumberError::Empty));
        assert_eq!(FilingNumber::parse("京ICP备12345678"), Err(FilingNumberError::MissingHao));
        assert_eq!(FilingNumber::parse("京ICP备12345678-1"), Err(FilingNumberError::MissingHao));
        assert_eq!(FilingNumber::parse("京ICP案12345678号"), Err(FilingNumberError::Malformed));
        assert_eq!(FilingNumber::parse("京IPC备12345678号"), Err(FilingNumberError::Malformed));
        assert_eq!(FilingNumber::parse("京ICP备12345678号1"), Err(FilingNumberError::Malformed));
        assert_eq!(FilingNumber::parse("京ICP备12345678号 -1"), Err(FilingNumberError::Malformed));
    }

    #[test]
    fn serial_length_is_checked() {
        assert_eq!(FilingNumber::parse("京ICP备123号"), Err(FilingNumberError::SerialInvalid));
        assert_eq!(FilingNumber::parse("京ICP备1234567890123号"), Err(FilingNumberError::SerialInvalid));
        assert_eq!(FilingNumber::parse("京ICP备号"), Err(FilingNumberError::SerialInvalid));
        assert_eq!(FilingNumber::parse("京ICP备1234a5678号"), Err(FilingNumberError::SerialInvalid));
    }

    #[test]
    fn website_index_must_be_positive() {
        for input in [
            "京ICP备12345678号-0",
            "京ICP备12345678号-01",
            "京ICP备12345678号-",
            "京ICP备12345678号--1",
            "京ICP备12345678号-+1",
            "京ICP备12345678号-1a",
            "京ICP备12345678号-4294967296",
        ] {
            assert_eq!(FilingNumber::parse(input), Err(FilingNumberError::WebsiteIndexInvalid), "{input}");
        }
    }

    #[test]
    fn junk_is_rejected() {
        for input in ["hello", "12345678", "京", "京I", "京ICP", "京ICP备", "京😀", "😀ICP备12345678号"]
        {
            assert!(FilingNumber::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn province_lookups() {
        assert_eq!(province_code_of_abbreviation('京'), Some("110000"));
        assert_eq!(province_code_of_abbreviation('新'), Some("650000"));
        assert_eq!(province_code_of_abbreviation('港'), None);
        assert_eq!(province_code_of_abbreviation('A'), None);
        assert!(is_province_code("440000"));
        assert!(!is_province_code("440100"));
        assert!(!is_province_code("810000"));
        assert!(!is_province_code(""));
    }

    #[test]
    fn province_table_is_consistent() {
        for (abbreviation, code) in PROVINCES {
            assert_eq!(province_code_of_abbreviation(abbreviation), Some(code));
            assert!(is_province_code(code));
            assert!(code.len() == 6 && code.ends_with("0000"), "{code}");
        }
        let mut codes: Vec<_> = PROVINCES.iter().map(|(_, code)| *code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), PROVINCES.len());
        let mut abbreviations: Vec<_> = PROVINCES.iter().map(|(c, _)| *c).collect();
        abbreviations.sort_unstable();
        abbreviations.dedup();
        assert_eq!(abbreviations.len(), PROVINCES.len());
    }
}
