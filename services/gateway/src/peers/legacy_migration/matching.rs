//! MatchFilingDetails: a legacy filing with a new filing's details.

use beian_platform::wire::enums::to_wire;
use beian_proto::legacy_migration::v1 as pb;

use super::{super::answered, LegacyMigration};
use crate::{
    error::Error,
    model::new_filing::{LegacyMatch, LegacySummary, NewFilingDetails, Region},
};

impl LegacyMigration {
    /// The legacy filing with these subject details (one holding the domain first), masked.
    pub async fn match_details(&self, details: &NewFilingDetails) -> Result<Option<LegacyMatch>, Error> {
        let reply = self
            .client
            .clone()
            .match_filing_details(pb::MatchFilingDetailsRequest {
                region: Some(super::super::region_to_wire(&details.region)),
                nature: to_wire(details.nature),
                certificate_type: to_wire(details.certificate_type),
                certificate_number: details.certificate_number.clone(),
                domain: details.domain.clone(),
            })
            .await?
            .into_inner();
        if !reply.found {
            return Ok(None);
        }
        let summary = reply.summary.ok_or_else(|| Error::internal("legacy-migration answered no summary"))?;
        let region = summary.region.unwrap_or_default();
        Ok(Some(LegacyMatch {
            action: answered("legacy action", reply.action)?,
            masked_legacy_email: reply.masked_legacy_email,
            domain_matches: reply.domain_matches,
            summary: LegacySummary {
                filing_number: summary.filing_number,
                nature: answered("subject nature", summary.nature)?,
                region: Region {
                    province_code: region.province_code,
                    city_code: region.city_code,
                    district_code: region.district_code,
                },
                certificate_type: answered("certificate type", summary.certificate_type)?,
                masked_certificate_number: summary.masked_certificate_number,
                masked_principal_name: summary.masked_principal_name,
            },
        }))
    }
}
