//! What the gateway's workflows hold of the other services' answers: domain
//! values, converted from and to the wire in `peers` and `grpc`.

/// Where a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

/// A contact as a person may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedContact {
    pub channel: Channel,
    pub masked: String,
}

/// What the legacy platform needs first (SPEC §4, by submission date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyAction {
    None,
    Claim,
    Import,
    AlreadyMigrated,
    MovedAway,
}

/// A legacy filing of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyStatus {
    pub action: LegacyAction,
    /// (year, month, day)
    pub submitted_on: (i32, i32, i32),
}

/// The current filing of a domain, as the lookup may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingFound {
    pub holder_account_id: String,
    pub masked_mobile: String,
}

/// A slider puzzle to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanChallenge {
    pub challenge_id: String,
    pub background_png: Vec<u8>,
    pub piece_png: Vec<u8>,
    pub piece_y: i32,
    pub width: i32,
    pub height: i32,
    pub expires_at_ms: i64,
}

/// A person's answer to the human check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HumanAnswer {
    Slider { challenge_id: String, x: i32, drag_millis: i32 },
    VendorToken(String),
}

/// A passed human check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanPass {
    pub token: String,
    pub expires_at_ms: i64,
}

/// What a code is for; its proof serves nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    AccountLookup,
}

/// A code that went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSent {
    pub code_id: String,
    pub masked_destination: String,
    pub expires_at_ms: i64,
    pub resend_at_ms: i64,
}

/// A finished account lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupDone {
    pub masked_login_name: String,
    pub sent_to: Vec<MaskedContact>,
}
