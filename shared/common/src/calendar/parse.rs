//! The holiday schedule text format, so schedules are edited as data.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use thiserror::Error;

use super::DayKind;

/// Why a schedule text was rejected; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("line {line}: expected `YYYY-MM-DD[..YYYY-MM-DD] holiday|workday`, found `{text}`")]
    Malformed { line: usize, text: String },
    #[error("line {line}: `{text}` is not a YYYY-MM-DD date")]
    InvalidDate { line: usize, text: String },
    #[error("line {line}: unknown day kind `{kind}`, expected `holiday` or `workday`")]
    UnknownKind { line: usize, kind: String },
    #[error("line {line}: range end {end} is before its start {start}")]
    ReversedRange { line: usize, start: NaiveDate, end: NaiveDate },
    #[error("line {line}: {date} is already listed on line {first_line}")]
    DuplicateDate { line: usize, date: NaiveDate, first_line: usize },
}

/// Every date the text lists, with its kind.
pub(super) fn listed_days(text: &str) -> Result<HashMap<NaiveDate, DayKind>, CalendarError> {
    let mut listed = HashMap::new();
    let mut listed_on_line = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
        if content.is_empty() {
            continue;
        }
        let (start, end, kind) = parse_entry(line, content)?;
        if end < start {
            return Err(CalendarError::ReversedRange { line, start, end });
        }
        for date in start.iter_days().take_while(|date| *date <= end) {
            match listed_on_line.entry(date) {
                Entry::Occupied(first) => {
                    return Err(CalendarError::DuplicateDate { line, date, first_line: *first.get() });
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                    listed.insert(date, kind);
                }
            }
        }
    }
    Ok(listed)
}

/// One non-empty, comment-free line: `(first, last, kind)`.
fn parse_entry(line: usize, content: &str) -> Result<(NaiveDate, NaiveDate, DayKind), CalendarError> {
    let mut fields = content.split_whitespace();
    let (Some(dates), Some(kind), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err(CalendarError::Malformed { line, text: content.to_owned() });
    };
    let kind = match kind {
        "holiday" => DayKind::Holiday,
        "workday" => DayKind::Workday,
        other => {
            return Err(CalendarError::UnknownKind { line, kind: other.to_owned() });
        }
    };
    let (start, end) = match dates.split_once("..") {
        Some((start, end)) => (parse_date(line, start)?, parse_date(line, end)?),
        None => {
            let date = parse_date(line, dates)?;
            (date, date)
        }
    };
    Ok((start, end, kind))
}

/// Strictly `YYYY-MM-DD`, so the data file stays uniform.
fn parse_date(line: usize, text: &str) -> Result<NaiveDate, CalendarError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == "YYYY-MM-DD".len())
        .ok_or_else(|| CalendarError::InvalidDate { line, text: text.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    #[test]
    fn reads_single_days_ranges_and_comments() {
        let text = "\
# 2030 schedule

2030-01-01 holiday   # 元旦
2030-02-02..2030-02-04 holiday
  2030-02-09 workday
";
        let listed = listed_days(text).expect("valid schedule");
        assert_eq!(listed.len(), 5);
        assert_eq!(listed[&date(2030, 1, 1)], DayKind::Holiday);
        assert_eq!(listed[&date(2030, 2, 3)], DayKind::Holiday);
        assert_eq!(listed[&date(2030, 2, 4)], DayKind::Holiday);
        assert_eq!(listed[&date(2030, 2, 9)], DayKind::Workday);
        assert!(!listed.contains_key(&date(2030, 2, 5)));
    }

    #[test]
    fn empty_text_lists_nothing() {
        assert_eq!(listed_days("").expect("empty is valid").len(), 0);
        assert_eq!(listed_days("# only\n\n   \n").expect("comments").len(), 0);
    }

    #[test]
    fn malformed_lines_name_their_line() {
        assert_eq!(
            listed_days("2030-01-01 holiday\n\n2030-01-02\n"),
            Err(CalendarError::Malformed { line: 3, text: "2030-01-02".to_owned() })
        );
        assert_eq!(
            listed_days("2030-01-01 holiday extra"),
            Err(CalendarError::Malformed { line: 1, text: "2030-01-01 holiday extra".to_owned() })
        );
    }

    #[test]
    fn bad_dates_and_kinds_name_their_line() {
        assert_eq!(
            listed_days("# header\n2030-02-30 holiday"),
            Err(CalendarError::InvalidDate { line: 2, text: "2030-02-30".to_owned() })
        );
        assert_eq!(
            listed_days("2030-1-1 holiday"),
            Err(CalendarError::InvalidDate { line: 1, text: "2030-1-1".to_owned() })
        );
        assert_eq!(
            listed_days("2030-01-01..2030-01 holiday"),
            Err(CalendarError::InvalidDate { line: 1, text: "2030-01".to_owned() })
        );
        assert_eq!(
            listed_days("\n\n2030-01-01 vacation"),
            Err(CalendarError::UnknownKind { line: 3, kind: "vacation".to_owned() })
        );
    }

    #[test]
    fn reversed_range_is_rejected() {
        assert_eq!(
            listed_days("2030-01-05..2030-01-01 holiday"),
            Err(CalendarError::ReversedRange { line: 1, start: date(2030, 1, 5), end: date(2030, 1, 1) })
        );
    }

    #[test]
    fn date_listed_as_holiday_and_workday_is_rejected() {
        let text = "2030-02-02..2030-02-04 holiday\n# make-up\n2030-02-03 workday\n";
        assert_eq!(
            listed_days(text),
            Err(CalendarError::DuplicateDate { line: 3, date: date(2030, 2, 3), first_line: 1 })
        );
    }

    #[test]
    fn repeated_or_overlapping_entries_are_rejected() {
        assert_eq!(
            listed_days("2030-01-01 holiday\n2030-01-01 holiday"),
            Err(CalendarError::DuplicateDate { line: 2, date: date(2030, 1, 1), first_line: 1 })
        );
        assert_eq!(
            listed_days("2030-01-01..2030-01-03 holiday\n2030-01-03..2030-01-04 holiday"),
            Err(CalendarError::DuplicateDate { line: 2, date: date(2030, 1, 3), first_line: 1 })
        );
    }

    #[test]
    fn error_message_names_line_and_problem() {
        let error = listed_days("2030-01-01 holiday\n2030-01-01 workday").expect_err("duplicate");
        assert_eq!(error.to_string(), "line 2: 2030-01-01 is already listed on line 1");
    }
}
