//! Filed subjects and their websites, as the registry holds them.

pub mod bulk;
pub mod details;
pub mod store;

use std::fmt;

use beian_common::masking::{MaskedEmail, MaskedIdNumber, MaskedMobile};
pub use beian_common::vocabulary::{CertificateType, Nature};

/// Where a website stands with the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebsiteState {
    Active,
    AccessCancelled,
    Deregistered,
}

impl WebsiteState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::AccessCancelled => "ACCESS_CANCELLED",
            Self::Deregistered => "DEREGISTERED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ACTIVE" => Some(Self::Active),
            "ACCESS_CANCELLED" => Some(Self::AccessCancelled),
            "DEREGISTERED" => Some(Self::Deregistered),
            _ => None,
        }
    }
}

/// Province, city and district codes (GB/T 2260).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
}

/// A filed subject with its websites.
#[derive(Clone, PartialEq, Eq)]
pub struct Subject {
    pub subject_id: String,
    pub filing_number: String,
    pub name: String,
    pub nature: Nature,
    pub region: Region,
    /// `beian.common.v1.CertificateType` name without prefix, e.g. `RESIDENT_ID_CARD`.
    pub certificate_type: CertificateType,
    pub certificate_number: String,
    pub principal_name: String,
    pub principal_mobile: String,
    pub principal_email: String,
    /// None once the subject was deregistered (注销): it is nobody's.
    pub holder_account_id: Option<String>,
    pub websites: Vec<Website>,
    pub order_in_progress: bool,
}

impl fmt::Debug for Subject {
    /// Personal data stays masked even in debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("subject_id", &self.subject_id)
            .field("filing_number", &self.filing_number)
            .field("nature", &self.nature)
            .field("certificate_number", &MaskedIdNumber(&self.certificate_number))
            .field("principal_mobile", &MaskedMobile(&self.principal_mobile))
            .field("principal_email", &MaskedEmail(&self.principal_email))
            .field("holder_account_id", &self.holder_account_id)
            .field("websites", &self.websites)
            .field("order_in_progress", &self.order_in_progress)
            .finish_non_exhaustive()
    }
}

/// A filed website with its live domains.
#[derive(Clone, PartialEq, Eq)]
pub struct Website {
    pub website_id: String,
    pub website_number: String,
    pub name: String,
    pub domains: Vec<String>,
    pub state: WebsiteState,
    pub principal_name: String,
    pub principal_mobile: String,
    pub principal_email: String,
}

impl fmt::Debug for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Website")
            .field("website_number", &self.website_number)
            .field("domains", &self.domains)
            .field("state", &self.state)
            .field("principal_mobile", &MaskedMobile(&self.principal_mobile))
            .finish_non_exhaustive()
    }
}
