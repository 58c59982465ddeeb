//! A holder's subject and its move to another account, as the transfer workflow sees them.

use serde::{Deserialize, Serialize};

/// The subject an account holds, as a transfer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldFiling {
    pub filing_number: String,
    pub order_in_progress: bool,
}

/// A finished transfer (masked data only: kept in the flow to answer retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDone {
    pub filing_number: String,
    pub masked_target_login_name: String,
    pub transferred_at_ms: i64,
}
