//! Which uploaded documents the suite accepts, decided once for every service that
//! receives them (the gateway checks before forwarding, identity-recovery before
//! storing): JPEG, PNG or PDF as their first bytes show (the declared type alone
//! proves nothing), non-empty, at most 5 MiB each and 10 per application.

/// Largest accepted document (the contract's "at most 5 MiB").
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// Most documents one application carries.
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

    /// A declared type, compared case-insensitively with parameters such as
    /// `; name=x` ignored; None if not accepted.
    pub fn parse(declared: &str) -> Option<Self> {
        let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        [Self::Jpeg, Self::Png, Self::Pdf].into_iter().find(|kind| kind.as_str() == declared)
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

/// Why a document is refused; the text is the field violation's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("is empty")]
    Empty,
    #[error("must be at most 5 MiB")]
    TooLarge,
    #[error("content_type must be image/jpeg, image/png or application/pdf")]
    TypeNotAccepted,
    #[error("the file does not match its content_type")]
    TypeMismatch,
    #[error("must be a JPEG, PNG or PDF file")]
    NotAFileWeAccept,
}

/// The type of an acceptable document declared as `declared`, or why it is refused.
pub fn check(declared: &str, content: &[u8]) -> Result<ContentType, Rejection> {
    if content.is_empty() {
        return Err(Rejection::Empty);
    }
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(Rejection::TooLarge);
    }
    let declared = ContentType::parse(declared).ok_or(Rejection::TypeNotAccepted)?;
    match ContentType::sniff(content) {
        Some(found) if found == declared => Ok(found),
        Some(_) => Err(Rejection::TypeMismatch),
        None => Err(Rejection::NotAFileWeAccept),
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
    fn declared_types_are_read_leniently() {
        assert_eq!(ContentType::parse(" Image/PNG "), Some(ContentType::Png));
        assert_eq!(ContentType::parse("image/JPEG; name=x.jpg"), Some(ContentType::Jpeg));
        assert_eq!(ContentType::parse("image/gif"), None);
    }

    #[test]
    fn every_refusal_has_its_reason() {
        assert_eq!(check("image/png", &png()), Ok(ContentType::Png));
        assert_eq!(check("image/png", b""), Err(Rejection::Empty));
        assert_eq!(check("image/gif", &png()), Err(Rejection::TypeNotAccepted));
        assert_eq!(check("image/jpeg", &png()), Err(Rejection::TypeMismatch));
        assert_eq!(check("image/png", b"plain text"), Err(Rejection::NotAFileWeAccept));
        let mut largest = png();
        largest.resize(MAX_DOCUMENT_BYTES, 0);
        assert_eq!(check("image/png", &largest), Ok(ContentType::Png));
        largest.push(0);
        assert_eq!(check("image/png", &largest), Err(Rejection::TooLarge));
    }
}
