//! Which uploads a case accepts: JPEG, PNG or PDF as their first bytes show (the declared
//! type alone proves nothing), non-empty, at most 5 MiB each and 10 per case.

use std::fmt;

use super::DocumentKind;
use crate::error::Error;

/// Largest accepted document (the contract's "at most 5 MiB").
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// Most documents one case carries; the kinds any rule needs fit with room for extras.
pub const MAX_DOCUMENTS: usize = 10;

/// An accepted file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Jpeg,
    Png,
    Pdf,
}

impl ContentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Pdf].into_iter().find(|kind| kind.as_str() == text)
    }

    /// The type the file's signature shows, if it is one we accept.
    pub fn sniff(content: &[u8]) -> Option<Self> {
        const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
        const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        const PDF: &[u8] = b"%PDF-";
        [(JPEG, Self::Jpeg), (PNG, Self::Png), (PDF, Self::Pdf)]
            .into_iter()
            .find_map(|(magic, kind)| content.starts_with(magic).then_some(kind))
    }
}

/// A document as uploaded, checked. `Debug` shows its size, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    pub kind: DocumentKind,
    pub content_type: ContentType,
    pub content: Vec<u8>,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("kind", &self.kind)
            .field("content_type", &self.content_type)
            .field("size_bytes", &self.content.len())
            .finish()
    }
}

/// Checks the upload at `index` (named `documents[index]` in errors): DOCUMENT_REJECTED
/// unless it is a non-empty JPEG, PNG or PDF of at most 5 MiB whose bytes match the
/// declared type (compared case-insensitively, parameters such as `; charset` ignored).
pub fn accept(index: usize, kind: DocumentKind, declared: &str, content: Vec<u8>) -> Result<Upload, Error> {
    let reject = |description: &str| Error::DocumentRejected {
        field: format!("documents[{index}]"),
        description: description.to_owned(),
    };
    if content.is_empty() {
        return Err(reject("is empty"));
    }
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(reject("must be at most 5 MiB"));
    }
    let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let declared = ContentType::parse(&declared)
        .ok_or_else(|| reject("content_type must be image/jpeg, image/png or application/pdf"))?;
    match ContentType::sniff(&content) {
        Some(found) if found == declared => Ok(Upload { kind, content_type: found, content }),
        Some(_) => Err(reject("content does not match its content_type")),
        None => Err(reject("must be a JPEG, PNG or PDF file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        b"\x89PNG\r\n\x1a\nrest".to_vec()
    }

    #[test]
    fn signatures_decide_the_type() {
        assert_eq!(ContentType::sniff(&png()), Some(ContentType::Png));
        assert_eq!(ContentType::sniff(b"\xFF\xD8\xFF\xE0jfif"), Some(ContentType::Jpeg));
        assert_eq!(ContentType::sniff(b"%PDF-1.7"), Some(ContentType::Pdf));
        assert_eq!(ContentType::sniff(b"GIF89a"), None);
        assert_eq!(ContentType::sniff(b""), None);
    }

    #[test]
    fn accepts_matching_uploads() {
        let upload = accept(0, DocumentKind::IdCardFront, " Image/PNG ", png()).expect("a png");
        assert_eq!(upload.content_type, ContentType::Png);
        assert!(!format!("{upload:?}").contains("PNG"), "debug shows no bytes");
    }

    #[test]
    fn rejects_and_names_the_document() {
        let cases: [(&str, Vec<u8>); 4] = [
            ("image/png", Vec::new()),
            ("image/gif", png()),
            ("image/jpeg", png()),
            ("image/png", b"plain text".to_vec()),
        ];
        for (declared, content) in cases {
            match accept(3, DocumentKind::Other, declared, content) {
                Err(Error::DocumentRejected { field, .. }) => assert_eq!(field, "documents[3]"),
                other => panic!("{declared}: {other:?}"),
            }
        }
        let mut big = png();
        big.resize(MAX_DOCUMENT_BYTES + 1, 0);
        assert!(matches!(
            accept(0, DocumentKind::Other, "image/png", big),
            Err(Error::DocumentRejected { .. })
        ));
        let mut largest = png();
        largest.resize(MAX_DOCUMENT_BYTES, 0);
        assert!(accept(0, DocumentKind::Other, "image/png", largest).is_ok());
    }
}
