//! Per-client quotas of gateway requests, counted in the gateway's own database:
//! one counter per client, action and China calendar day, raised by one atomic
//! upsert that refuses at the limit, so racing requests cannot overrun it.

pub mod store;

use std::{net::IpAddr, time::Duration};

use beian_platform::storage::{Database, now_millis};

use crate::error::Error;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Windows follow the China calendar day (UTC+8), as people there count days.
const CHINA_OFFSET_MS: i64 = 8 * 60 * 60 * 1000;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaAction {
    /// RequestAccountLookupReview.
    AccountLookupReview,
    /// RequestFilingPasswordReview.
    FilingPasswordReview,
    /// GetReviewStatus.
    ReviewStatusLookup,
    /// SubmitOfflineTransfer (opens a review case too).
    OfflineTransfer,
    /// SubmitLegacyLoginReset (opens a review case too).
    LegacyLoginReset,
    /// ImportLegacyFiling (a legacy password checked).
    LegacyImport,
}

impl QuotaAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountLookupReview => "ACCOUNT_LOOKUP_REVIEW",
            Self::FilingPasswordReview => "FILING_PASSWORD_REVIEW",
            Self::ReviewStatusLookup => "REVIEW_STATUS_LOOKUP",
            Self::OfflineTransfer => "OFFLINE_TRANSFER_REVIEW",
            Self::LegacyLoginReset => "LEGACY_LOGIN_RESET_REVIEW",
            Self::LegacyImport => "LEGACY_IMPORT",
        }
    }
}

/// A daily allowance per client address.
#[derive(Debug, Clone)]
pub struct DailyQuota {
    db: Database,
    action: QuotaAction,
    per_day: u32,
}

impl DailyQuota {
    pub fn new(db: Database, action: QuotaAction, per_day: u32) -> Self {
        Self { db, action, per_day }
    }

    /// Uses one of `client`'s requests today; CLIENT_LIMIT (retry at the next day) when none is left.
    pub async fn take(&self, client: IpAddr) -> Result<(), Error> {
        let now = now_millis();
        let window_start_ms = day_start(now);
        let retry_after = Duration::from_millis(u64::try_from(window_start_ms + DAY_MS - now).unwrap_or(0));
        if self.per_day == 0 {
            return Err(Error::ClientLimit { retry_after });
        }
        let taken = store::take(
            &mut *self.db.writer().await?,
            &client.to_string(),
            self.action.as_str(),
            window_start_ms,
            i64::from(self.per_day),
        )
        .await?;
        if taken { Ok(()) } else { Err(Error::ClientLimit { retry_after }) }
    }
}

/// The start of the China calendar day holding `now_ms`.
fn day_start(now_ms: i64) -> i64 {
    (now_ms + CHINA_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - CHINA_OFFSET_MS
}

/// Counters of days that ended before `now_ms` count nothing any more.
pub async fn forget_past_days(db: &Database, now_ms: i64) -> Result<u64, Error> {
    store::delete_before(&mut *db.writer().await?, day_start(now_ms)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_china_midnight() {
        // 2026-03-01T15:59:59Z is 23:59:59 in China; a second later the next day starts
        let before = 1_772_380_799_000;
        assert_eq!(day_start(before), 1_772_294_400_000); // 2026-02-28T16:00:00Z
        assert_eq!(day_start(before + 1000), 1_772_380_800_000);
    }
}
