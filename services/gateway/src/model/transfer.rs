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

/// Who changed a subject's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeActor {
    /// The old holder, online.
    Holder,
    /// Review staff (their account id), approving an offline transfer.
    Staff(String),
    /// The platform: the subject entered it (import, claim, migration).
    System,
}

/// One change of a subject's holder; accounts by UID only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderChange {
    pub filing_number: String,
    /// None when the subject entered the platform.
    pub from_account_id: Option<String>,
    pub to_account_id: String,
    pub actor: ChangeActor,
    pub reason: String,
    pub changed_at_ms: i64,
}

/// Which changes to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryOf {
    /// The subject of a canonical subject or website filing number.
    FilingNumber(String),
    /// Every change an account took part in, and those of the subject it holds now.
    Party(String),
}

/// A page request; filing-registry checks the size and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub of: HistoryOf,
    pub page_size: i32,
    pub page_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    pub changes: Vec<HolderChange>,
    /// Empty on the last page.
    pub next_page_token: String,
}
