//! MatchFilingDetails on the wire: the request validated into [`FilingDetails`], the
//! match answered with masked data only; CheckLegacyFilingDetails' request validated into
//! [`ResetDetails`].

use beian_common::{
    contact::normalise_certificate_number,
    filing_number::{FilingNumber, is_province_code},
    masking::{mask_email, mask_id_number, mask_name},
};
use beian_platform::wire::enums::{required, to_wire};
use beian_proto::{common::v1 as common, legacy_migration::v1 as pb};

use super::convert;
use crate::{
    eligibility::LegacyAction,
    error::Error,
    login_reset::ResetDetails,
    service::{DetailsMatch, FilingDetails},
};

/// Longer is no person's name (the gateway takes at most 64 characters).
const MAX_NAME_CHARS: usize = 128;

/// Six digits, as the region's city and district codes are.
fn six_digits(field: &'static str, code: &str) -> Result<String, Error> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Error::invalid(field, "must be six digits"))
    }
}

/// Province, city and district codes, or INVALID_ARGUMENT naming the one that is not.
fn region(region: Option<common::Region>) -> Result<[String; 3], Error> {
    let region = region.unwrap_or_default();
    let province = region.province_code.trim();
    if !is_province_code(province) {
        return Err(Error::invalid("region.province_code", "must be a province's code such as 110000"));
    }
    Ok([
        province.to_owned(),
        six_digits("region.city_code", &region.city_code)?,
        six_digits("region.district_code", &region.district_code)?,
    ])
}

fn certificate_key(number: &str) -> Result<String, Error> {
    let key = normalise_certificate_number(number);
    if key.is_empty() {
        return Err(Error::invalid("certificate_number", "is required"));
    }
    Ok(key)
}

pub fn filing_details(request: pb::MatchFilingDetailsRequest) -> Result<FilingDetails, Error> {
    let region = region(request.region)?;
    let certificate_key = certificate_key(&request.certificate_number)?;
    Ok(FilingDetails {
        region,
        nature: required("nature", request.nature)?,
        certificate_type: required("certificate_type", request.certificate_type)?,
        certificate_key,
        domain: convert::domain(&request.domain)?,
    })
}

pub fn reset_details(request: pb::CheckLegacyFilingDetailsRequest) -> Result<ResetDetails, Error> {
    let applicant_name = request.applicant_name.trim();
    if applicant_name.is_empty() || applicant_name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "applicant_name",
            format!("is required, at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(ResetDetails {
        filing_number: FilingNumber::parse(&request.filing_number)
            .map_err(|e| Error::invalid("filing_number", e.to_string()))?,
        region: region(request.region)?,
        nature: required("nature", request.nature)?,
        certificate_type: required("certificate_type", request.certificate_type)?,
        certificate_key: certificate_key(&request.certificate_number)?,
        applicant_name: applicant_name.to_owned(),
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

#[cfg(test)]
mod tests {
    use beian_common::vocabulary::{CertificateType, Nature};

    use super::*;

    fn request() -> pb::CheckLegacyFilingDetailsRequest {
        pb::CheckLegacyFilingDetailsRequest {
            filing_number: "沪ICP备09007777号-1".into(),
            region: Some(common::Region {
                province_code: "310000".into(),
                city_code: " 310100".into(),
                district_code: "310104".into(),
            }),
            nature: to_wire(Nature::Organisation),
            certificate_type: to_wire(CertificateType::BusinessLicense),
            certificate_number: "91310104ma1fl0009x ".into(),
            applicant_name: " 卫先行 ".into(),
        }
    }

    fn refused_field(request: pb::CheckLegacyFilingDetailsRequest) -> String {
        match reset_details(request) {
            Err(Error::Common(beian_platform::error::Common::InvalidArgument { field, .. })) => field.into(),
            Err(other) => panic!("expected an invalid field, got {other:?}"),
            Ok(_) => panic!("expected an invalid field"),
        }
    }

    #[test]
    fn a_login_resets_details_are_normalised_and_every_part_is_required() {
        let details = reset_details(request()).expect("valid");
        assert_eq!(details.filing_number.subject_number(), "沪ICP备09007777号");
        assert_eq!(details.region, ["310000", "310100", "310104"]);
        assert_eq!(details.certificate_key, "91310104MA1FL0009X");
        assert_eq!(details.applicant_name, "卫先行");

        let blank_name = pb::CheckLegacyFilingDetailsRequest { applicant_name: "  ".into(), ..request() };
        assert_eq!(refused_field(blank_name), "applicant_name");
        let mut no_district = request();
        no_district.region.as_mut().expect("a region").district_code = String::new();
        assert_eq!(refused_field(no_district), "region.district_code");
        let no_certificate =
            pb::CheckLegacyFilingDetailsRequest { certificate_number: " - ".into(), ..request() };
        assert_eq!(refused_field(no_certificate), "certificate_number");
        let no_nature = pb::CheckLegacyFilingDetailsRequest { nature: 0, ..request() };
        assert_eq!(refused_field(no_nature), "nature");
    }
}
