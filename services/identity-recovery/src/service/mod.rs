//! The domain operations of identity-recovery, free of any wire format: accounts here,
//! logins and sessions in `login.rs` (lock notices in `lock_notices.rs`, housekeeping in
//! `sweep.rs`), the account lookup in `lookup.rs`, password resets in `reset.rs`, review
//! cases in `reviews.rs` and the effects of their decisions in `effects.rs`.

mod effects;
pub mod lock_notices;
mod login;
mod lookup;
mod reset;
mod reviews;
pub mod sweep;

use std::sync::Arc;

use beian_common::calendar::BusinessCalendar;
use beian_platform::storage::Database;
use tokio::sync::Notify;

pub use effects::{EffectPace, EffectWorker};
pub use login::LoginAttempt;
pub use lookup::{LookupDone, LookupRequest};
pub use reset::{ResetDone, ResetRequest};

use crate::{
    accounts::{self, Account, guard::GuardPolicy, password::Hashing},
    error::Error,
    peers::VerificationCodes,
    sessions::SessionPolicy,
};

/// How logins are guarded and sessions kept.
#[derive(Debug, Clone)]
pub struct LoginRules {
    pub guard: GuardPolicy,
    pub sessions: SessionPolicy,
    pub hashing: Hashing,
    /// Verified against when a login name is unknown, so both failures take as long;
    /// made once at start.
    pub decoy_hash: String,
}

#[derive(Debug, Clone)]
pub struct IdentityRecovery {
    db: Database,
    verification_codes: VerificationCodes,
    /// Business days for review deadlines; built once at start.
    calendar: Arc<BusinessCalendar>,
    guard: GuardPolicy,
    sessions: SessionPolicy,
    hashing: Hashing,
    decoy_hash: Arc<String>,
    /// Wakes the lock notifier when a lock asks for a notice.
    lock_notices: Arc<Notify>,
    /// Rung after a decision, so the effect worker starts on it at once.
    effects_doorbell: Arc<Notify>,
}

impl IdentityRecovery {
    pub fn new(
        db: Database,
        verification_codes: VerificationCodes,
        calendar: BusinessCalendar,
        rules: LoginRules,
    ) -> Self {
        Self {
            db,
            verification_codes,
            calendar: Arc::new(calendar),
            guard: rules.guard,
            sessions: rules.sessions,
            hashing: rules.hashing,
            decoy_hash: Arc::new(rules.decoy_hash),
            lock_notices: Arc::new(Notify::new()),
            effects_doorbell: Arc::new(Notify::new()),
        }
    }

    /// What the effect worker waits on besides its poll interval.
    pub fn effects_doorbell(&self) -> Arc<Notify> {
        self.effects_doorbell.clone()
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn guard_policy(&self) -> &GuardPolicy {
        &self.guard
    }

    pub fn session_policy(&self) -> &SessionPolicy {
        &self.sessions
    }

    pub async fn find_account(&self, login_name: &str) -> Result<Account, Error> {
        accounts::store::find_by_login_name(self.db.reader(), login_name).await?.ok_or(Error::AccountNotFound)
    }

    pub async fn account(&self, account_id: &str) -> Result<Account, Error> {
        accounts::store::find_by_id(self.db.reader(), account_id).await?.ok_or(Error::AccountNotFound)
    }
}
