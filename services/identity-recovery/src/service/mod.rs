//! The domain operations of identity-recovery, free of any wire format: accounts and
//! sessions here, the account lookup in `lookup.rs`, password resets in `reset.rs`, review
//! cases in `reviews.rs`.

mod effects;
mod lookup;
mod reset;
mod reviews;

use std::sync::{Arc, OnceLock};

use tokio::sync::Notify;

use beian_common::{calendar::BusinessCalendar, masking::MaskedLoginName};
use beian_platform::storage::{Database, now_millis};

pub use effects::{EffectPace, EffectWorker};
pub use lookup::{LookupDone, LookupRequest};
pub use reset::{ResetDone, ResetRequest};

use crate::{
    accounts::{self, Account, password},
    error::Error,
    peers::VerificationCodes,
    sessions::{self, SESSION_LIFETIME, Session, SessionToken},
};

#[derive(Debug, Clone)]
pub struct IdentityRecovery {
    db: Database,
    verification_codes: VerificationCodes,
    /// Business days for review deadlines; built once at start.
    calendar: Arc<BusinessCalendar>,
    /// Verified against when a login name is unknown, so both failures take as long.
    decoy_hash: Arc<OnceLock<String>>,
    /// Rung after a decision, so the effect worker starts on it at once.
    effects_doorbell: Arc<Notify>,
}

impl IdentityRecovery {
    pub fn new(db: Database, verification_codes: VerificationCodes, calendar: BusinessCalendar) -> Self {
        Self {
            db,
            verification_codes,
            calendar: Arc::new(calendar),
            decoy_hash: Arc::new(OnceLock::new()),
            effects_doorbell: Arc::new(Notify::new()),
        }
    }

    /// What the effect worker waits on besides its poll interval.
    pub fn effects_doorbell(&self) -> Arc<Notify> {
        self.effects_doorbell.clone()
    }

    /// Checks login name and password; opens a session.
    pub async fn login(&self, login_name: &str, password_text: &str) -> Result<(Session, Account), Error> {
        let found = accounts::store::find_with_hash_by_login_name(self.db.reader(), login_name).await?;
        let Some((account, hash)) = found else {
            let decoy = self.decoy_hash().await?;
            password::verify(password_text.to_owned(), decoy).await?;
            tracing::info!(login_name = %MaskedLoginName(login_name), "login refused: unknown login name");
            return Err(Error::LoginFailed);
        };
        if !password::verify(password_text.to_owned(), hash).await? {
            tracing::info!(account_id = %account.account_id, "login refused: wrong password");
            return Err(Error::LoginFailed);
        }
        let token = SessionToken::generate();
        let now = now_millis();
        let expires_at_ms = now + i64::try_from(SESSION_LIFETIME.as_millis()).unwrap_or(i64::MAX);
        sessions::store::insert(
            self.db.writer(),
            &sessions::token_hash(token.expose()),
            &account.account_id,
            now,
            expires_at_ms,
        )
        .await?;
        tracing::info!(account_id = %account.account_id, "logged in");
        Ok((Session { token, expires_at_ms }, account))
    }

    pub async fn logout(&self, token: &str) -> Result<(), Error> {
        sessions::store::delete(self.db.writer(), &sessions::token_hash(token)).await
    }

    /// The account of a live session.
    pub async fn resolve_session(&self, token: &str) -> Result<Account, Error> {
        let account_id =
            sessions::store::live_account_id(self.db.reader(), &sessions::token_hash(token), now_millis())
                .await?
                .ok_or(Error::SessionRequired)?;
        self.account(&account_id).await
    }

    pub async fn find_account(&self, login_name: &str) -> Result<Account, Error> {
        accounts::store::find_by_login_name(self.db.reader(), login_name).await?.ok_or(Error::AccountNotFound)
    }

    pub async fn account(&self, account_id: &str) -> Result<Account, Error> {
        accounts::store::find_by_id(self.db.reader(), account_id).await?.ok_or(Error::AccountNotFound)
    }

    async fn decoy_hash(&self) -> Result<String, Error> {
        if let Some(hash) = self.decoy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = password::hash(SessionToken::generate().expose().to_owned()).await?;
        Ok(self.decoy_hash.get_or_init(|| hash).clone())
    }
}
