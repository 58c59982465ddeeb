//! Domain ↔ wire conversions and input validation.

use beian_common::masking::{mask_email, mask_id_number, mask_mobile};
use beian_platform::wire::{enums::to_wire, required_text};
use beian_proto::{common::v1 as common, filing_registry::v1 as pb};

use crate::{
    error::Error,
    service::{AccountFilingState, DomainFiling},
    subjects::{Subject, Website, WebsiteState},
};

pub fn account_id(value: &str) -> Result<&str, Error> {
    required_text(value, 64).map_err(|description| Error::invalid("account_id", description))
}

pub fn domain(value: &str) -> Result<String, Error> {
    beian_common::domain_name::normalise_domain(value).map_err(|e| Error::invalid("domain", e.to_string()))
}

pub fn subject(subject: Subject) -> pb::Subject {
    pb::Subject {
        subject_id: subject.subject_id,
        filing_number: subject.filing_number,
        name: subject.name,
        nature: to_wire(subject.nature),
        region: Some(common::Region {
            province_code: subject.region.province_code,
            city_code: subject.region.city_code,
            district_code: subject.region.district_code,
        }),
        certificate_type: to_wire(subject.certificate_type),
        masked_certificate_number: mask_id_number(&subject.certificate_number),
        principal_name: subject.principal_name,
        masked_principal_mobile: mask_mobile(&subject.principal_mobile),
        masked_principal_email: mask_email(&subject.principal_email),
        holder_account_id: subject.holder_account_id.unwrap_or_default(),
        websites: subject.websites.into_iter().map(website).collect(),
        order_in_progress: subject.order_in_progress,
    }
}

fn website(website: Website) -> pb::Website {
    pb::Website {
        website_id: website.website_id,
        website_number: website.website_number,
        name: website.name,
        domains: website.domains,
        state: match website.state {
            WebsiteState::Active => pb::WebsiteState::Active,
            WebsiteState::AccessCancelled => pb::WebsiteState::AccessCancelled,
            WebsiteState::Deregistered => pb::WebsiteState::Deregistered,
        } as i32,
        principal_name: website.principal_name,
        masked_principal_mobile: mask_mobile(&website.principal_mobile),
    }
}

pub fn account_filing_state(state: AccountFilingState) -> pb::GetAccountFilingStateResponse {
    pb::GetAccountFilingStateResponse {
        holds_subject: state.holds_subject,
        order_in_progress: state.order_in_progress,
    }
}

pub fn found_filing(found: DomainFiling) -> pb::FindFilingByDomainResponse {
    pb::FindFilingByDomainResponse {
        masked_principal_mobile: mask_mobile(&found.subject.principal_mobile),
        subject_id: found.subject.subject_id,
        website_number: found.website_number,
        holder_account_id: found.subject.holder_account_id.unwrap_or_default(),
    }
}

pub fn filing_contact(found: DomainFiling) -> pb::GetFilingContactResponse {
    pb::GetFilingContactResponse {
        subject_id: found.subject.subject_id,
        holder_account_id: found.subject.holder_account_id.unwrap_or_default(),
        principal_mobile: found.subject.principal_mobile,
        principal_email: found.subject.principal_email,
    }
}
