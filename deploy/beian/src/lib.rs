//! The suite launcher behind `beian up`, also used by the suite's tests to
//! start all five services in-process.

pub mod demo;
pub mod dev;
pub mod platform;
mod runtimes;
pub mod secret_key;
pub mod suite;

pub use suite::{Addresses, Databases, RunningSuite, SERVICES, SuiteSettings};
