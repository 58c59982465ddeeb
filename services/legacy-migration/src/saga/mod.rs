//! The saga that moves a legacy filing into a current account (import or claim):
//! 1. a PENDING `migrations` row (its unique filing number decides who of two
//!    concurrent imports goes on: the other finds the row);
//! 2. filing-registry `AdoptLegacySubject` keyed by the migration id (a retry answers the
//!    subject the first call made);
//! 3. the row DONE with the subject id.
//!
//! The request that inserted the row drives it at once, holding it for a lease; a crash
//! or an outage at any step leaves it PENDING, and the resume worker (`worker.rs`) drives
//! it again once the lease or back-off passed. Each step repeated does nothing twice.
//! A refusal no retry can change (the account took a subject, a domain is filed on the
//! current platform) abandons the row, so the filing stays free.

pub mod store;
pub mod worker;

use std::time::Duration;

use beian_platform::{
    error::Common,
    status::{ErrorReason, reason_of},
    storage::{Database, duration_millis, now_millis},
};

use crate::{error::Error, legacy::store as legacy, peers::FilingRegistry};

/// Why a legacy filing moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Import,
    Claim,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "IMPORT",
            Self::Claim => "CLAIM",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Import, Self::Claim].into_iter().find(|kind| kind.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Done,
}

impl State {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "PENDING" => Some(Self::Pending),
            "DONE" => Some(Self::Done),
            _ => None,
        }
    }
}

/// A `migrations` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub migration_id: String,
    pub filing_number: String,
    pub kind: Kind,
    pub account_id: String,
    pub state: State,
    pub subject_id: Option<String>,
    pub case_number: Option<String>,
    /// Attempts so far, the current one included.
    pub attempts: u32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// How often and how persistently PENDING rows are driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SagaPace {
    /// Due rows are looked for this often.
    pub poll_interval: Duration,
    /// How long a driver holds a row; longer than one attempt (two peer calls at most),
    /// so a row is taken over only when its driver died.
    pub lease: Duration,
    /// The wait after the first failure, doubled after each further one (at most 10 min).
    pub retry_base: Duration,
}

impl Default for SagaPace {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            retry_base: Duration::from_secs(1),
        }
    }
}

/// filing-registry's refusals of an adoption that a retry cannot change.
const FINAL_REFUSALS: &[ErrorReason] = &[
    ErrorReason::AccountAlreadyHoldsSubject,
    ErrorReason::LegacyAlreadyImported,
    ErrorReason::DomainAlreadyFiled,
    ErrorReason::InvalidArgument,
];

/// Whether `error` is filing-registry refusing the adoption for good.
pub fn is_final(error: &Error) -> bool {
    let Error::Common(Common::Refused(status)) = error else { return false };
    reason_of(status).is_some_and(|reason| FINAL_REFUSALS.contains(&reason))
}

#[derive(Debug, Clone)]
pub struct Saga {
    db: Database,
    registry: FilingRegistry,
    pace: SagaPace,
}

impl Saga {
    pub fn new(db: Database, registry: FilingRegistry, pace: SagaPace) -> Self {
        Self { db, registry, pace }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn registry(&self) -> &FilingRegistry {
        &self.registry
    }

    pub fn pace(&self) -> SagaPace {
        self.pace
    }

    /// Until when a row inserted or claimed now is held.
    pub fn lease_until(&self, now_ms: i64) -> i64 {
        now_ms.saturating_add(duration_millis(self.pace.lease))
    }

    /// Steps 2 and 3 for a PENDING row (a DONE one is answered as it is). A final refusal
    /// abandons the row and is answered; any other failure leaves it PENDING.
    pub async fn drive(&self, migration: Migration) -> Result<Migration, Error> {
        if migration.state == State::Done {
            return Ok(migration);
        }
        let subject =
            legacy::legacy_subject(self.db.reader(), &migration.filing_number).await?.ok_or_else(|| {
                Error::internal(format!("legacy filing of migration {} vanished", migration.migration_id))
            })?;
        let adopted = self
            .registry
            .adopt(&migration.migration_id, &migration.account_id, &subject, migration.kind)
            .await;
        let subject_id = match adopted {
            Ok(subject_id) => subject_id,
            Err(error) if is_final(&error) => {
                tracing::info!(migration_id = %migration.migration_id, %error, "adoption refused; migration abandoned");
                store::abandon(&mut *self.db.writer().await?, &migration.migration_id).await?;
                return Err(error);
            }
            Err(error) => return Err(error),
        };
        let done = store::mark_done(
            &mut *self.db.writer().await?,
            &migration.migration_id,
            &subject_id,
            now_millis(),
        )
        .await?
        .ok_or_else(|| Error::internal(format!("migration {} vanished", migration.migration_id)))?;
        tracing::info!(migration_id = %done.migration_id, kind = done.kind.as_str(), "legacy filing migrated");
        Ok(done)
    }

    /// A request's own drive: on a failure short of a final refusal the row goes to the
    /// resume worker after the first back-off instead of the whole lease, and the failure
    /// is answered (the caller may retry).
    pub async fn drive_or_hand_over(&self, migration: Migration) -> Result<Migration, Error> {
        let id = migration.migration_id.clone();
        match self.drive(migration).await {
            Err(error) if !is_final(&error) => {
                let at = now_millis()
                    .saturating_add(duration_millis(beian_platform::backoff::delay(self.pace.retry_base, 1)));
                let reason: String = error.to_string().chars().take(200).collect();
                store::reschedule(&mut *self.db.writer().await?, &id, at, &reason).await?;
                Err(error)
            }
            driven => driven,
        }
    }
}
