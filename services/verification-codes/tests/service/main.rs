//! verification-codes over gRPC: human checks, codes, caps, proofs, the
//! outbox and its adapters, input validation. On SQLite, or PostgreSQL with
//! BEIAN_TEST_DATABASE=postgres.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

#[path = "../common/mod.rs"]
mod common;

mod codes;
mod human_check;
mod limits;
mod outbox;
mod proofs;
mod rotation;
mod smtp;
mod startup;
mod validation;
mod vendor;
