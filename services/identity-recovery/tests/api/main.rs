//! identity-recovery over gRPC, as the gateway calls it: on SQLite by default, on
//! PostgreSQL with `BEIAN_TEST_DATABASE=postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

mod cases;
mod deadlines;
mod decisions;
mod fake_codes;
mod fake_registry;
mod login;
mod lookup;
mod masking;
mod offline_transfer;
mod open_cases;
mod queue;
mod reset;
mod support;
