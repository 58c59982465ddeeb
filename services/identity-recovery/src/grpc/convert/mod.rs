//! Domain ↔ wire conversions and input validation: accounts here, the account lookup in
//! `lookup.rs`, password resets in `reset.rs`, review cases in `review_in.rs` (requests) and `review_out.rs` (masked answers).

pub mod lookup;
pub mod reset;
pub mod review_in;
pub mod review_out;

use beian_common::masking::{mask_email, mask_login_name, mask_mobile};
use beian_platform::wire::{enums::to_wire, required_text};
use beian_proto::identity_recovery::v1 as pb;

use crate::{accounts::Account, error::Error, locale::Locale, service::LoginAttempt};

pub fn account_summary(account: &Account) -> pb::AccountSummary {
    pb::AccountSummary {
        account_id: account.account_id.clone(),
        masked_login_name: mask_login_name(&account.login_name),
        site: to_wire(account.site),
        masked_mobile: mask_mobile(&account.mobile),
        masked_email: mask_email(&account.email),
        staff: account.staff,
    }
}

pub fn login_attempt(request: pb::LoginRequest) -> Result<LoginAttempt, Error> {
    let login_name = login_name(&request.login_name)?.to_owned();
    let password = password(&request.password)?.to_owned();
    let client_ip = request
        .client_ip
        .trim()
        .parse()
        .map_err(|_| Error::invalid("client_ip", "must be the client's IPv4 or IPv6 address"))?;
    let locale = locale(&request.locale)?;
    Ok(LoginAttempt { login_name, password, client_ip, locale })
}

pub fn login_name(value: &str) -> Result<&str, Error> {
    required_text(value, 128).map_err(|d| Error::invalid("login_name", d))
}

pub fn password(value: &str) -> Result<&str, Error> {
    if value.is_empty() {
        return Err(Error::invalid("password", "is required"));
    }
    if value.len() > 256 {
        return Err(Error::invalid("password", "must be at most 256 bytes"));
    }
    Ok(value)
}

pub fn session_token(value: &str) -> Result<&str, Error> {
    required_text(value, 128).map_err(|d| Error::invalid("session_token", d))
}

pub fn account_id(value: &str) -> Result<&str, Error> {
    required_text(value, 64).map_err(|d| Error::invalid("account_id", d))
}

/// Empty means zh-CN; languages without notice templates are refused.
pub fn locale(value: &str) -> Result<Locale, Error> {
    Locale::parse(value).ok_or_else(|| Error::invalid("locale", "must be zh-CN or en"))
}
