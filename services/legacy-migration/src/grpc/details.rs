//! MatchFilingDetails on the wire: the request validated into [`FilingDetails`], the
//! match answered with masked data only.

use beian_common::{
    contact::normalise_certificate_number,
    filing_number::is_province_code,
    masking::{mask_email, mask_id_number, mask_name},
};
use beian_platform::wire::enums::{required, to_wire};
use beian_proto::{common::v1 as common, legacy_migration::v1 as pb};

use super::convert;
use crate::{
    eligibility::LegacyAction,
    error::Error,
    service::{DetailsMatch, FilingDetails},
};

/// Six digits, as the region's city and district codes are.
fn six_digits(field: &'static str, code: &str) -> Result<String, Error> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Error::invalid(field, "must be six digits"))
    }
}

pub fn filing_details(request: pb::MatchFilingDetailsRequest) -> Result<FilingDetails, Error> {
    let region = request.region.unwrap_or_default();
    let province = region.province_code.trim();
    if !is_province_code(province) {
        return Err(Error::invalid("region.province_code", "must be a province's code such as 110000"));
    }
    let certificate_key = normalise_certificate_number(&request.certificate_number);
    if certificate_key.is_empty() {
        return Err(Error::invalid("certificate_number", "is required"));
    }
    Ok(FilingDetails {
        region: [
            province.to_owned(),
            six_digits("region.city_code", &region.city_code)?,
            six_digits("region.district_code", &region.district_code)?,
        ],
        nature: required("nature", request.nature)?,
        certificate_type: required("certificate_type", request.certificate_type)?,
        certificate_key,
        domain: convert::domain(&request.domain)?,
    })
}

pub fn details_match(found: Option<DetailsMatch>) -> pb::MatchFilingDetailsResponse {
    let Some(found) = found else {
        return pb::MatchFilingDetailsResponse {
            found: false,
            action: to_wire(LegacyAction::None),
            ..Default::default()
        };
    };
    let summary = found.summary;
    let [province_code, city_code, district_code] = summary.region;
    pb::MatchFilingDetailsResponse {
        found: true,
        action: to_wire(found.action),
        masked_legacy_email: mask_email(&found.login_email),
        summary: Some(pb::LegacyFilingSummary {
            filing_number: summary.filing_number,
            nature: to_wire(summary.nature),
            region: Some(common::Region { province_code, city_code, district_code }),
            certificate_type: to_wire(summary.certificate_type),
            masked_certificate_number: mask_id_number(&summary.certificate_number),
            masked_principal_name: mask_name(&summary.principal_name),
        }),
        domain_matches: found.domain_matches,
    }
}
