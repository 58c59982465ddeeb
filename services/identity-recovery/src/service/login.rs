//! Logging in, guarded: Argon2 work bounded by permits (excess is shed), a cap of
//! failed logins per client address, and brute-force detection per login name that
//! treats an unknown name exactly like a known one (same statements, same Argon2 work
//! against a decoy hash, same answers, same lock). Sessions: staff ones are shorter
//! and end when idle.

use std::{net::IpAddr, time::Duration};

use beian_common::masking::MaskedLoginName;
use beian_platform::storage::{duration_millis, now_millis};

use super::IdentityRecovery;
use crate::{
    accounts::{self, Account, guard, password::Hashing},
    error::Error,
    locale::Locale,
    sessions::{self, Session, SessionToken},
};

/// A validated Login. No `Debug`: it holds a password and a login name.
pub struct LoginAttempt {
    pub login_name: String,
    pub password: String,
    /// The client's address as the gateway resolved it: the per-client cap counts under it.
    pub client_ip: IpAddr,
    /// The language of the lock notice, should this attempt lock the account.
    pub locale: Locale,
}

/// The time from `now_ms` to `until_ms`, at least a second (RetryInfo's useful minimum).
fn retry_after(until_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(until_ms.saturating_sub(now_ms)).unwrap_or(0))
        .max(Duration::from_secs(1))
}

impl IdentityRecovery {
    /// Checks login name and password; opens a session. The order matters: the permit
    /// first (a shed login has counted nothing), then the caps, each counted before the
    /// password is checked so that racing guesses cannot check more than allowed.
    pub async fn login(&self, attempt: LoginAttempt) -> Result<(Session, Account), Error> {
        let permit = self
            .hashing
            .admit()
            .await
            .inspect_err(|_| tracing::warn!("login shed: every hashing permit is busy"))?;
        let name = MaskedLoginName(&attempt.login_name);
        let found =
            accounts::store::find_with_hash_by_login_name(self.db.reader(), &attempt.login_name).await?;
        let now = now_millis();

        let client = guard::client_key(attempt.client_ip);
        let (window_start, window_end) = guard::client_window(&self.guard, now);
        let client_failures =
            guard::claim_client_failure(&mut *self.db.writer().await?, &client, window_start).await?;
        if client_failures > i64::from(self.guard.client_failures_per_window) {
            guard::give_back_client_failure(&mut *self.db.writer().await?, &client, window_start).await?;
            tracing::info!(login_name = %name, "login refused: the client's cap of failed logins is reached");
            return Err(Error::ClientLimit { retry_after: retry_after(window_end, now) });
        }

        let key = guard::failure_key(&attempt.login_name);
        guard::forget_stale_streak(&mut *self.db.writer().await?, &key, &self.guard, now).await?;
        let account_id = found.as_ref().map(|(account, _)| account.account_id.as_str());
        let Some(claimed) = guard::claim_failure(
            &mut *self.db.writer().await?,
            &key,
            account_id,
            &self.guard,
            now,
            attempt.locale.as_str(),
        )
        .await?
        else {
            let until = guard::locked_until(self.db.reader(), &key).await?;
            tracing::info!(login_name = %name, "login refused: locked after repeated failures");
            return Err(Error::AccountLocked { retry_after: retry_after(until, now) });
        };

        let (account, hash) = match found {
            Some((account, hash)) => (Some(account), hash),
            None => (None, self.decoy_hash.as_ref().clone()),
        };
        let matches = Hashing::verify(permit, attempt.password, hash).await?;
        match account {
            Some(account) if matches => {
                guard::reset(&mut *self.db.writer().await?, &key).await?;
                guard::give_back_client_failure(&mut *self.db.writer().await?, &client, window_start).await?;
                self.open_session(account).await
            }
            _ => {
                if claimed.locked_until_ms == 0 {
                    tracing::info!(login_name = %name, failures = claimed.failures, "login refused: wrong credentials");
                    return Err(Error::LoginFailed);
                }
                // the failure that first locks the streak holds the notice: now it is due
                if claimed.failures == i64::from(self.guard.failure_factor) {
                    guard::mark_notice_due(&mut *self.db.writer().await?, &key, claimed.streak_started_at_ms)
                        .await?;
                    self.lock_notices.notify_one();
                }
                tracing::info!(login_name = %name, failures = claimed.failures, "login refused and locked");
                Err(Error::AccountLocked { retry_after: retry_after(claimed.locked_until_ms, now) })
            }
        }
    }

    async fn open_session(&self, account: Account) -> Result<(Session, Account), Error> {
        let token = SessionToken::generate();
        let now = now_millis();
        let (lifetime, idle_timeout) = self.sessions.for_account(account.staff);
        let expires_at_ms = now.saturating_add(duration_millis(lifetime));
        sessions::store::insert(
            &mut *self.db.writer().await?,
            &sessions::token_hash(token.expose()),
            &account.account_id,
            now,
            expires_at_ms,
            duration_millis(idle_timeout),
        )
        .await?;
        tracing::info!(account_id = %account.account_id, staff = account.staff, "logged in");
        Ok((Session { token, expires_at_ms }, account))
    }

    pub async fn logout(&self, token: &str) -> Result<(), Error> {
        sessions::store::delete(&mut *self.db.writer().await?, &sessions::token_hash(token)).await
    }

    /// The account of a live session. A session with an idle timeout records its use,
    /// but only when the last record is older than a minute (or half its timeout), so
    /// most calls only read.
    pub async fn resolve_session(&self, token: &str) -> Result<Account, Error> {
        let token_hash = sessions::token_hash(token);
        let now = now_millis();
        let live =
            sessions::store::live(self.db.reader(), &token_hash, now).await?.ok_or(Error::SessionRequired)?;
        if live.idle_timeout_ms > 0
            && now.saturating_sub(live.last_seen_at_ms) >= sessions::touch_after_ms(live.idle_timeout_ms)
        {
            sessions::store::touch(&mut *self.db.writer().await?, &token_hash, now).await?;
        }
        self.account(&live.account_id).await
    }
}
