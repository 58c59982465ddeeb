//! Domain ↔ wire conversions and input validation.

use beian_common::{
    contact::{is_resident_id_number, normalise_certificate_number, normalise_email, normalise_mobile},
    filing_number::{FilingNumber, is_province_code},
    locale::Locale,
    masking::{mask_email, mask_id_number, mask_mobile},
    service_number::normalise_service_number,
};
use beian_platform::wire::{
    enums::{required, to_wire},
    required_text, timestamp,
};
use beian_proto::{common::v1 as common, filing_registry::v1 as pb};

use crate::{
    error::Error,
    orders::{
        CancelAccess, Deciding, Decision, Deregistration, NewWebsite, Order, OrderKind, OrderState,
        SubjectChange, WebsiteChange,
    },
    passwords::{Recovery, ReviewIssue, SentTo},
    service::{AccountFilingState, DomainFiling},
    subjects::{Region, Subject, Website, WebsiteState},
    transfers::{
        HolderChange, OnlineTransfer, ReviewTransfer, SubjectRef,
        adoption::{Adoption, AdoptionReason},
        history::{self, HistoryOf, HistoryQuery},
    },
};

pub fn account_id(value: &str) -> Result<&str, Error> {
    required_text(value, 64).map_err(|description| Error::invalid("account_id", description))
}

pub fn domain(value: &str) -> Result<String, Error> {
    beian_common::domain_name::normalise_domain(value).map_err(|e| Error::invalid("domain", e.to_string()))
}

pub fn subject(subject: Subject, current_order: Option<Order>) -> pb::Subject {
    pb::Subject {
        changes_need_sms: crate::orders::changes_need_sms(&subject.region.province_code),
        current_order: current_order.map(order),
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

pub fn order(order: Order) -> pb::Order {
    pb::Order {
        order_number: order.order_number,
        kind: match order.kind {
            OrderKind::NewWebsite => pb::OrderKind::NewWebsite,
            OrderKind::ChangeSubject => pb::OrderKind::ChangeSubject,
            OrderKind::ChangeWebsite => pb::OrderKind::ChangeWebsite,
            OrderKind::CancelAccess => pb::OrderKind::CancelAccess,
            OrderKind::DeregisterSubject => pb::OrderKind::DeregisterSubject,
            OrderKind::DeregisterWebsite => pb::OrderKind::DeregisterWebsite,
        } as i32,
        state: match order.state {
            OrderState::InProgress => pb::OrderState::InProgress,
            OrderState::Approved => pb::OrderState::Approved,
            OrderState::Rejected => pb::OrderState::Rejected,
            OrderState::Abandoned => pb::OrderState::Abandoned,
        } as i32,
        create_time: Some(timestamp(order.created_at_ms)),
        website_number: order.website_number.unwrap_or_default(),
        decision_note: order.decision_note.unwrap_or_default(),
    }
}

fn website_number(value: &str) -> Result<String, Error> {
    let number = filing_number(value).map_err(|_| {
        Error::invalid("website_number", "must be a website's filing number such as 京ICP备12345678号-1")
    })?;
    if !number.is_website() {
        return Err(Error::invalid(
            "website_number",
            "must be a website's filing number such as 京ICP备12345678号-1",
        ));
    }
    Ok(number.to_string())
}

pub fn abandon(request: &pb::AbandonOrderRequest) -> Result<(&str, &str), Error> {
    Ok((account_id(&request.account_id)?, text("order_number", &request.order_number, 32)?))
}

pub fn cancel_access(request: pb::CancelAccessRequest) -> Result<CancelAccess, Error> {
    Ok(CancelAccess {
        account_id: account_id(&request.account_id)?.to_owned(),
        website_number: website_number(&request.website_number)?,
        proof: text("proof", &request.proof, 256)?.to_owned(),
        filing_password: text("filing_password", &request.filing_password, 64)?.to_owned(),
        request_id: request_id(&request.request_id)?,
    })
}

/// An order request's id, if given.
fn request_id(value: &str) -> Result<Option<String>, Error> {
    match value.trim() {
        "" => Ok(None),
        id => Ok(Some(text("request_id", id, 128)?.to_owned())),
    }
}

pub fn deregistration(request: pb::DeregisterRequest) -> Result<Deregistration, Error> {
    let website = Some(request.website_number.trim()).filter(|number| !number.is_empty());
    Ok(Deregistration {
        account_id: account_id(&request.account_id)?.to_owned(),
        website_number: website.map(website_number).transpose()?,
        filing_password: text("filing_password", &request.filing_password, 64)?.to_owned(),
        request_id: request_id(&request.request_id)?,
    })
}

pub fn deciding(request: pb::DecideOrderRequest) -> Result<Deciding, Error> {
    let decision = match pb::OrderDecision::try_from(request.decision) {
        Ok(pb::OrderDecision::Approve) => Decision::Approve,
        Ok(pb::OrderDecision::Reject) => Decision::Reject,
        _ => {
            return Err(Error::invalid(
                "decision",
                "must be ORDER_DECISION_APPROVE or ORDER_DECISION_REJECT",
            ));
        }
    };
    let note = request.note.trim();
    if note.chars().count() > 128 {
        return Err(Error::invalid("note", "must be at most 128 characters"));
    }
    if decision == Decision::Reject && note.is_empty() {
        // the holder's notice says why
        return Err(Error::invalid("note", "a rejection needs a note: the holder is told it"));
    }
    Ok(Deciding {
        order_number: text("order_number", &request.order_number, 32)?.to_owned(),
        decision,
        note: note.to_owned(),
        decided_by: text("decided_by", &request.decided_by, 64)?.to_owned(),
        locale: locale(&request.locale)?,
    })
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

/// A validated CreateOrder: a subject or a website change, or a new website (other kinds:
/// NOT_IMPLEMENTED).
pub enum Change {
    Subject(SubjectChange),
    Website(WebsiteChange),
    NewWebsite(NewWebsite),
}

pub fn create_order(request: pb::CreateOrderRequest) -> Result<Change, Error> {
    use pb::create_order_request::Change as Wire;
    let account_id = account_id(&request.account_id)?.to_owned();
    let request_id = request_id(&request.request_id)?;
    match (pb::OrderKind::try_from(request.kind), request.change) {
        (Ok(pb::OrderKind::ChangeWebsite), Some(Wire::WebsiteChange(change))) => {
            website_change(account_id, change, request_id).map(Change::Website)
        }
        (Ok(pb::OrderKind::ChangeSubject), Some(Wire::SubjectChange(change))) => {
            subject_change(account_id, change, &request.proof, request_id).map(Change::Subject)
        }
        (Ok(pb::OrderKind::NewWebsite), Some(Wire::NewWebsite(website))) => {
            new_website(account_id, website, request_id).map(Change::NewWebsite)
        }
        (Ok(pb::OrderKind::ChangeWebsite | pb::OrderKind::ChangeSubject | pb::OrderKind::NewWebsite), _) => {
            Err(Error::invalid(
                "change",
                "must match the kind: subject_change, website_change or new_website",
            ))
        }
        _ => Err(Error::not_implemented("CreateOrder of this kind")),
    }
}

fn optional_contact(
    field: &'static str,
    value: &str,
    normalise: fn(&str) -> Result<String, beian_common::contact::ContactError>,
) -> Result<Option<String>, Error> {
    Some(value.trim())
        .filter(|value| !value.is_empty())
        .map(|value| normalise(value).map_err(|e| Error::invalid(field, e.to_string())))
        .transpose()
}

/// A new principal's ID number as typed (spaces, full width, lower-case x), normalised; the
/// refusal never echoes it.
fn optional_resident_id_number(value: &str) -> Result<Option<String>, Error> {
    let number = normalise_certificate_number(value);
    if number.is_empty() {
        return Ok(None);
    }
    if !is_resident_id_number(&number) {
        return Err(Error::invalid("principal_id_number", "must be a valid 18-character resident ID number"));
    }
    Ok(Some(number))
}

fn subject_change(
    account_id: String,
    change: pb::SubjectChange,
    proof: &str,
    request_id: Option<String>,
) -> Result<SubjectChange, Error> {
    let name = change.principal_name.trim();
    if name.chars().count() > 64 {
        return Err(Error::invalid("principal_name", "must be at most 64 characters"));
    }
    let province = Some(change.province_code.trim()).filter(|code| !code.is_empty());
    Ok(SubjectChange {
        account_id,
        principal_name: Some(name).filter(|name| !name.is_empty()).map(str::to_owned),
        principal_mobile: optional_contact("principal_mobile", &change.principal_mobile, normalise_mobile)?,
        principal_email: optional_contact("principal_email", &change.principal_email, normalise_email)?,
        principal_id_number: optional_resident_id_number(&change.principal_id_number)?,
        province_code: province.map(str::to_owned),
        principal_id_suffix: change.principal_id_suffix.trim().chars().take(6).collect(),
        proof: Some(proof.trim()).filter(|proof| !proof.is_empty()).map(str::to_owned),
        request_id,
    })
}

/// Domains a new website may have at most.
const MAX_NEW_DOMAINS: usize = 10;

fn new_website(
    account_id: String,
    website: pb::NewWebsite,
    request_id: Option<String>,
) -> Result<NewWebsite, Error> {
    if website.domains.is_empty() || website.domains.len() > MAX_NEW_DOMAINS {
        return Err(Error::invalid("new_website.domains", "must hold 1 to 10 domains"));
    }
    let mut domains = Vec::with_capacity(website.domains.len());
    for (i, value) in website.domains.iter().enumerate() {
        let domain = beian_common::domain_name::normalise_domain(value)
            .map_err(|e| Error::invalid(format!("new_website.domains[{i}]"), e.to_string()))?;
        // `www.example.com` and `example.com` are one domain
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(NewWebsite {
        account_id,
        name: text("new_website.name", &website.name, 64)?.to_owned(),
        domains,
        service_number: normalise_service_number(&website.service_number)
            .map_err(|e| Error::invalid("new_website.service_number", e.to_string()))?,
        request_id,
    })
}

fn website_change(
    account_id: String,
    change: pb::WebsiteChange,
    request_id: Option<String>,
) -> Result<WebsiteChange, Error> {
    let domains = |field: &'static str, values: &[String]| {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                beian_common::domain_name::normalise_domain(value)
                    .map_err(|e| Error::invalid(format!("{field}[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(WebsiteChange {
        account_id,
        website_number: website_number(&change.website_number)?,
        principal_mobile: optional_contact("principal_mobile", &change.principal_mobile, normalise_mobile)?,
        principal_email: optional_contact("principal_email", &change.principal_email, normalise_email)?,
        remove_domains: domains("remove_domains", &change.remove_domains)?,
        add_domains: change.add_domains.iter().filter(|d| !d.trim().is_empty()).cloned().collect(),
        request_id,
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
pub fn history_query(request: pb::ListHolderHistoryRequest) -> Result<HistoryQuery, Error> {
    let given = [&request.subject_id, &request.account_id, &request.filing_number, &request.party_account_id]
        .iter()
        .filter(|value| !value.trim().is_empty())
        .count();
    if given != 1 {
        return Err(Error::invalid(
            "subject_id",
            "give exactly one of subject_id, account_id, filing_number, party_account_id",
        ));
    }
    let of = if !request.subject_id.trim().is_empty() {
        HistoryOf::SubjectId(text("subject_id", &request.subject_id, 64)?.to_owned())
    } else if !request.account_id.trim().is_empty() {
        HistoryOf::Holder(account_id(&request.account_id)?.to_owned())
    } else if !request.party_account_id.trim().is_empty() {
        HistoryOf::Party(
            required_text(&request.party_account_id, 64)
                .map_err(|description| Error::invalid("party_account_id", description))?
                .to_owned(),
        )
    } else {
        HistoryOf::FilingNumber(filing_number(&request.filing_number)?)
    };
    Ok(HistoryQuery {
        of,
        size: history::page_size(request.page_size)?,
        page_token: Some(request.page_token).filter(|token| !token.trim().is_empty()),
    })
}

pub fn holder_change(change: HolderChange) -> pb::HolderChange {
    pb::HolderChange {
        change_id: change.change_id,
        subject_id: change.subject_id,
        filing_number: change.filing_number,
        from_account_id: change.from_account_id.unwrap_or_default(),
        to_account_id: change.to_account_id.unwrap_or_default(),
        actor: change.actor,
        reason: change.reason,
        change_time: Some(beian_platform::wire::timestamp(change.changed_at_ms)),
    }
}

/// A validated AdoptLegacySubject: the subject in the adopting account, with new ids, every
/// website ACTIVE (a legacy filing's websites were live) and its contacts normalised.
pub fn adoption(request: pb::AdoptLegacySubjectRequest) -> Result<Adoption, Error> {
    let reason = match request.reason.trim() {
        "import" => AdoptionReason::Import,
        "claim" => AdoptionReason::Claim,
        _ => return Err(Error::invalid("reason", "must be import or claim")),
    };
    let account_id = account_id(&request.account_id)?.to_owned();
    let legacy = request.subject.ok_or_else(|| Error::invalid("subject", "is required"))?;
    let number = FilingNumber::parse(&legacy.filing_number)
        .ok()
        .filter(|number| !number.is_website())
        .ok_or_else(|| Error::invalid("subject.filing_number", "must be a subject's filing number"))?;
    let region = legacy.region.ok_or_else(|| Error::invalid("subject.region", "is required"))?;
    if !is_province_code(&region.province_code) {
        return Err(Error::invalid("subject.region.province_code", "must be a province's GB/T 2260 code"));
    }
    let contact = |field: &'static str, value: &str, normalise| {
        optional_contact(field, value, normalise)?.ok_or_else(|| Error::invalid(field, "is required"))
    };
    let principal_name = text("subject.principal_name", &legacy.principal_name, 64)?.to_owned();
    let principal_mobile = contact("subject.principal_mobile", &legacy.principal_mobile, normalise_mobile)?;
    let principal_email = contact("subject.principal_email", &legacy.principal_email, normalise_email)?;
    if legacy.websites.is_empty() {
        return Err(Error::invalid("subject.websites", "a filed subject has at least one website"));
    }
    let mut websites = Vec::with_capacity(legacy.websites.len());
    for (i, website) in legacy.websites.into_iter().enumerate() {
        let field = |name: &str| format!("subject.websites[{i}].{name}");
        let mut domains = Vec::with_capacity(website.domains.len());
        for (j, value) in website.domains.iter().enumerate() {
            let domain = beian_common::domain_name::normalise_domain(value)
                .map_err(|e| Error::invalid(field(&format!("domains[{j}]")), e.to_string()))?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        if domains.is_empty() {
            return Err(Error::invalid(field("domains"), "a website has at least one domain"));
        }
        let mobile = Some(website.principal_mobile.trim())
            .filter(|mobile| !mobile.is_empty())
            .map(|mobile| {
                normalise_mobile(mobile).map_err(|e| Error::invalid(field("principal_mobile"), e.to_string()))
            })
            .transpose()?;
        websites.push(Website {
            website_id: uuid::Uuid::new_v4().to_string(),
            website_number: website_number(&website.website_number)
                .map_err(|_| Error::invalid(field("website_number"), "must be a website's filing number"))?,
            name: required_text(&website.name, 64).map_err(|d| Error::invalid(field("name"), d))?.to_owned(),
            domains,
            state: WebsiteState::Active,
            principal_name: Some(website.principal_name.trim())
                .filter(|name| !name.is_empty())
                .map_or_else(|| principal_name.clone(), str::to_owned),
            principal_mobile: mobile.unwrap_or_else(|| principal_mobile.clone()),
            principal_email: principal_email.clone(),
        });
    }
    let certificate_number =
        normalise_certificate_number(text("subject.certificate_number", &legacy.certificate_number, 64)?);
    Ok(Adoption {
        migration_id: text("migration_id", &request.migration_id, 64)?.to_owned(),
        reason,
        subject: Subject {
            subject_id: uuid::Uuid::new_v4().to_string(),
            filing_number: number.to_string(),
            name: text("subject.name", &legacy.name, 128)?.to_owned(),
            nature: required("subject.nature", legacy.nature)?,
            region: Region {
                province_code: region.province_code,
                city_code: region.city_code,
                district_code: region.district_code,
            },
            certificate_type: required("subject.certificate_type", legacy.certificate_type)?,
            certificate_number,
            principal_name,
            principal_mobile,
            principal_email,
            holder_account_id: Some(account_id),
            websites,
            order_in_progress: false,
        },
    })
}
