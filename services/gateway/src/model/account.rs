//! Accounts and sessions as the gateway sees them: masked only.

use beian_common::vocabulary::Site;

use super::MaskedContact;

/// The logged-in account as a front end may see it: masked only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    /// Internal id: for the gateway's own records (who decided a review), never sent out.
    pub account_id: String,
    pub masked_login_name: String,
    pub site: Site,
    pub masked_mobile: String,
    pub masked_email: String,
    pub staff: bool,
}

/// A session just opened.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub session_token: SessionToken,
    pub expires_at_ms: i64,
    pub account: AccountView,
}

/// The bearer token of a session. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// A login attempt.
#[derive(Clone)]
pub struct Credentials {
    pub login_name: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("login_name", &beian_common::masking::mask_login_name(&self.login_name))
            .finish_non_exhaustive()
    }
}

/// The account a password reset is for, as the flow keeps it: its id and masked contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTarget {
    pub account_id: String,
    pub contacts: Vec<MaskedContact>,
}

/// An account's full contacts, to send it a code. `Debug` masks them.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountContacts {
    pub mobile: String,
    pub email: String,
}

impl std::fmt::Debug for AccountContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountContacts")
            .field("mobile", &beian_common::masking::mask_mobile(&self.mobile))
            .field("email", &beian_common::masking::mask_email(&self.email))
            .finish()
    }
}

/// A new password as typed: present, at most `password_policy::MAX_CHARS` characters, no
/// control characters (the policy itself is identity-recovery's). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Why the value cannot be a password, if it cannot.
    pub fn parse(value: String) -> Result<Self, &'static str> {
        if value.is_empty() {
            Err("is required")
        } else if value.chars().count() > beian_common::password_policy::MAX_CHARS {
            Err("must be at most 128 characters")
        } else if value.chars().any(char::is_control) {
            Err("must not contain control characters")
        } else {
            Ok(Self(value))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}
