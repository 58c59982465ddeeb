//! The synthetic data set of load runs, shared with the suite's replica test.

pub mod seed;
