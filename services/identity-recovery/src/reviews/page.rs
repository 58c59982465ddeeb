//! Paging the staff queue by keyset: a page token names the last case shown (its
//! deadline and number) and the filter it was shown under, so pages neither skip nor
//! repeat cases when others are opened or decided meanwhile (an offset would).

use super::{ReviewKind, ReviewState};
use crate::error::Error;

/// Cases per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Most cases per page; larger requests are served this many.
pub const MAX_PAGE_SIZE: usize = 100;

/// Which cases the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFilter {
    /// None: every kind.
    pub kind: Option<ReviewKind>,
    pub state: ReviewState,
    /// Only cases past their deadline.
    pub overdue_only: bool,
}

/// Where a page starts: after this (deadline, case number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub deadline_at_ms: i64,
    pub case_number: String,
}

/// One page request, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub filter: QueueFilter,
    pub size: usize,
    pub after: Option<Cursor>,
}

const TOKEN_VERSION: &str = "2";

impl Cursor {
    /// Opaque to callers: hex of `2|kind|state|overdue|deadline|case number`. It is not a secret
    /// (staff may see every case); the hex only discourages building tokens by hand.
    pub fn token(&self, filter: QueueFilter) -> String {
        let kind = filter.kind.map_or("", ReviewKind::as_str);
        hex::encode(format!(
            "{TOKEN_VERSION}|{kind}|{}|{}|{}|{}",
            filter.state.as_str(),
            overdue_part(filter),
            self.deadline_at_ms,
            self.case_number
        ))
    }

    /// Reads a token; refused unless it was made under the same filter.
    pub fn from_token(token: &str, filter: QueueFilter) -> Result<Self, Error> {
        let invalid = || Error::invalid("page_token", "is not a page token of this listing");
        let text = hex::decode(token.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(invalid)?;
        let parts: Vec<&str> = text.split('|').collect();
        let [version, kind, state, overdue, deadline, case_number] = parts.as_slice() else {
            return Err(invalid());
        };
        let same_filter = *kind == filter.kind.map_or("", ReviewKind::as_str)
            && *state == filter.state.as_str()
            && *overdue == overdue_part(filter);
        if *version != TOKEN_VERSION || !same_filter || case_number.is_empty() {
            return Err(invalid());
        }
        let deadline_at_ms = deadline.parse().map_err(|_| invalid())?;
        Ok(Self { deadline_at_ms, case_number: (*case_number).to_owned() })
    }
}

fn overdue_part(filter: QueueFilter) -> &'static str {
    if filter.overdue_only { "overdue" } else { "" }
}

/// Page size from the wire: 0 means the default; above the maximum is served the maximum.
pub fn page_size(requested: i32) -> Result<usize, Error> {
    match usize::try_from(requested) {
        Ok(0) => Ok(DEFAULT_PAGE_SIZE),
        Ok(size) => Ok(size.min(MAX_PAGE_SIZE)),
        Err(_) => Err(Error::invalid("page_size", "must not be negative")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PENDING: QueueFilter = QueueFilter { kind: None, state: ReviewState::Pending, overdue_only: false };

    #[test]
    fn tokens_round_trip_under_their_filter_only() {
        let cursor = Cursor { deadline_at_ms: 1_790_000_000_000, case_number: "RV20260925000001".into() };
        let token = cursor.token(PENDING);
        assert_eq!(Cursor::from_token(&token, PENDING).ok(), Some(cursor.clone()));
        let other = QueueFilter { kind: Some(ReviewKind::LegacyClaim), ..PENDING };
        assert!(Cursor::from_token(&token, other).is_err());
        let overdue = QueueFilter { overdue_only: true, ..PENDING };
        assert!(Cursor::from_token(&token, overdue).is_err());
        assert!(Cursor::from_token(&cursor.token(overdue), overdue).is_ok());
        for junk in ["", "zz", "00", &hex::encode("2|||x|RV1"), &hex::encode("1||PENDING|1|RV1")] {
            assert!(Cursor::from_token(junk, PENDING).is_err(), "{junk}");
        }
    }

    #[test]
    fn sizes_default_and_cap() {
        assert_eq!(page_size(0).ok(), Some(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(7).ok(), Some(7));
        assert_eq!(page_size(1000).ok(), Some(MAX_PAGE_SIZE));
        assert!(page_size(-1).is_err());
    }
}
