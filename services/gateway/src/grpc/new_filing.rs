//! The subject details a new filing and a claim both start from (开始备案's form), validated.

use beian_common::{
    contact::normalise_certificate_number, domain_name::normalise_domain, filing_number::is_province_code,
};
use beian_platform::wire::enums::{required, to_wire};
use beian_proto::{common::v1 as common, gateway::v1 as pb};

use crate::{
    error::Error,
    model::new_filing::{FilingType, LegacySummary, NewFilingDetails, Region},
};

const MAX_CERTIFICATE_CHARS: usize = 32;

fn six_digits(field: &'static str, code: &str) -> Result<String, Error> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Error::invalid(field, "must be six digits"))
    }
}

/// Province, city and district as the form's three selects give them.
pub(super) fn region(region: Option<common::Region>) -> Result<Region, Error> {
    let region = region.unwrap_or_default();
    let province = region.province_code.trim();
    if !is_province_code(province) {
        return Err(Error::invalid("region.province_code", "must be a province's code such as 110000"));
    }
    Ok(Region {
        province_code: province.to_owned(),
        city_code: six_digits("region.city_code", &region.city_code)?,
        district_code: six_digits("region.district_code", &region.district_code)?,
    })
}

/// Region, nature, certificate and domain, each checked for form only.
pub(super) fn details(
    region_given: Option<common::Region>,
    nature: i32,
    certificate_type: i32,
    certificate_number: &str,
    domain: &str,
) -> Result<NewFilingDetails, Error> {
    let certificate_number = normalise_certificate_number(certificate_number);
    if certificate_number.is_empty() || certificate_number.chars().count() > MAX_CERTIFICATE_CHARS {
        return Err(Error::invalid(
            "certificate_number",
            format!("is required, at most {MAX_CERTIFICATE_CHARS} characters"),
        ));
    }
    Ok(NewFilingDetails {
        region: region(region_given)?,
        nature: required("nature", nature)?,
        certificate_type: required("certificate_type", certificate_type)?,
        certificate_number,
        domain: normalise_domain(domain).map_err(|e| Error::invalid("domain", e.to_string()))?,
    })
}

pub(super) fn filing_type(filing_type: FilingType) -> pb::FilingType {
    match filing_type {
        FilingType::First => pb::FilingType::First,
        FilingType::NewWebsite => pb::FilingType::NewWebsite,
        FilingType::Access => pb::FilingType::Access,
        FilingType::Claim => pb::FilingType::Claim,
    }
}

/// The summary's region on the wire.
pub(super) fn region_out(region: Region) -> common::Region {
    common::Region {
        province_code: region.province_code,
        city_code: region.city_code,
        district_code: region.district_code,
    }
}

/// A recognised claim's summary fields, in StartLegacyClaimResponse's order.
pub(super) fn summary_nature_and_type(summary: &LegacySummary) -> (i32, i32) {
    (to_wire(summary.nature), to_wire(summary.certificate_type))
}
