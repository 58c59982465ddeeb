//! Completing an account lookup (SPEC §1 step 3): the code was right, so the login name
//! goes to the account's bound mobile and email; the caller only ever sees it masked.

use beian_common::masking::MaskedMobile;

use super::IdentityRecovery;
use crate::{
    accounts::Account,
    error::Error,
    locale::Locale,
    peers::{self, Channel, Notice, NoticeContent},
};

/// A validated CompleteAccountLookup. No `Debug`: the proof is a bearer secret.
pub struct LookupRequest {
    pub proof: String,
    pub account_id: String,
    pub locale: Locale,
    /// The normalised mobile the code went to; the proof must be for it.
    pub destination: String,
    /// The gateway's flow id: names the proof's redemption and the notices' keys.
    pub request_id: String,
}

/// Where the login name went. No `Debug`: destinations are in the clear.
pub struct LookupDone {
    pub account: Account,
    pub sent_to: Vec<(Channel, String)>,
}

impl IdentityRecovery {
    /// The account is read first, so an unknown one never spends the user's proof. The
    /// proof's redemption queues both notices in one transaction, idempotent on
    /// `request_id` (the redemption key, the notices' keys): the gateway retries a lookup
    /// whose answer was lost and nothing is sent twice.
    pub async fn complete_account_lookup(&self, request: LookupRequest) -> Result<LookupDone, Error> {
        let account = self.account(&request.account_id).await?;
        let sent_to: Vec<(Channel, String)> =
            [(Channel::Sms, &account.mobile), (Channel::Email, &account.email)]
                .into_iter()
                .filter(|(_, destination)| !destination.trim().is_empty())
                .map(|(channel, destination)| (channel, destination.clone()))
                .collect();
        if sent_to.is_empty() {
            return Err(Error::internal(format!("account {} has no contact", account.account_id)));
        }
        // the notices are queued with the proof's redemption: both go, or neither does
        let notices = sent_to
            .iter()
            .map(|(channel, destination)| Notice {
                idempotency_key: format!("{}:login-name:{}", request.request_id, peers::key_part(*channel)),
                channel: *channel,
                destination,
                locale: request.locale,
                content: NoticeContent::LoginName { login_name: &account.login_name },
            })
            .collect();
        self.verification_codes
            .redeem_lookup_proof(&request.proof, &request.destination, &request.request_id, notices)
            .await?;
        tracing::info!(
            account_id = %account.account_id,
            destination = %MaskedMobile(&request.destination),
            notices = sent_to.len(),
            "login name sent"
        );
        Ok(LookupDone { account, sent_to })
    }
}
