//! MatchSubjectDetails on the wire.

use beian_common::{contact::normalise_certificate_number, filing_number::is_province_code};
use beian_platform::wire::enums::required;
use beian_proto::filing_registry::v1 as pb;

use super::convert;
use crate::{
    error::Error,
    subjects::{
        Region,
        details::{DetailsMatch, DomainState, NewFilingDetails},
    },
};

fn six_digits(field: &'static str, code: &str) -> Result<String, Error> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Error::invalid(field, "must be six digits"))
    }
}

pub fn new_filing_details(request: pb::MatchSubjectDetailsRequest) -> Result<NewFilingDetails, Error> {
    let region = request.region.unwrap_or_default();
    let province = region.province_code.trim();
    if !is_province_code(province) {
        return Err(Error::invalid("region.province_code", "must be a province's code such as 110000"));
    }
    let certificate_key = normalise_certificate_number(&request.certificate_number);
    if certificate_key.is_empty() {
        return Err(Error::invalid("certificate_number", "is required"));
    }
    Ok(NewFilingDetails {
        account_id: convert::account_id(&request.account_id)?.to_owned(),
        region: Region {
            province_code: province.to_owned(),
            city_code: six_digits("region.city_code", &region.city_code)?,
            district_code: six_digits("region.district_code", &region.district_code)?,
        },
        nature: required("nature", request.nature)?,
        certificate_type: required("certificate_type", request.certificate_type)?,
        certificate_key,
        domain: convert::domain(&request.domain)?,
    })
}

pub fn details_match(found: DetailsMatch) -> pb::MatchSubjectDetailsResponse {
    let domain_state = match found.domain_state {
        DomainState::NotFiled => pb::DomainFilingState::NotFiled,
        DomainState::Active => pb::DomainFilingState::Active,
        DomainState::AccessCancelled => pb::DomainFilingState::AccessCancelled,
    };
    pb::MatchSubjectDetailsResponse {
        holds_subject: found.holds_subject,
        held_subject_matches: found.held_subject_matches,
        details_held_elsewhere: found.details_held_elsewhere,
        domain_state: domain_state as i32,
        domain_in_held_subject: found.domain_in_held_subject,
    }
}
