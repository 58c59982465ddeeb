//! filing-registry over gRPC, as the gateway and identity-recovery call it: on SQLite by
//! default, on PostgreSQL with `BEIAN_TEST_DATABASE=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

mod adoption;
mod domain_checks;
mod fake_codes;
mod fake_identity;
mod new_websites;
mod orders;
mod passwords;
mod support;
mod transfers;
