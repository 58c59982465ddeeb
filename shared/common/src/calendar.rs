//! Business-day calendar for staff review deadlines ("reviewed within 1–2
//! business days"). Weekends are off, public holidays are off, and make-up
//! working days (调休上班) on a weekend are worked; the holiday list is data.

mod parse;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};

pub use parse::CalendarError;

/// China Standard Time. Mainland China has no daylight saving time.
const CHINA_TIME: FixedOffset = FixedOffset::east_opt(8 * 3600).expect("+08:00 is in range");

/// Deadlines fall at the last millisecond of the due day, China time.
const END_OF_DAY: NaiveTime =
    NaiveTime::from_hms_milli_opt(23, 59, 59, 999).expect("23:59:59.999 is a valid time");

/// The PRC schedule shipped with the crate; see the file for its format.
const CHINA_SCHEDULE: &str = include_str!("../data/cn-holidays.txt");

/// How a listed date deviates from the weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayKind {
    /// A public holiday: not worked, even on a weekday.
    Holiday,
    /// A make-up working day: worked, even on a weekend.
    Workday,
}

/// Which dates are business days: Monday to Friday, except listed holidays,
/// plus listed make-up workdays.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    listed: HashMap<NaiveDate, DayKind>,
}

impl BusinessCalendar {
    /// Monday to Friday, with no holidays.
    pub fn weekends_only() -> Self {
        Self { listed: HashMap::new() }
    }

    /// The PRC State Council schedule from `data/cn-holidays.txt`, parsed on
    /// each call (build it once and share it).
    pub fn china_default() -> Self {
        Self::parse(CHINA_SCHEDULE).expect("shipped data/cn-holidays.txt parses; a test checks it")
    }

    /// Reads the schedule text format: one `YYYY-MM-DD kind` or inclusive
    /// `YYYY-MM-DD..YYYY-MM-DD kind` per line, kind being `holiday` or
    /// `workday`, `#` starting a comment. A date may be listed only once.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        Ok(Self { listed: parse::listed_days(text)? })
    }

    /// The last year the schedule lists any day of (None: weekends only). The State
    /// Council publishes each year's schedule late in the year before; past the last
    /// listed year deadlines count weekends only, so operators watch this.
    pub fn last_listed_year(&self) -> Option<i32> {
        self.listed.keys().map(Datelike::year).max()
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        match self.listed.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th business day strictly after `from`; for `n == 0`, `from`
    /// itself if it is a business day, else the next one. Saturates at
    /// [`NaiveDate::MAX`] rather than failing past the end of the calendar.
    pub fn add_business_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let is_business_day = |date: &NaiveDate| self.is_business_day(*date);
        let found = match n {
            0 => from.iter_days().find(is_business_day),
            n => from.iter_days().skip(1).filter(is_business_day).nth(n as usize - 1),
        };
        found.unwrap_or(NaiveDate::MAX)
    }

    /// When a review promised "within `n` business days" is due: the end
    /// (23:59:59.999 China time) of the `n`-th business day after the China
    /// date of submission. For `n >= 1` the submission day never counts,
    /// whatever the hour; `n == 0` means by the end of the submission day if
    /// it is a business day, else of the next one. Saturates at
    /// [`DateTime::<Utc>::MAX_UTC`].
    pub fn deadline(&self, submitted_at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        submitted_at
            .naive_utc()
            .checked_add_offset(CHINA_TIME)
            .map(|local| self.add_business_days(local.date(), n).and_time(END_OF_DAY))
            .and_then(|due| due.and_local_timezone(CHINA_TIME).single())
            .map_or(DateTime::<Utc>::MAX_UTC, |due| due.to_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    fn utc(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).expect("valid test timestamp").to_utc()
    }

    #[test]
    fn the_last_listed_year_is_where_the_schedule_ends() {
        assert_eq!(BusinessCalendar::weekends_only().last_listed_year(), None);
        let calendar = BusinessCalendar::parse("2025-12-31 holiday\n2026-01-04 workday\n").expect("parses");
        assert_eq!(calendar.last_listed_year(), Some(2026));
        assert!(BusinessCalendar::china_default().last_listed_year() >= Some(2026));
    }

    #[test]
    fn weekends_are_skipped() {
        let calendar = BusinessCalendar::weekends_only();
        // 2025-01-03 is a Friday.
        assert!(calendar.is_business_day(date(2025, 1, 3)));
        assert!(!calendar.is_business_day(date(2025, 1, 4)));
        assert!(!calendar.is_business_day(date(2025, 1, 5)));
        assert_eq!(calendar.add_business_days(date(2025, 1, 3), 1), date(2025, 1, 6));
        assert_eq!(calendar.add_business_days(date(2025, 1, 3), 3), date(2025, 1, 8));
        assert_eq!(calendar.add_business_days(date(2025, 1, 4), 1), date(2025, 1, 6));
    }

    #[test]
    fn zero_days_is_the_same_or_next_business_day() {
        let calendar = BusinessCalendar::china_default();
        assert_eq!(calendar.add_business_days(date(2025, 1, 3), 0), date(2025, 1, 3));
        assert_eq!(calendar.add_business_days(date(2025, 1, 4), 0), date(2025, 1, 6));
        // 国庆节 2026 runs 10-01..10-07; 10-08 is a Thursday.
        assert_eq!(calendar.add_business_days(date(2026, 10, 1), 0), date(2026, 10, 8));
    }

    #[test]
    fn holidays_are_skipped() {
        let calendar = BusinessCalendar::china_default();
        // 清明节 2025: Fri 04-04 to Sun 04-06.
        assert!(!calendar.is_business_day(date(2025, 4, 4)));
        assert_eq!(calendar.add_business_days(date(2025, 4, 3), 1), date(2025, 4, 7));
        // 劳动节 2025: 05-01..05-05, so Wednesday 04-30 + 2 is Wednesday 05-07.
        assert_eq!(calendar.add_business_days(date(2025, 4, 30), 2), date(2025, 5, 7));
    }

    #[test]
    fn make_up_saturday_is_counted() {
        let calendar = BusinessCalendar::china_default();
        // 2025-02-08 is a Saturday worked after 春节.
        assert!(calendar.is_business_day(date(2025, 2, 8)));
        assert_eq!(calendar.add_business_days(date(2025, 2, 7), 1), date(2025, 2, 8));
        // The same weekday rule without the schedule skips to Monday.
        let plain = BusinessCalendar::weekends_only();
        assert_eq!(plain.add_business_days(date(2025, 2, 7), 1), date(2025, 2, 10));
    }

    #[test]
    fn spring_festival_2026_span() {
        let calendar = BusinessCalendar::china_default();
        // Thu 02-12, Fri 02-13, make-up Sat 02-14, then off 02-15..02-23.
        assert_eq!(calendar.add_business_days(date(2026, 2, 12), 1), date(2026, 2, 13));
        assert_eq!(calendar.add_business_days(date(2026, 2, 12), 2), date(2026, 2, 14));
        assert_eq!(calendar.add_business_days(date(2026, 2, 12), 3), date(2026, 2, 24));
        assert_eq!(calendar.add_business_days(date(2026, 2, 15), 1), date(2026, 2, 24));
        // Make-up Sat 02-28 follows Fri 02-27.
        assert_eq!(calendar.add_business_days(date(2026, 2, 27), 1), date(2026, 2, 28));
    }

    #[test]
    fn deadline_is_end_of_due_day_china_time() {
        let calendar = BusinessCalendar::china_default();
        // Mon 2026-03-02 10:00 China time, due by end of Tue 03-03.
        assert_eq!(
            calendar.deadline(utc("2026-03-02T10:00:00+08:00"), 1),
            utc("2026-03-03T23:59:59.999+08:00")
        );
        assert_eq!(
            calendar.deadline(utc("2026-03-02T10:00:00+08:00"), 0),
            utc("2026-03-02T23:59:59.999+08:00")
        );
    }

    #[test]
    fn deadline_uses_china_date_not_utc_date() {
        let calendar = BusinessCalendar::china_default();
        // 15:00Z is still Wed 2026-09-30 in China, a business day.
        assert_eq!(calendar.deadline(utc("2026-09-30T15:00:00Z"), 0), utc("2026-09-30T15:59:59.999Z"));
        // 17:00Z is 2026-10-01 01:00 in China, the first day of 国庆节.
        assert_eq!(calendar.deadline(utc("2026-09-30T17:00:00Z"), 0), utc("2026-10-08T15:59:59.999Z"));
        assert_eq!(calendar.deadline(utc("2026-09-30T17:00:00Z"), 1), utc("2026-10-08T15:59:59.999Z"));
        // Make-up Sat 10-10 is the next business day after Fri 10-09.
        assert_eq!(calendar.deadline(utc("2026-09-30T17:00:00Z"), 3), utc("2026-10-10T15:59:59.999Z"));
    }

    #[test]
    fn deadline_saturates_at_the_end_of_time() {
        let calendar = BusinessCalendar::weekends_only();
        assert_eq!(calendar.deadline(DateTime::<Utc>::MAX_UTC, 1), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn parsed_schedule_overrides_the_weekday_rule() {
        let calendar = BusinessCalendar::parse(
            "2030-01-01 holiday # Tuesday off\n2030-01-05 workday # Saturday worked\n",
        )
        .expect("valid schedule");
        assert!(!calendar.is_business_day(date(2030, 1, 1)));
        assert!(calendar.is_business_day(date(2030, 1, 5)));
        assert!(!calendar.is_business_day(date(2030, 1, 6)));
        assert_eq!(
            BusinessCalendar::parse("2030-01-01 holiday\nnot a line").map(|_| ()),
            Err(CalendarError::Malformed { line: 2, text: "not a line".to_owned() })
        );
    }

    #[test]
    fn shipped_schedule_parses_and_covers_2025_and_2026() {
        let calendar = BusinessCalendar::china_default();
        for kind in [DayKind::Holiday, DayKind::Workday] {
            for year in [2025, 2026] {
                assert!(
                    calendar.listed.iter().any(|(day, listed)| day.year() == year && *listed == kind),
                    "{year} has no {kind:?} entries"
                );
            }
        }
        assert!(!calendar.is_business_day(date(2025, 1, 1)));
        assert!(!calendar.is_business_day(date(2026, 1, 1)));
        assert!(calendar.is_business_day(date(2026, 1, 4)));
    }

    #[test]
    fn shipped_make_up_workdays_are_all_weekend_days() {
        let calendar = BusinessCalendar::china_default();
        for (day, kind) in &calendar.listed {
            if *kind == DayKind::Workday {
                assert!(
                    matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                    "{day} is listed as a workday but is a {}",
                    day.weekday()
                );
            }
        }
    }
}
