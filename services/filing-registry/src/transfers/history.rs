//! Listing holder changes a page at a time (ListHolderHistory): one subject's, or every
//! change an account took part in. Pages go by keyset on (time, change id), so changes
//! recorded meanwhile neither shift nor repeat a page; the token names the listing it
//! was made for, so it cannot be replayed against another subject or account.

use super::{HolderChange, store};
use crate::{error::Error, service::FilingRegistry, subjects::store as subjects};

/// Changes per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Most changes per page; larger requests are served this many.
pub const MAX_PAGE_SIZE: usize = 100;

/// Which history to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryOf {
    SubjectId(String),
    /// The subject the account holds.
    Holder(String),
    FilingNumber(beian_common::filing_number::FilingNumber),
    /// Every change of the subject the account holds now and every change where it was the
    /// old or the new holder: what the account took part in, not what happened to a
    /// subject after it gave it away.
    Party(String),
}

/// Where a page starts: after this (time, change id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub changed_at_ms: i64,
    pub change_id: String,
}

/// The one listing a page token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Subject(String),
    Party(String),
}

impl Listing {
    fn tag(&self) -> String {
        match self {
            Self::Subject(subject_id) => format!("s:{subject_id}"),
            Self::Party(account_id) => format!("p:{account_id}"),
        }
    }
}

const TOKEN_VERSION: &str = "1";

impl Cursor {
    /// Opaque to callers: hex of `1|<listing>|<time>|<change id>`. Not a secret (it names
    /// what the caller may list anyway); the hex only discourages building tokens by hand.
    pub fn token(&self, listing: &Listing) -> String {
        hex::encode(format!("{TOKEN_VERSION}|{}|{}|{}", listing.tag(), self.changed_at_ms, self.change_id))
    }

    /// Reads a token; refused unless it was made for the same listing.
    pub fn from_token(token: &str, listing: &Listing) -> Result<Self, Error> {
        let invalid = || Error::invalid("page_token", "is not a page token of this listing");
        let text = hex::decode(token.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(invalid)?;
        let parts: Vec<&str> = text.splitn(4, '|').collect();
        let [version, tag, time, change_id] = parts.as_slice() else {
            return Err(invalid());
        };
        if *version != TOKEN_VERSION || *tag != listing.tag() || change_id.is_empty() {
            return Err(invalid());
        }
        let changed_at_ms = time.parse().map_err(|_| invalid())?;
        Ok(Self { changed_at_ms, change_id: (*change_id).to_owned() })
    }
}

/// Page size from the wire: 0 means the default; above the maximum is served the maximum.
pub fn page_size(requested: i32) -> Result<usize, Error> {
    match usize::try_from(requested) {
        Ok(0) => Ok(DEFAULT_PAGE_SIZE),
        Ok(size) => Ok(size.min(MAX_PAGE_SIZE)),
        Err(_) => Err(Error::invalid("page_size", "must not be negative")),
    }
}

/// A validated ListHolderHistory.
#[derive(Debug, Clone)]
pub struct HistoryQuery {
    pub of: HistoryOf,
    pub size: usize,
    /// The raw token: it can only be read once the listing is known.
    pub page_token: Option<String>,
}

/// One page of a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// The subject's filing number; None for a party listing.
    pub filing_number: Option<String>,
    pub changes: Vec<HolderChange>,
    pub next_page_token: Option<String>,
}

impl FilingRegistry {
    /// A page of holder changes, oldest first.
    pub async fn holder_history(&self, query: HistoryQuery) -> Result<HistoryPage, Error> {
        let db = self.db.reader();
        let listing = match query.of {
            HistoryOf::SubjectId(subject_id) => Listing::Subject(subject_id),
            HistoryOf::Holder(account_id) => Listing::Subject(
                subjects::find_by_holder(db, &account_id).await?.ok_or(Error::NoSubjectHeld)?.subject_id,
            ),
            HistoryOf::FilingNumber(number) => {
                let website = number.is_website().then(|| number.to_string());
                let subject =
                    subjects::find_by_filing_number(db, &number.subject_number(), website.as_deref())
                        .await?
                        .ok_or(Error::FilingNotMatched)?;
                Listing::Subject(subject.subject_id)
            }
            HistoryOf::Party(account_id) => Listing::Party(account_id),
        };
        let after = query.page_token.map(|token| Cursor::from_token(&token, &listing)).transpose()?;
        let filing_number = match &listing {
            Listing::Subject(subject_id) => {
                Some(store::subject_number(db, subject_id).await?.ok_or(Error::FilingNotMatched)?)
            }
            Listing::Party(_) => None,
        };
        let mut changes = store::history_page(db, &listing, after.as_ref(), query.size + 1).await?;
        let next_page_token = if changes.len() > query.size {
            changes.truncate(query.size);
            changes.last().map(|last| {
                Cursor { changed_at_ms: last.changed_at_ms, change_id: last.change_id.clone() }
                    .token(&listing)
            })
        } else {
            None
        };
        Ok(HistoryPage { filing_number, changes, next_page_token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_for_their_listing_only() {
        let cursor = Cursor { changed_at_ms: 1_790_000_000_000, change_id: "c-1|x".into() };
        let mine = Listing::Party("1000000000000001".into());
        let token = cursor.token(&mine);
        assert_eq!(Cursor::from_token(&token, &mine).ok(), Some(cursor.clone()));
        assert!(Cursor::from_token(&token, &Listing::Party("1000000000000002".into())).is_err());
        assert!(Cursor::from_token(&token, &Listing::Subject("1000000000000001".into())).is_err());
        for junk in
            ["", "zz", "00", &hex::encode("1|p:1|x|c"), &hex::encode("2|p:1|1|c"), &hex::encode("1|p:1|1|")]
        {
            assert!(Cursor::from_token(junk, &Listing::Party("1".into())).is_err(), "{junk}");
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
