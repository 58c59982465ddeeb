//! Review requests from the wire: every field parsed and normalised, a malformed one
//! refused as INVALID_ARGUMENT naming its proto path (`applicant.mobile`,
//! `documents[2].kind`). Which fields a kind requires is the domain's rule (`reviews::rules`).

use beian_common::{
    contact::{is_resident_id_number, normalise_certificate_number, normalise_email, normalise_mobile},
    domain_name::normalise_domain,
    filing_number::{FilingNumber, is_province_code},
};
use beian_platform::wire::{enums, required_text};
use beian_proto::{common::v1 as common, identity_recovery::v1 as pb};

use crate::{
    error::Error,
    reviews::{
        Applicant, CaseSubject, Certificate, CertificateType, NewCase, Region, ReviewState, Upload,
        decisions::{Decision, MAX_NOTE_CHARS},
        documents::{self, MAX_DOCUMENTS},
        numbering,
        page::{self, Cursor, PageRequest, QueueFilter},
    },
};

/// Longest name accepted, in characters (names on Chinese certificates are far shorter).
const MAX_NAME_CHARS: usize = 64;
/// Longest certificate number accepted after normalisation.
const MAX_CERTIFICATE_CHARS: usize = 32;
const MAX_ACCOUNT_ID_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 2000;

pub fn new_case(request: pb::OpenReviewCaseRequest) -> Result<NewCase, Error> {
    let kind = enums::required("kind", request.kind)?;
    let request_id =
        required_text(&request.request_id, 128).map_err(|d| Error::invalid("request_id", d))?.to_owned();
    Ok(NewCase {
        request_id,
        kind,
        applicant: applicant(request.applicant.unwrap_or_default())?,
        subject: subject(request.subject.unwrap_or_default())?,
        documents: uploads(request.documents)?,
        locale: super::locale(&request.locale)?,
    })
}

fn applicant(applicant: common::Applicant) -> Result<Applicant, Error> {
    let name =
        required_text(&applicant.name, MAX_NAME_CHARS).map_err(|d| Error::invalid("applicant.name", d))?;
    let mobile =
        required_text(&applicant.mobile, 32).map_err(|d| Error::invalid("applicant.mobile", d)).and_then(
            |mobile| normalise_mobile(mobile).map_err(|e| Error::invalid("applicant.mobile", e.to_string())),
        )?;
    Ok(Applicant {
        name: name.to_owned(),
        certificate: certificate(
            applicant.certificate_type,
            &applicant.certificate_number,
            ("applicant.certificate_type", "applicant.certificate_number"),
        )?,
        mobile,
        email: optional_email(&applicant.email, "applicant.email")?,
    })
}

fn subject(subject: pb::ReviewSubject) -> Result<CaseSubject, Error> {
    let domain = optional(&subject.domain)
        .map(|domain| normalise_domain(domain).map_err(|e| Error::invalid("subject.domain", e.to_string())))
        .transpose()?;
    let filing_number = optional(&subject.filing_number)
        .map(|number| {
            FilingNumber::parse(number).map_err(|e| Error::invalid("subject.filing_number", e.to_string()))
        })
        .transpose()?;
    let description = subject.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid(
            "subject.description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(CaseSubject {
        domain,
        filing_number,
        nature: enums::optional("subject.nature", subject.nature)?,
        region: subject.region.map(region).transpose()?.flatten(),
        certificate: certificate(
            subject.certificate_type,
            &subject.certificate_number,
            ("subject.certificate_type", "subject.certificate_number"),
        )?,
        new_login_email: optional_email(&subject.new_login_email, "subject.new_login_email")?,
        target_account_id: optional_account_id(&subject.target_account_id, "subject.target_account_id")?,
        account_id: optional_account_id(&subject.account_id, "subject.account_id")?,
        description: description.to_owned(),
        applicant_is_principal: subject.applicant_is_principal,
    })
}

/// None when every code is blank; otherwise a mainland province and, if given, six-digit
/// city and district codes.
fn region(region: common::Region) -> Result<Option<Region>, Error> {
    let [province, city, district] =
        [&region.province_code, &region.city_code, &region.district_code].map(|code| code.trim());
    if province.is_empty() && city.is_empty() && district.is_empty() {
        return Ok(None);
    }
    if !is_province_code(province) {
        return Err(Error::invalid(
            "subject.region.province_code",
            "must be a mainland province code such as 110000",
        ));
    }
    let six_digits =
        |code: &str| code.is_empty() || (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    if !six_digits(city) {
        return Err(Error::invalid("subject.region.city_code", "must be six digits"));
    }
    if !six_digits(district) {
        return Err(Error::invalid("subject.region.district_code", "must be six digits"));
    }
    Ok(Some(Region {
        province_code: province.to_owned(),
        city_code: city.to_owned(),
        district_code: district.to_owned(),
    }))
}

/// Type and number go together; a resident ID number must be a valid one.
fn certificate(
    kind: i32,
    number: &str,
    (type_field, number_field): (&'static str, &'static str),
) -> Result<Option<Certificate>, Error> {
    let kind = enums::optional::<CertificateType>(type_field, kind)?;
    let number = normalise_certificate_number(number);
    let kind = match (kind, number.is_empty()) {
        (None, true) => return Ok(None),
        (None, false) => return Err(Error::invalid(type_field, "is required with a certificate number")),
        (Some(_), true) => return Err(Error::invalid(number_field, "is required with a certificate type")),
        (Some(kind), false) => kind,
    };
    if number.chars().count() > MAX_CERTIFICATE_CHARS || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            number_field,
            format!("must be at most {MAX_CERTIFICATE_CHARS} letters and digits"),
        ));
    }
    if kind == CertificateType::ResidentIdCard && !is_resident_id_number(&number) {
        return Err(Error::invalid(number_field, "must be a valid 18-character resident ID number"));
    }
    Ok(Some(Certificate { kind, number }))
}

fn uploads(documents: Vec<common::Document>) -> Result<Vec<Upload>, Error> {
    if documents.len() > MAX_DOCUMENTS {
        return Err(Error::invalid("documents", format!("must be at most {MAX_DOCUMENTS}")));
    }
    documents
        .into_iter()
        .enumerate()
        .map(|(index, document)| {
            let kind = enums::required(format!("documents[{index}].kind"), document.kind)?;
            documents::accept(index, kind, &document.content_type, document.content)
        })
        .collect()
}

pub fn page_request(request: &pb::ListReviewCasesRequest) -> Result<PageRequest, Error> {
    let filter = QueueFilter {
        kind: enums::optional("kind", request.kind)?,
        state: enums::optional("state", request.state)?.unwrap_or(ReviewState::Pending),
        overdue_only: request.overdue_only,
    };
    let after = optional(&request.page_token).map(|token| Cursor::from_token(token, filter)).transpose()?;
    Ok(PageRequest { filter, size: page::page_size(request.page_size)?, after })
}

/// `RV` + 14 digits; lower-case `rv` is accepted as typed.
pub fn case_number(value: &str) -> Result<String, Error> {
    let number = required_text(value, 32).map_err(|d| Error::invalid("case_number", d))?.to_ascii_uppercase();
    if numbering::is_case_number(&number) {
        Ok(number)
    } else {
        Err(Error::invalid("case_number", "must be a case number such as RV20261122000123"))
    }
}

pub fn document_id(value: &str) -> Result<&str, Error> {
    required_text(value, 64).map_err(|d| Error::invalid("document_id", d))
}

/// The staff account a view or decision is recorded under.
pub fn staff_id(value: &str) -> Result<&str, Error> {
    required_text(value, MAX_ACCOUNT_ID_CHARS).map_err(|d| Error::invalid("staff_id", d))
}

/// A note of at most [`MAX_NOTE_CHARS`] characters without control characters (it goes
/// into an SMS); a rejection needs one.
pub fn decision(request: &pb::DecideReviewCaseRequest) -> Result<Decision, Error> {
    let note = optional(&request.note).map(ToOwned::to_owned);
    if note
        .as_ref()
        .is_some_and(|note| note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control))
    {
        return Err(Error::invalid(
            "note",
            format!("must be at most {MAX_NOTE_CHARS} characters without line breaks"),
        ));
    }
    if !request.approve && note.is_none() {
        return Err(Error::invalid("note", "is required to reject: the applicant reads it"));
    }
    Ok(Decision {
        case_number: case_number(&request.case_number)?,
        staff_id: staff_id(&request.staff_id)?.to_owned(),
        approve: request.approve,
        note,
    })
}

/// The mobile as the applicant typed it, normalised like the application's.
pub fn applicant_mobile(value: &str) -> Result<String, Error> {
    let mobile = required_text(value, 32).map_err(|d| Error::invalid("applicant_mobile", d))?;
    normalise_mobile(mobile).map_err(|e| Error::invalid("applicant_mobile", e.to_string()))
}

/// A trimmed value, or None when blank: proto3 has no absent strings.
fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|value| !value.is_empty())
}

fn optional_email(value: &str, field: &'static str) -> Result<Option<String>, Error> {
    optional(value)
        .map(|email| normalise_email(email).map_err(|e| Error::invalid(field, e.to_string())))
        .transpose()
}

fn optional_account_id(value: &str, field: &'static str) -> Result<Option<String>, Error> {
    optional(value)
        .map(|id| {
            required_text(id, MAX_ACCOUNT_ID_CHARS).map(str::to_owned).map_err(|d| Error::invalid(field, d))
        })
        .transpose()
}
