//! Resetting the password of a current account (找回密码), the last step of the gateway's
//! password-reset workflow: the code was right, so the new password is checked against
//! the policy (seed 003) and the old password, set, every session of the account ends, and
//! the account's mobile and email are told.

use beian_common::password_policy::{self, Violation};
use beian_platform::storage::now_millis;

use super::IdentityRecovery;
use crate::{
    accounts::{self, password::Hashing},
    error::Error,
    locale::Locale,
    peers::{self, Channel, Notice, NoticeContent},
    sessions,
};

/// A validated ResetPassword. No `Debug`: proof and password are secrets.
pub struct ResetRequest {
    pub account_id: String,
    pub proof: String,
    /// The channel the code went to; the proof must be for the account's contact on it.
    pub channel: Channel,
    pub new_password: String,
    /// The gateway's flow id: names the proof's redemption, the reset and the notices.
    pub request_id: String,
    pub locale: Locale,
}

/// Where the notice went. No `Debug`: destinations are in the clear.
pub struct ResetDone {
    pub notified: Vec<(Channel, String)>,
}

impl IdentityRecovery {
    /// In this order, so that nothing is spent or changed for a request that fails:
    /// 1. the account and its current hash; a reset already done under `request_id` skips
    ///    to 5 (the retry of a reset whose answer was lost: the new password now *is* the
    ///    old one, so the policy must not be asked again);
    /// 2. the proof is redeemed under `request_id` before the policy is checked, so only a
    ///    holder of a right code can probe how close a password is to the old one; a retry
    ///    with another password after a refusal redeems again under the same key;
    /// 3. the policy: character rules and the common list, then similarity to the old
    ///    password (at most `MAX_SIMILARITY_CANDIDATES` Argon2id verifies);
    /// 4. one transaction whose first statement records the reset (a racing retry loses
    ///    there and changes nothing), then the hash — only if it is still the one checked
    ///    in 3 — and every session of the account;
    /// 5. a PASSWORD_CHANGED notice to the mobile and the email, keyed by `request_id`.
    pub async fn reset_password(&self, request: ResetRequest) -> Result<ResetDone, Error> {
        let (account, old_hash) =
            accounts::store::find_with_hash_by_id(self.db.reader(), &request.account_id)
                .await?
                .ok_or(Error::AccountNotFound)?;
        match accounts::resets::account_of(self.db.reader(), &request.request_id).await? {
            Some(done_for) if done_for != account.account_id => {
                return Err(Error::invalid("request_id", "names a reset of another account"));
            }
            Some(_) => tracing::info!(account_id = %account.account_id, "password reset retried"),
            None => {
                let destination = match request.channel {
                    Channel::Sms => &account.mobile,
                    Channel::Email => &account.email,
                };
                if destination.trim().is_empty() {
                    return Err(Error::invalid("channel", "the account has no contact on this channel"));
                }
                self.verification_codes
                    .redeem_reset_proof(&request.proof, destination, &request.request_id)
                    .await?;
                check_policy(&self.hashing, &request.new_password, &old_hash).await.inspect_err(
                    |refusal| {
                        tracing::info!(account_id = %account.account_id, %refusal, "new password refused");
                    },
                )?;
                let new_hash = self.hashing.hash(request.new_password).await?;
                self.replace_password(&account.account_id, &request.request_id, &old_hash, &new_hash).await?;
            }
        }
        let notified: Vec<(Channel, String)> =
            [(Channel::Sms, &account.mobile), (Channel::Email, &account.email)]
                .into_iter()
                .filter(|(_, destination)| !destination.trim().is_empty())
                .map(|(channel, destination)| (channel, destination.clone()))
                .collect();
        for (channel, destination) in &notified {
            self.verification_codes
                .enqueue_notice(Notice {
                    idempotency_key: format!(
                        "{}:password-changed:{}",
                        request.request_id,
                        peers::key_part(*channel)
                    ),
                    channel: *channel,
                    destination,
                    locale: request.locale,
                    content: NoticeContent::PasswordChanged,
                })
                .await?;
        }
        Ok(ResetDone { notified })
    }

    async fn replace_password(
        &self,
        account_id: &str,
        request_id: &str,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<(), Error> {
        let now = now_millis();
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !accounts::resets::insert(&mut *tx, request_id, account_id, now).await? {
            // a retry of this very reset committed first: it did everything
            tx.rollback().await?;
            drop(writer);
            return Ok(());
        }
        if !accounts::store::replace_password_hash(&mut *tx, account_id, old_hash, new_hash, now).await? {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::internal(format!("the password of {account_id} changed during its reset")));
        }
        let ended = sessions::store::delete_for_account(&mut *tx, account_id).await?;
        tx.commit().await?;
        drop(writer);
        tracing::info!(%account_id, sessions_ended = ended, "password reset");
        Ok(())
    }
}

/// Seed 003's rules: the cheap ones first, the Argon2id verifies last.
async fn check_policy(hashing: &Hashing, new_password: &str, old_hash: &str) -> Result<(), Error> {
    password_policy::check(new_password).map_err(|violation| match violation {
        Violation::TooWeak(unmet) => Error::PasswordTooWeak(unmet),
        Violation::TooCommon => Error::PasswordTooCommon,
    })?;
    if hashing.similar_to_old(new_password.to_owned(), old_hash.to_owned()).await? {
        return Err(Error::PasswordTooSimilar);
    }
    Ok(())
}
