//! Staff review cases: what an applicant asks staff to decide, with identity documents
//! and a deadline in business days.

pub(crate) mod audit;
pub(crate) mod decisions;
pub(crate) mod documents;
pub(crate) mod effects;
pub(crate) mod gauges;
pub(crate) mod numbering;
mod open;
pub(crate) mod page;
mod rules;
pub(crate) mod store;

use std::fmt;

use beian_common::{
    filing_number::FilingNumber,
    masking::{MaskedEmail, MaskedIdNumber, MaskedMobile, mask_name},
};

pub use beian_common::vocabulary::{CertificateType, DocumentKind, Nature, ReviewKind, ReviewState};
pub use beian_platform::status::ErrorReason;
pub use documents::{ContentType, Upload};
pub(crate) use open::open;

use crate::locale::Locale;

/// A certificate: its type and its number, normalised (upper-case, no spaces or hyphens).
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    pub kind: CertificateType,
    pub number: String,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("kind", &self.kind)
            .field("number", &MaskedIdNumber(&self.number))
            .finish()
    }
}

/// Province, city and district codes (GB/T 2260).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
}

/// Who applies and how staff reach them; contacts normalised.
#[derive(Clone, PartialEq, Eq)]
pub struct Applicant {
    pub name: String,
    pub certificate: Option<Certificate>,
    pub mobile: String,
    pub email: Option<String>,
}

impl fmt::Debug for Applicant {
    /// Personal data stays masked even in debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applicant")
            .field("name", &mask_name(&self.name))
            .field("certificate", &self.certificate)
            .field("mobile", &MaskedMobile(&self.mobile))
            .field("email", &self.email.as_deref().map(MaskedEmail))
            .finish()
    }
}

/// What the case asks staff to decide; the kind fixes which fields are required.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct CaseSubject {
    /// Normalised (punycoded, lower-case, without `www.`).
    pub domain: Option<String>,
    pub filing_number: Option<FilingNumber>,
    pub nature: Option<Nature>,
    pub region: Option<Region>,
    /// The filed subject's certificate.
    pub certificate: Option<Certificate>,
    /// Legacy login reset: the email that replaces the legacy login.
    pub new_login_email: Option<String>,
    /// Offline transfer: the account the filing moves to.
    pub target_account_id: Option<String>,
    /// Claims: the account the claimed filing joins.
    pub account_id: Option<String>,
    pub description: String,
    /// The applicant is the subject's or a website's principal: no authorisation letter.
    pub applicant_is_principal: bool,
}

impl fmt::Debug for CaseSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseSubject")
            .field("domain", &self.domain)
            .field("filing_number", &self.filing_number.as_ref().map(ToString::to_string))
            .field("nature", &self.nature)
            .field("certificate", &self.certificate)
            .field("new_login_email", &self.new_login_email.as_deref().map(MaskedEmail))
            .field("target_account_id", &self.target_account_id)
            .field("account_id", &self.account_id)
            .field("applicant_is_principal", &self.applicant_is_principal)
            .finish_non_exhaustive()
    }
}

/// An application for a review, validated field by field but not yet against its kind's rules.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The caller's idempotency key: a retry answers the case it opened.
    pub request_id: String,
    pub kind: ReviewKind,
    pub applicant: Applicant,
    pub subject: CaseSubject,
    pub documents: Vec<Upload>,
    pub locale: Locale,
}

/// A document attached to a case, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRef {
    pub document_id: String,
    pub kind: DocumentKind,
    pub content_type: ContentType,
    pub size_bytes: i64,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCase {
    pub case_number: String,
    pub kind: ReviewKind,
    pub state: ReviewState,
    pub applicant: Applicant,
    pub subject: CaseSubject,
    pub documents: Vec<DocumentRef>,
    pub submitted_at_ms: i64,
    pub deadline_at_ms: i64,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
    /// The language of the notices sent about the case.
    pub locale: Locale,
    /// Set on a COMPLETED case whose effect the owning service refused for good (an
    /// offline transfer whose rule no longer holds): what the applicant is told.
    pub failure_reason: Option<ErrorReason>,
}

impl ReviewCase {
    /// Still pending after its deadline.
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.state == ReviewState::Pending && self.deadline_at_ms < now_ms
    }
}
