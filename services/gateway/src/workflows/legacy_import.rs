//! SPEC §4 import (导入): a logged-in caller gives a legacy login's email and password,
//! and the legacy subject with its websites enters the caller's account. One step and
//! no flow: legacy-migration keys the import by the legacy filing and the account, so a
//! retry after a lost answer answers the same import, and another account's try is
//! LEGACY_ALREADY_IMPORTED without saying whose. Every 002 §6.3 outcome (and wrong
//! credentials, the lock, a filing to claim instead) is legacy-migration's refusal,
//! passed on with its reason and messages. Each legacy email locks alone, so attempts are
//! also capped per client address and day (CLIENT_LIMIT), counted before the password is
//! checked: one address cannot try a password across many legacy emails.

use crate::{
    error::Error,
    model::{
        account::SessionToken,
        client::Client,
        legacy_import::{LegacyCredentials, LegacyImported},
    },
    peers::{IdentityRecovery, LegacyMigration},
    quota::DailyQuota,
};

#[derive(Debug, Clone)]
pub struct LegacyImport {
    pub(super) identity: IdentityRecovery,
    pub(super) legacy: LegacyMigration,
    pub(super) quota: DailyQuota,
}

impl LegacyImport {
    /// Imports into the session's account.
    pub async fn import(
        &self,
        session: &SessionToken,
        credentials: LegacyCredentials,
        client: &Client,
    ) -> Result<LegacyImported, Error> {
        let caller = self.identity.resolve_session(session).await?;
        self.quota.take(client.ip).await?;
        self.legacy.import(credentials, &caller.account_id, client).await
    }
}
