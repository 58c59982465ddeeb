//! One-time proofs: what a correct code yields, redeemable once for its
//! purpose (and destination) by another service of the suite.

mod redeem;
pub mod store;

pub use redeem::Redeem;
pub(crate) use redeem::{Spend, Spent};
