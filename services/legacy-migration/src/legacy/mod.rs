//! The legacy platform's logins, filings and migrations as stored, how its passwords
//! are checked, and how guessing them is limited.

pub mod details;
pub mod guard;
pub mod password;
pub mod store;
