//! The uploads a case holds, checked by the suite's shared rules
//! (`beian_common::documents`: JPEG, PNG or PDF by their first bytes, at most 5 MiB
//! each and 10 per case).

use std::fmt;

use beian_common::documents;
pub use beian_common::documents::{ContentType, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS};

use super::DocumentKind;
use crate::error::Error;

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
/// unless the shared rules accept it ([`documents::check`]).
pub fn accept(index: usize, kind: DocumentKind, declared: &str, content: Vec<u8>) -> Result<Upload, Error> {
    match documents::check(declared, &content) {
        Ok(content_type) => Ok(Upload { kind, content_type, content }),
        Err(rejection) => Err(Error::DocumentRejected {
            field: format!("documents[{index}]"),
            description: rejection.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        b"\x89PNG\r\n\x1a\nrest".to_vec()
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
