//! The platform every beian service is built on: configuration, telemetry,
//! serving, clients to the other services, storage and errors. Nothing here
//! knows a service's domain.

pub mod app;
pub mod backoff;
pub mod bulk;
pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod hashing;
pub mod host;
pub mod metrics;
pub mod sealing;
pub mod shutdown;
pub mod status;
pub mod storage;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wire;

/// Every binary and test of the suite links this crate, so this is its allocator.
/// mimalloc over glibc's: the load run's health checks +50 %, account-lookup starts
/// +20 %, code sends +1–16 % (README, "Load"); glibc's malloc and free were 8 % of a
/// verify run's samples.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
