//! A new filing's details (开始备案: region, nature, certificate, domain) and what the
//! registry and the legacy platform hold of them, as CheckFilingType and the claim decide
//! from them (the decision table is in ARCHITECTURE.md's legacy section).

use std::fmt;

use beian_common::vocabulary::{CertificateType, LegacyAction, Nature};
use serde::{Deserialize, Serialize};

/// Province, city and district codes (GB/T 2260), all three as the form asks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
}

/// The subject details and domain of a new filing or a claim, normalised.
#[derive(Clone, PartialEq, Eq)]
pub struct NewFilingDetails {
    pub region: Region,
    pub nature: Nature,
    pub certificate_type: CertificateType,
    /// Upper-cased, separators removed.
    pub certificate_number: String,
    /// Lower case, punycode, no `www.`.
    pub domain: String,
}

impl fmt::Debug for NewFilingDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewFilingDetails")
            .field("region", &self.region)
            .field("nature", &self.nature)
            .field("certificate_type", &self.certificate_type)
            .field("certificate_number", &beian_common::masking::mask_id_number(&self.certificate_number))
            .field("domain", &self.domain)
            .finish()
    }
}

/// What a new filing is (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilingType {
    /// 首次备案
    First,
    /// 新增网站
    NewWebsite,
    /// 接入备案
    Access,
    /// 认领备案
    Claim,
}

/// A legacy filing with the details given (masked by legacy-migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyMatch {
    pub action: LegacyAction,
    pub masked_legacy_email: String,
    /// The domain is one of the filing's.
    pub domain_matches: bool,
    pub summary: LegacySummary,
}

/// A legacy filing as a person may see it before claiming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacySummary {
    pub filing_number: String,
    pub nature: Nature,
    pub region: Region,
    pub certificate_type: CertificateType,
    pub masked_certificate_number: String,
    pub masked_principal_name: String,
}

/// Where the domain is filed in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainFiling {
    NotFiled,
    Active,
    AccessCancelled,
}

/// What the registry holds of the details, for the caller's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryMatch {
    pub holds_subject: bool,
    pub held_subject_matches: bool,
    pub details_held_elsewhere: bool,
    pub domain: DomainFiling,
    pub domain_in_held_subject: bool,
}
