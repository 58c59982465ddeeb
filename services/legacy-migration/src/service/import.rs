//! ImportLegacyFiling (SPEC §4, seed 002 §6.3): the logged-in caller gives the legacy
//! login email and password; the legacy subject and its websites enter the caller's
//! account. The checks run in the order a visitor of the legacy platform met them:
//! the credentials (with the lock), activation, whether the login holds a filing at
//! all (or only orders in progress), whether it was imported already (a retry by the
//! same account answers its import again), whether it is an import's to take (not a
//! claim's), whether the account holds a subject; then the saga (`crate::saga`).

use std::time::Duration;

use beian_common::masking::mask_email;
use beian_platform::storage::now_millis;
use tokio::sync::OwnedSemaphorePermit;

use super::{LegacyMigration, action_of};
use crate::{
    eligibility::LegacyAction,
    error::Error,
    legacy::{
        guard,
        password::{self, StoredPassword},
        store::{self as legacy, Login, LoginFiling},
    },
    saga::{self, Kind, Migration, State, store::NewMigration},
};

/// A validated import. No derived `Debug`: the password never prints, the email masked.
#[derive(Clone)]
pub struct ImportRequest {
    pub login_email: String,
    pub password: String,
    pub account_id: String,
}

impl std::fmt::Debug for ImportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRequest")
            .field("login_email", &mask_email(&self.login_email))
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// A finished import, the same for every retry of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub migration_id: String,
    pub subject_id: String,
    pub filing_number: String,
    pub website_count: i32,
    pub imported_at_ms: i64,
}

/// The login's filing an import takes (the first in the import band, none migrated
/// yet), or the refusal the legacy platform answered. A filing moved to another
/// provider, or filed after the cut-over, is nothing to import; an import-band filing
/// already imported makes the login's answer "already imported" even beside a later one.
fn importable(filings: &[LoginFiling]) -> Result<&LoginFiling, Error> {
    let mut claimable = false;
    for filing in filings.iter().filter(|f| f.migration.is_none()) {
        match action_of(filing)? {
            LegacyAction::Import => return Ok(filing),
            LegacyAction::Claim => claimable = true,
            LegacyAction::MovedAway | LegacyAction::None | LegacyAction::AlreadyMigrated => {}
        }
    }
    Err(if claimable {
        Error::MustBeClaimed
    } else if filings.iter().any(|f| f.migration.is_some()) {
        Error::AlreadyImported
    } else {
        Error::NoFiling
    })
}

impl LegacyMigration {
    pub async fn import(&self, request: ImportRequest) -> Result<Imported, Error> {
        let email_key = request.login_email.trim().to_lowercase();
        let login = self.check_credentials(&email_key, request.password).await?;
        if !login.activated {
            return Err(Error::NotActivated);
        }
        let filings = legacy::filings_of_login(self.db.reader(), &login.legacy_login_id).await?;
        if filings.is_empty() {
            return Err(if login.orders_in_progress > 0 {
                Error::OnlyOrdersInProgress
            } else {
                Error::NoFiling
            });
        }
        let account = request.account_id.as_str();
        let own = |kind: &str, holder: &str| kind == Kind::Import.as_str() && holder == account;
        if let Some(mine) = filings.iter().find(|f| f.migration.as_ref().is_some_and(|(k, a)| own(k, a))) {
            // this account's import again (its answer was lost): the same answer
            let migration = saga::store::by_filing(self.db.reader(), &mine.filing_number)
                .await?
                .ok_or_else(|| Error::internal("a migration vanished"))?;
            return self.finish(migration).await;
        }
        let filing = importable(&filings)?;
        if self.saga.registry().holds_subject(account).await? {
            return Err(Error::AccountAlreadyHoldsSubject);
        }
        let now = now_millis();
        let migration_id = uuid::Uuid::new_v4().to_string();
        let inserted = saga::store::insert_pending(
            &mut *self.db.writer().await?,
            &NewMigration {
                migration_id: &migration_id,
                filing_number: &filing.filing_number,
                kind: Kind::Import,
                account_id: account,
                case_number: None,
                now_ms: now,
                lease_until_ms: self.saga.lease_until(now),
            },
        )
        .await?;
        let found = saga::store::by_filing(self.db.reader(), &filing.filing_number).await?;
        match found {
            Some(migration)
                if inserted || (migration.kind == Kind::Import && migration.account_id == account) =>
            {
                self.finish(migration).await
            }
            // another account's import (or a claim) won the race
            _ => Err(Error::AlreadyImported),
        }
    }

    /// Drives the migration to DONE (or answers it DONE) and says what was imported.
    async fn finish(&self, migration: Migration) -> Result<Imported, Error> {
        let done = self.saga.drive_or_hand_over(migration).await?;
        debug_assert_eq!(done.state, State::Done);
        let website_count = legacy::website_count(self.db.reader(), &done.filing_number).await?;
        Ok(Imported {
            subject_id: done
                .subject_id
                .clone()
                .ok_or_else(|| Error::internal("a DONE migration without subject"))?,
            migration_id: done.migration_id,
            filing_number: done.filing_number,
            website_count: i32::try_from(website_count).unwrap_or(i32::MAX),
            imported_at_ms: done.created_at_ms,
        })
    }

    /// The login whose password this is, under a hashing permit (OVERLOADED beyond them,
    /// before anything is counted). Each try is counted before the hash is checked
    /// (LEGACY_LOGIN_LOCKED once the streak reached the policy's limit); an unknown email
    /// is checked against a decoy hash and answered like a wrong password. A right one
    /// ends the streak and, if stored in a legacy format, is re-hashed with the suite's
    /// hash in the same transaction.
    async fn check_credentials(&self, email_key: &str, password: String) -> Result<Login, Error> {
        // shed (OVERLOADED) before the try counts towards the email's lock
        let permit = self.hashing.admit().await.map_err(|_| Error::Overloaded)?;
        let key = guard::failure_key(email_key);
        let now = now_millis();
        if !guard::claim_try(&mut *self.db.writer().await?, &key, &self.guard, now).await? {
            let until = guard::locked_until(self.db.reader(), &key).await?;
            let wait = u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1_000);
            return Err(Error::LoginLocked { retry_after: Duration::from_millis(wait) });
        }
        let login = legacy::login_by_email(self.db.reader(), email_key).await?;
        let stored = login.as_ref().map_or_else(|| self.decoy.clone(), |login| login.password.clone());
        let (matches, suite_hash) = check_and_rehash(permit, password, stored, self.decoy.clone()).await?;
        let Some(login) = login.filter(|_| matches) else {
            return Err(Error::CredentialsIncorrect);
        };
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        guard::reset(&mut *tx, &key).await?;
        if let Some(suite_hash) = suite_hash {
            legacy::rehash_to_suite(&mut *tx, &login.legacy_login_id, &login.password.hash, &suite_hash, now)
                .await?;
        }
        tx.commit().await?;
        drop(writer);
        Ok(login)
    }
}

/// Whether `password` matches, and for a match stored in a legacy format its suite hash;
/// off the async workers (bcrypt and Argon2id are slow on purpose). Every answer costs at
/// least one Argon2id, as an unknown email's check against the decoy does: a wrong
/// password for a fast legacy hash (md5, sha1) also pays one, so timing does not tell a
/// known email from an unknown one (a bcrypt row still takes its own cost longer).
/// The permit moves into the blocking task: a caller that goes away cannot free it while
/// the hash still runs.
async fn check_and_rehash(
    permit: OwnedSemaphorePermit,
    password: String,
    stored: StoredPassword,
    decoy: StoredPassword,
) -> Result<(bool, Option<String>), Error> {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if !password::verify(&password, &stored) {
            if !stored.is_suite() {
                let _ = password::verify(&password, &decoy);
            }
            return Ok((false, None));
        }
        if stored.is_suite() {
            return Ok((true, None));
        }
        beian_common::password::hash(&password).map(|hash| (true, Some(hash))).map_err(Error::internal)
    })
    .await
    .map_err(|e| Error::internal(format!("password task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing(number: &str, submitted_on: &str, moved_away: bool, migrated: bool) -> LoginFiling {
        LoginFiling {
            filing_number: number.into(),
            submitted_on: submitted_on.into(),
            moved_away,
            migration: migrated.then(|| ("IMPORT".into(), "another-account".into())),
        }
    }

    fn refusal(filings: &[LoginFiling]) -> String {
        match importable(filings) {
            Ok(filing) => panic!("{} would be imported", filing.filing_number),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn the_first_import_band_filing_not_migrated_is_taken() {
        let filings = [
            filing("A", "2011-01-01", false, true),
            filing("B", "2009-01-01", false, false),
            filing("C", "2013-01-01", false, false),
            filing("D", "2014-01-01", false, false),
        ];
        assert_eq!(importable(&filings).map(|f| f.filing_number.as_str()).ok(), Some("C"));
    }

    /// A filing that left for another provider can be neither claimed nor imported:
    /// the login holds nothing to import, it is not sent to claim it.
    #[test]
    fn a_filing_moved_away_is_nothing_to_import() {
        assert_eq!(refusal(&[filing("A", "2009-01-10", true, false)]), "NoFiling");
        assert_eq!(refusal(&[filing("A", "2009-01-10", false, false)]), "MustBeClaimed");
    }

    #[test]
    fn an_imported_filing_beside_a_late_one_answers_already_imported() {
        let filings = [filing("A", "2012-01-01", false, true), filing("B", "2017-03-15", false, false)];
        assert_eq!(refusal(&filings), "AlreadyImported");
        assert_eq!(refusal(&[filing("B", "2017-03-15", false, false)]), "NoFiling");
        assert_eq!(refusal(&[filing("A", "2012-01-01", false, true)]), "AlreadyImported");
    }
}
