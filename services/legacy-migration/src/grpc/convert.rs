//! Domain ↔ wire conversions and input validation.

use beian_common::{domain_name::normalise_domain, masking::mask_email};
use beian_platform::wire::enums::to_wire;
use beian_proto::{common::v1 as common, legacy_migration::v1 as pb};
use chrono::Datelike;

use crate::{eligibility::LegacyAction, error::Error, service::Classification};

pub fn domain(value: &str) -> Result<String, Error> {
    normalise_domain(value).map_err(|e| Error::invalid("domain", e.to_string()))
}

pub fn classification(found: Option<Classification>) -> pb::ClassifyDomainResponse {
    let Some(found) = found else {
        return pb::ClassifyDomainResponse {
            found: false,
            action: to_wire(LegacyAction::None),
            submitted_on: None,
            masked_legacy_email: String::new(),
        };
    };
    pb::ClassifyDomainResponse {
        found: true,
        action: to_wire(found.action),
        submitted_on: Some(common::CalendarDate {
            year: found.submitted_on.year(),
            month: i32::try_from(found.submitted_on.month()).unwrap_or_default(),
            day: i32::try_from(found.submitted_on.day()).unwrap_or_default(),
        }),
        masked_legacy_email: mask_email(&found.login_email),
    }
}
