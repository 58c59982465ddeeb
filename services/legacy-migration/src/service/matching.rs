//! MatchFilingDetails: whether a new filing's details already exist on the legacy
//! platform, and what that filing needs (claim, import, nothing).

use beian_common::vocabulary::{CertificateType, Nature};
use chrono::NaiveDate;

use super::LegacyMigration;
use crate::{
    eligibility::{self, LegacyAction},
    error::Error,
    legacy::details::{self, Key},
};

/// A new filing's details, normalised (certificate key upper-cased, domain punycoded).
#[derive(Clone, PartialEq, Eq)]
pub struct FilingDetails {
    pub region: [String; 3],
    pub nature: Nature,
    pub certificate_type: CertificateType,
    pub certificate_key: String,
    pub domain: String,
}

impl std::fmt::Debug for FilingDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilingDetails")
            .field("region", &self.region)
            .field("nature", &self.nature)
            .field("certificate_type", &self.certificate_type)
            .field("certificate_key", &beian_common::masking::mask_id_number(&self.certificate_key))
            .field("domain", &self.domain)
            .finish()
    }
}

/// The legacy filing the details matched. Personal data in the clear: masked at the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct DetailsMatch {
    pub action: LegacyAction,
    pub login_email: String,
    pub domain_matches: bool,
    pub summary: FilingSummary,
}

/// What a person may see of the filing before claiming it, once masked.
#[derive(Clone, PartialEq, Eq)]
pub struct FilingSummary {
    pub filing_number: String,
    pub nature: Nature,
    pub region: [String; 3],
    pub certificate_type: CertificateType,
    pub certificate_number: String,
    pub principal_name: String,
}

impl std::fmt::Debug for DetailsMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetailsMatch")
            .field("action", &self.action)
            .field("filing_number", &self.summary.filing_number)
            .field("domain_matches", &self.domain_matches)
            .finish_non_exhaustive()
    }
}

impl LegacyMigration {
    /// The legacy filing with these details (one holding the domain first); None if none.
    pub async fn match_filing_details(&self, details: &FilingDetails) -> Result<Option<DetailsMatch>, Error> {
        let key = Key {
            region: [&details.region[0], &details.region[1], &details.region[2]],
            nature: details.nature.as_str(),
            certificate_type: details.certificate_type.as_str(),
            certificate_key: &details.certificate_key,
            domain: &details.domain,
        };
        let Some(row) = details::find(self.db.reader(), key).await? else {
            return Ok(None);
        };
        let stored = |what: &str| Error::internal(format!("stored {what} of a legacy filing"));
        let submitted_on = NaiveDate::parse_from_str(&row.submitted_on, "%Y-%m-%d")
            .map_err(|_| stored("submission date"))?;
        Ok(Some(DetailsMatch {
            action: eligibility::action(submitted_on, row.moved_away, row.migrated),
            login_email: row.login_email,
            domain_matches: row.domain_matches,
            summary: FilingSummary {
                filing_number: row.filing_number,
                nature: Nature::parse(&row.nature).ok_or_else(|| stored("nature"))?,
                region: row.region,
                certificate_type: CertificateType::parse(&row.certificate_type)
                    .ok_or_else(|| stored("certificate type"))?,
                certificate_number: row.certificate_number,
                principal_name: row.principal_name,
            },
        }))
    }
}
