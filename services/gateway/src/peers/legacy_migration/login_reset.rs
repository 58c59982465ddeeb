//! CheckLegacyFilingDetails: a legacy login reset's details against the legacy record.

use beian_platform::wire::enums::to_wire;
use beian_proto::{common::v1 as common, legacy_migration::v1 as pb};

use super::LegacyMigration;
use crate::{
    error::Error,
    model::reviews::{FilingDetails, LegacyLoginDetails},
};

impl LegacyMigration {
    /// Whether `applicant_name` is the principal of the legacy filing these details name;
    /// FILING_NOT_MATCHED (passed on unchanged) when no legacy filing has the number or any
    /// detail differs. Answers nothing of the record.
    pub async fn check_login_reset(
        &self,
        filing: &FilingDetails,
        login: &LegacyLoginDetails,
        applicant_name: &str,
    ) -> Result<bool, Error> {
        let reply = self
            .client
            .clone()
            .check_legacy_filing_details(pb::CheckLegacyFilingDetailsRequest {
                filing_number: filing.filing_number.clone(),
                region: Some(common::Region {
                    province_code: filing.province_code.clone(),
                    city_code: login.city_code.clone(),
                    district_code: login.district_code.clone(),
                }),
                nature: to_wire(login.nature),
                certificate_type: to_wire(filing.certificate_type),
                certificate_number: filing.certificate_number.clone(),
                applicant_name: applicant_name.to_owned(),
            })
            .await?
            .into_inner();
        Ok(reply.applicant_is_principal)
    }
}
