//! What a legacy filing needs before it can be managed on the current
//! platform, decided by when it was submitted (seed 000, SPEC §4).

pub use beian_common::vocabulary::LegacyAction;
use chrono::NaiveDate;

/// The legacy platform's cut-over dates: before the first, claim; from the
/// first through the last, import; after the last, nothing.
const CLAIM_BEFORE: (i32, u32, u32) = (2010, 6, 1);
const IMPORT_THROUGH: (i32, u32, u32) = (2017, 1, 31);

fn date((year, month, day): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

pub fn action(submitted_on: NaiveDate, moved_away: bool, migrated: bool) -> LegacyAction {
    if migrated {
        LegacyAction::AlreadyMigrated
    } else if submitted_on < date(CLAIM_BEFORE) {
        if moved_away { LegacyAction::MovedAway } else { LegacyAction::Claim }
    } else if submitted_on <= date(IMPORT_THROUGH) {
        LegacyAction::Import
    } else {
        LegacyAction::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn bands_meet_exactly_at_the_cut_over_dates() {
        assert_eq!(action(on(2010, 5, 31), false, false), LegacyAction::Claim);
        assert_eq!(action(on(2010, 6, 1), false, false), LegacyAction::Import);
        assert_eq!(action(on(2017, 1, 31), false, false), LegacyAction::Import);
        assert_eq!(action(on(2017, 2, 1), false, false), LegacyAction::None);
    }

    #[test]
    fn moved_and_migrated_filings_cannot_be_claimed() {
        assert_eq!(action(on(2008, 3, 2), true, false), LegacyAction::MovedAway);
        assert_eq!(action(on(2008, 3, 2), false, true), LegacyAction::AlreadyMigrated);
        assert_eq!(action(on(2012, 3, 2), false, true), LegacyAction::AlreadyMigrated);
        // moving away only matters for claims
        assert_eq!(action(on(2012, 3, 2), true, false), LegacyAction::Import);
    }
}
