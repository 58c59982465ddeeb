//! The legacy platform's logins, filings and migrations as stored.

pub mod details;
pub mod store;
