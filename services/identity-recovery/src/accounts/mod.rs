//! Accounts of the current platform: who they are, how they log in.

pub mod bulk;
pub mod guard;
pub mod password;
pub mod resets;
pub mod store;

use std::fmt;

pub use beian_common::vocabulary::Site;

/// An account as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub account_id: String,
    pub login_name: String,
    pub site: Site,
    pub mobile: String,
    pub email: String,
    pub staff: bool,
}

impl fmt::Debug for Account {
    /// Personal data stays masked even in debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use beian_common::masking::{MaskedEmail, MaskedLoginName, MaskedMobile};
        f.debug_struct("Account")
            .field("account_id", &self.account_id)
            .field("login_name", &MaskedLoginName(&self.login_name))
            .field("site", &self.site)
            .field("mobile", &MaskedMobile(&self.mobile))
            .field("email", &MaskedEmail(&self.email))
            .field("staff", &self.staff)
            .finish()
    }
}

/// The key login names are looked up by: trimmed and lower-cased.
pub fn login_name_key(login_name: &str) -> String {
    login_name.trim().to_lowercase()
}
