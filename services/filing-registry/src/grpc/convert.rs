//! Domain ↔ wire conversions and input validation.

use beian_common::{
    contact::{normalise_certificate_number, normalise_email, normalise_mobile},
    filing_number::{FilingNumber, is_province_code},
    locale::Locale,
    masking::{mask_email, mask_id_number, mask_mobile},
};
use beian_platform::wire::{
    enums::{required, to_wire},
    required_text,
};
use beian_proto::{common::v1 as common, filing_registry::v1 as pb};

use crate::{
    error::Error,
    passwords::{Recovery, ReviewIssue, SentTo},
    service::{AccountFilingState, DomainFiling},
    subjects::{Subject, Website, WebsiteState},
    transfers::{HistoryOf, HolderChange, OnlineTransfer, ReviewTransfer, SubjectRef},
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

fn text<'a>(field: &'static str, value: &'a str, max_chars: usize) -> Result<&'a str, Error> {
    required_text(value, max_chars).map_err(|description| Error::invalid(field, description))
}

fn filing_number(value: &str) -> Result<FilingNumber, Error> {
    FilingNumber::parse(value).map_err(|e| Error::invalid("filing_number", e.to_string()))
}

/// Empty means zh-CN; languages without notice templates are refused.
fn locale(value: &str) -> Result<Locale, Error> {
    Locale::parse(value).ok_or_else(|| Error::invalid("locale", "must be zh-CN or en"))
}

pub fn recovery(request: pb::RecoverFilingPasswordRequest) -> Result<Recovery, Error> {
    let province_code = text("province_code", &request.province_code, 6)?;
    if !is_province_code(province_code) {
        return Err(Error::invalid("province_code", "must be a province's GB/T 2260 code such as 110000"));
    }
    let certificate_number =
        normalise_certificate_number(text("certificate_number", &request.certificate_number, 64)?);
    if certificate_number.is_empty() {
        return Err(Error::invalid("certificate_number", "must not be blank"));
    }
    Ok(Recovery {
        province_code: province_code.to_owned(),
        filing_number: filing_number(&request.filing_number)?,
        certificate_type: required("certificate_type", request.certificate_type)?,
        certificate_number,
        request_id: text("request_id", &request.request_id, 128)?.to_owned(),
        client: text("client_address", &request.client_address, 64)?.to_owned(),
        locale: locale(&request.locale)?,
    })
}

pub fn review_issue(request: pb::IssueFilingPasswordByReviewRequest) -> Result<ReviewIssue, Error> {
    let mobile = Some(request.mobile.trim())
        .filter(|mobile| !mobile.is_empty())
        .map(|mobile| normalise_mobile(mobile).map_err(|e| Error::invalid("mobile", e.to_string())))
        .transpose()?;
    let email = Some(request.email.trim())
        .filter(|email| !email.is_empty())
        .map(|email| normalise_email(email).map_err(|e| Error::invalid("email", e.to_string())))
        .transpose()?;
    if mobile.is_none() && email.is_none() {
        return Err(Error::invalid("mobile", "a mobile or an email is required"));
    }
    Ok(ReviewIssue {
        case_number: text("case_number", &request.case_number, 64)?.to_owned(),
        filing_number: filing_number(&request.filing_number)?,
        mobile,
        email,
        locale: locale(&request.locale)?,
    })
}

pub fn password_check(request: &pb::CheckFilingPasswordRequest) -> Result<(&str, &str), Error> {
    Ok((text("subject_id", &request.subject_id, 64)?, text("filing_password", &request.filing_password, 64)?))
}

pub fn sent_to(sent: SentTo) -> Vec<common::MaskedContact> {
    sent.0
        .into_iter()
        .map(|(channel, masked_destination)| common::MaskedContact {
            channel: to_wire(channel),
            masked_destination,
        })
        .collect()
}

pub fn online_transfer(request: pb::TransferSubjectRequest) -> Result<OnlineTransfer, Error> {
    Ok(OnlineTransfer {
        from_account_id: text("from_account_id", &request.from_account_id, 64)?.to_owned(),
        to_account_id: text("to_account_id", &request.to_account_id, 64)?.to_owned(),
        proof: text("proof", &request.proof, 256)?.to_owned(),
        reason: text("reason", &request.reason, 128)?.to_owned(),
        request_id: text("request_id", &request.request_id, 128)?.to_owned(),
        locale: locale(&request.locale)?,
    })
}

pub fn review_transfer(request: pb::TransferSubjectByReviewRequest) -> Result<ReviewTransfer, Error> {
    let subject = if request.subject_id.trim().is_empty() {
        SubjectRef::FilingNumber(filing_number(&request.filing_number)?)
    } else {
        SubjectRef::Id(text("subject_id", &request.subject_id, 64)?.to_owned())
    };
    Ok(ReviewTransfer {
        case_number: text("case_number", &request.case_number, 64)?.to_owned(),
        subject,
        to_account_id: text("to_account_id", &request.to_account_id, 64)?.to_owned(),
        staff_id: text("staff_id", &request.staff_id, 64)?.to_owned(),
        locale: locale(&request.locale)?,
    })
}

/// Exactly one of subject id, account id and filing number.
pub fn history_of(request: pb::ListHolderHistoryRequest) -> Result<HistoryOf, Error> {
    let given = [&request.subject_id, &request.account_id, &request.filing_number]
        .iter()
        .filter(|value| !value.trim().is_empty())
        .count();
    if given != 1 {
        return Err(Error::invalid(
            "subject_id",
            "give exactly one of subject_id, account_id, filing_number",
        ));
    }
    if !request.subject_id.trim().is_empty() {
        Ok(HistoryOf::SubjectId(text("subject_id", &request.subject_id, 64)?.to_owned()))
    } else if !request.account_id.trim().is_empty() {
        Ok(HistoryOf::Holder(account_id(&request.account_id)?.to_owned()))
    } else {
        Ok(HistoryOf::FilingNumber(filing_number(&request.filing_number)?))
    }
}

pub fn holder_change(change: HolderChange) -> pb::HolderChange {
    pb::HolderChange {
        change_id: change.change_id,
        subject_id: change.subject_id,
        from_account_id: change.from_account_id.unwrap_or_default(),
        to_account_id: change.to_account_id,
        actor: change.actor,
        reason: change.reason,
        change_time: Some(beian_platform::wire::timestamp(change.changed_at_ms)),
    }
}
