//! Staff review cases as the gateway handles them: what an applicant sends (checked
//! here before anything is forwarded or stored), the ticket they get back, and the
//! masked case staff see. identity-recovery owns the cases.

use std::fmt;

pub use beian_common::documents::ContentType;
use beian_common::{
    documents::{self, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS},
    vocabulary::{CertificateType, DocumentKind, Nature, ReviewKind, ReviewState},
};
use beian_platform::status::ErrorReason;
use serde::{Deserialize, Serialize};

use super::new_filing::Region;
use crate::error::Error;

/// Largest application message: every document at its largest plus the form.
pub const MAX_APPLICATION_BYTES: usize = MAX_DOCUMENTS * MAX_DOCUMENT_BYTES + 1024 * 1024;

/// A document, checked. `Debug` shows its size, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentKind,
    pub content_type: ContentType,
    pub content: Vec<u8>,
}

impl Document {
    /// Checks the upload at `index`: DOCUMENT_REJECTED (naming `documents[index]`) unless
    /// the shared rules accept it ([`documents::check`]).
    pub fn accept(index: usize, kind: DocumentKind, declared: &str, content: Vec<u8>) -> Result<Self, Error> {
        match documents::check(declared, &content) {
            Ok(content_type) => Ok(Self { kind, content_type, content }),
            Err(rejection) => Err(Error::DocumentRejected {
                field: format!("documents[{index}]"),
                description: rejection.to_string(),
            }),
        }
    }

    /// At most [`MAX_DOCUMENTS`]: DOCUMENT_REJECTED naming `documents` otherwise.
    pub fn check_count(count: usize) -> Result<(), Error> {
        if count > MAX_DOCUMENTS {
            return Err(Error::DocumentRejected {
                field: "documents".into(),
                description: format!("at most {MAX_DOCUMENTS} documents"),
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("kind", &self.kind)
            .field("content_type", &self.content_type)
            .field("size_bytes", &self.content.len())
            .finish()
    }
}

/// Who applies, as they typed it (identity-recovery validates it fully and masks it).
#[derive(Clone, PartialEq, Eq)]
pub struct Applicant {
    pub name: String,
    pub certificate_type: Option<CertificateType>,
    pub certificate_number: String,
    /// Normalised mainland mobile.
    pub mobile: String,
    pub email: String,
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use beian_common::masking::{mask_email, mask_mobile};
        f.debug_struct("Applicant")
            .field("mobile", &mask_mobile(&self.mobile))
            .field("email", &mask_email(&self.email))
            .finish_non_exhaustive()
    }
}

/// An application for a staff review.
#[derive(Debug, Clone)]
pub struct Application {
    pub kind: ReviewKind,
    pub applicant: Applicant,
    /// Account lookups: the account holding the filing, whose login name an approval sends.
    pub holder_account_id: Option<String>,
    pub domain: String,
    /// The filing the case is about, when the applicant names it by number.
    pub filing: Option<FilingDetails>,
    /// Offline transfers: which filing moves to which account.
    pub transfer: Option<TransferDetails>,
    /// Legacy claims: the legacy filing claimed (the claiming account is `holder_account_id`).
    pub claim: Option<ClaimDetails>,
    /// Legacy login resets: the subject's nature and region and the new login email.
    pub legacy_login: Option<LegacyLoginDetails>,
    pub description: String,
    pub documents: Vec<Document>,
}

/// An offline transfer as its applicant asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferDetails {
    /// Canonical subject or website number.
    pub filing_number: String,
    /// Fixes which documents the case needs.
    pub nature: Nature,
    /// The UID of the account the filing moves to.
    pub target_account_id: String,
}

/// A legacy filing as its claim names it: the number legacy-migration recognised and the
/// subject details typed (the certificate decides which documents the case needs).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDetails {
    pub filing_number: String,
    pub nature: Nature,
    pub region: Region,
    pub certificate_type: CertificateType,
    pub certificate_number: String,
}

impl fmt::Debug for ClaimDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimDetails")
            .field("filing_number", &self.filing_number)
            .field("nature", &self.nature)
            .field("certificate_number", &beian_common::masking::mask_id_number(&self.certificate_number))
            .finish_non_exhaustive()
    }
}

/// A legacy login reset (SPEC §2) as its applicant asks for it; the filing's number and
/// certificate travel as [`FilingDetails`].
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyLoginDetails {
    /// Fixes which documents the case needs.
    pub nature: Nature,
    /// City and district codes, six digits each, compared with the legacy filing's
    /// (legacy-migration's CheckLegacyFilingDetails); the province is the filing details'.
    pub city_code: String,
    pub district_code: String,
    /// Normalised; replaces the legacy login email once approved.
    pub new_login_email: String,
    /// The subject's or a website's principal: no authorisation letter needed. As checked
    /// against the legacy filing's principal, not as sent.
    pub applicant_is_principal: bool,
}

impl fmt::Debug for LegacyLoginDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacyLoginDetails")
            .field("nature", &self.nature)
            .field("new_login_email", &beian_common::masking::mask_email(&self.new_login_email))
            .field("applicant_is_principal", &self.applicant_is_principal)
            .finish_non_exhaustive()
    }
}

/// A filing as an applicant identifies it: number, province and the subject's certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct FilingDetails {
    /// Canonical (`京ICP备12345678号`, or a website's `…号-1`).
    pub filing_number: String,
    pub province_code: String,
    pub certificate_type: CertificateType,
    pub certificate_number: String,
}

impl fmt::Debug for FilingDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilingDetails")
            .field("filing_number", &self.filing_number)
            .field("province_code", &self.province_code)
            .field("certificate_type", &self.certificate_type)
            .field("certificate_number", &beian_common::masking::mask_id_number(&self.certificate_number))
            .finish()
    }
}

/// A case as its applicant sees it (kept in the flow to answer a retried request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTicket {
    pub case_number: String,
    pub kind: ReviewKind,
    pub state: ReviewState,
    pub submitted_at_ms: i64,
    pub deadline_at_ms: i64,
    /// Staff's note, shown only on a rejection.
    pub rejection_note: Option<String>,
    /// Why a COMPLETED case's effect could not be carried out (an offline transfer whose
    /// rule no longer held). Not kept in flows: they keep the ticket as opened, pending.
    #[serde(skip)]
    pub failure_reason: Option<ErrorReason>,
}

/// A document attached to a case, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRef {
    pub document_id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size_bytes: i64,
}

/// A case as staff see it (masked by identity-recovery already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCase {
    pub ticket: ReviewTicket,
    pub masked_applicant_name: String,
    pub masked_applicant_mobile: String,
    pub masked_applicant_email: String,
    pub masked_certificate_number: String,
    pub domain: String,
    pub filing_number: String,
    pub masked_new_login_email: String,
    pub description: String,
    pub documents: Vec<DocumentRef>,
    pub decided_by: String,
    pub decided_at_ms: Option<i64>,
    /// Still pending after its deadline.
    pub overdue: bool,
}

/// What a staff audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ViewCase,
    ViewDocument,
    Approve,
    Reject,
    EffectApplied,
}

/// One entry of a case's audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// Staff account id; empty for the suite's own entries.
    pub actor: String,
    pub action: AuditAction,
    pub document_id: String,
    pub note: String,
}

/// A staff decision on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub case_number: String,
    pub approve: bool,
    pub note: String,
}

/// Which cases of the queue to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    /// None: every kind.
    pub kind: Option<ReviewKind>,
    /// None: pending.
    pub state: Option<ReviewState>,
    pub page_size: i32,
    pub page_token: String,
    /// Only cases past their deadline.
    pub overdue_only: bool,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub cases: Vec<StaffCase>,
    pub next_page_token: String,
}

/// A document's bytes as staff download it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub kind: DocumentKind,
    pub content_type: String,
    pub content: Vec<u8>,
}

impl fmt::Debug for StoredDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredDocument")
            .field("kind", &self.kind)
            .field("size_bytes", &self.content.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(result: Result<Document, Error>) -> String {
        match result {
            Err(Error::DocumentRejected { field, description }) => format!("{field}: {description}"),
            other => panic!("not rejected: {other:?}"),
        }
    }

    #[test]
    fn documents_are_checked_by_their_bytes() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0].to_vec();
        let doc = Document::accept(0, DocumentKind::Other, "IMAGE/PNG; x=y", png.clone());
        assert!(matches!(doc, Ok(Document { content_type: ContentType::Png, .. })), "{doc:?}");
        assert!(Document::accept(1, DocumentKind::Other, "application/pdf", b"%PDF-1.7".to_vec()).is_ok());
        assert!(
            rejected(Document::accept(2, DocumentKind::Other, "image/jpeg", png)).starts_with("documents[2]")
        );
        assert!(
            rejected(Document::accept(0, DocumentKind::Other, "image/png", b"GIF89a".to_vec()))
                .contains("JPEG, PNG or PDF")
        );
        assert!(
            rejected(Document::accept(0, DocumentKind::Other, "image/gif", b"GIF89a".to_vec()))
                .contains("content_type")
        );
        assert!(
            rejected(Document::accept(0, DocumentKind::Other, "image/png", Vec::new())).contains("empty")
        );
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(MAX_DOCUMENT_BYTES + 1, 0);
        assert!(rejected(Document::accept(0, DocumentKind::Other, "image/jpeg", big)).contains("5 MiB"));
    }

    #[test]
    fn at_most_ten_documents() {
        assert!(Document::check_count(MAX_DOCUMENTS).is_ok());
        assert!(Document::check_count(MAX_DOCUMENTS + 1).is_err());
    }
}
