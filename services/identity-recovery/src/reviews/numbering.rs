//! Case numbers people quote (`RV20261122000123`) and deadlines staff work to.

use beian_common::calendar::BusinessCalendar;
use chrono::{DateTime, FixedOffset, Utc};
use rand::Rng;

use super::ReviewKind;
use crate::error::Error;

/// Case numbers carry the China-local submission date: that is the date applicants know.
const CHINA_TIME: i32 = 8 * 3600;

/// `RV` + China-local `yyyymmdd` of submission + 6 random digits. Random rather than a
/// counter, so numbers reveal nothing of the volume; a collision is retried by the caller.
pub fn case_number(submitted_at_ms: i64, rng: &mut impl Rng) -> Result<String, Error> {
    let china = FixedOffset::east_opt(CHINA_TIME).ok_or_else(|| Error::internal("China time offset"))?;
    let submitted = DateTime::<Utc>::from_timestamp_millis(submitted_at_ms)
        .ok_or_else(|| Error::internal(format!("submission time {submitted_at_ms} out of range")))?;
    let date = submitted.with_timezone(&china).format("%Y%m%d");
    Ok(format!("RV{date}{:06}", rng.random_range(0..1_000_000u32)))
}

/// Whether `text` has the shape of a case number, so malformed input is refused as such.
pub fn is_case_number(text: &str) -> bool {
    text.strip_prefix("RV")
        .is_some_and(|digits| digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The end (23:59:59.999 China time) of the last business day `kind` allows after
/// submission, as unix milliseconds.
pub fn deadline(calendar: &BusinessCalendar, kind: ReviewKind, submitted_at_ms: i64) -> Result<i64, Error> {
    let submitted = DateTime::<Utc>::from_timestamp_millis(submitted_at_ms)
        .ok_or_else(|| Error::internal(format!("submission time {submitted_at_ms} out of range")))?;
    Ok(calendar.deadline(submitted, kind.business_days()).timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339).expect("test time").timestamp_millis()
    }

    #[test]
    fn numbers_use_the_china_date() {
        let mut rng = rand::rng();
        // 2026-11-21 17:00 UTC is already 11-22 in China.
        let number = case_number(millis("2026-11-21T17:00:00Z"), &mut rng).expect("a number");
        assert!(number.starts_with("RV20261122"), "{number}");
        assert!(is_case_number(&number), "{number}");
        assert!(!is_case_number("RV2026112200012"));
        assert!(!is_case_number("XX20261122000123"));
        assert!(!is_case_number("RV2026112200012a"));
    }

    #[test]
    fn mid_autumn_friday_is_due_monday() {
        let calendar = BusinessCalendar::china_default();
        let due = deadline(&calendar, ReviewKind::AccountLookup, millis("2026-09-25T10:00:00+08:00"));
        assert_eq!(due.ok(), Some(millis("2026-09-28T23:59:59.999+08:00")));
    }
}
