//! Loading known accounts and review cases (the demo data set, tests) through the
//! service's own store and rules.

use beian_common::calendar::BusinessCalendar;
use beian_platform::storage::{Database, now_millis};

use crate::{
    accounts::{self, Account, Site},
    reviews::{self, NewCase, ReviewCase},
};

/// An account to load, with its password in the clear (hashed on insert).
#[derive(Debug, Clone)]
pub struct SeedAccount {
    pub account_id: &'static str,
    pub login_name: &'static str,
    pub site: Site,
    pub mobile: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub staff: bool,
}

/// Inserts the accounts that are not there yet; answers how many were new.
pub async fn insert_accounts(db: &Database, seeds: &[SeedAccount]) -> anyhow::Result<usize> {
    let mut inserted = 0;
    for seed in seeds {
        let hash = accounts::password::hash(seed.password.to_owned()).await?;
        let account = Account {
            account_id: seed.account_id.to_owned(),
            login_name: seed.login_name.to_owned(),
            site: seed.site,
            mobile: seed.mobile.to_owned(),
            email: seed.email.to_owned(),
            staff: seed.staff,
        };
        if accounts::store::insert_if_absent(&mut *db.writer().await?, &account, &hash, now_millis()).await? {
            inserted += 1;
        }
    }
    Ok(inserted)
}

/// Opens a review case as if submitted at `submitted_at_ms`, through the same rules,
/// numbering and deadline as OpenReviewCase: a queue with history, or a deadline pinned
/// to a known date (weekends, holidays).
pub async fn open_review_case(
    db: &Database,
    calendar: &BusinessCalendar,
    case: NewCase,
    submitted_at_ms: i64,
) -> anyhow::Result<ReviewCase> {
    Ok(reviews::open(db, calendar, case, submitted_at_ms).await?)
}
