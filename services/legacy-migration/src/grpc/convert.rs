//! Domain ↔ wire conversions and input validation.

use beian_common::{
    contact::normalise_email, domain_name::normalise_domain, filing_number::FilingNumber, masking::mask_email,
};
use beian_platform::wire::{enums::to_wire, required_text, timestamp};
use beian_proto::{common::v1 as common, legacy_migration::v1 as pb};
use chrono::Datelike;

use crate::{
    eligibility::LegacyAction,
    error::Error,
    login_reset::{EmailReplacement, FoundLogin, PasswordReset},
    service::{ClaimCompletion, Classification, ImportRequest, Imported},
};

/// Longest case number or request id taken as a key.
const MAX_KEY_CHARS: usize = 128;

/// Legacy login emails are at most this long (DUMP.md).
const MAX_EMAIL_CHARS: usize = 254;
/// Longer is no password anybody typed; refused before any hash work (and before Argon2id
/// hashes a new one; the policy wants at least 8).
const MAX_PASSWORD_CHARS: usize = 128;
/// Ids, case and filing numbers of the suite are at most this long.
const MAX_ID_CHARS: usize = 64;

fn text(field: &'static str, value: &str, max: usize) -> Result<String, Error> {
    required_text(value, max).map(str::to_owned).map_err(|d| Error::invalid(field, d))
}

pub fn import_request(request: pb::ImportLegacyFilingRequest) -> Result<ImportRequest, Error> {
    if request.legacy_password.is_empty() || request.legacy_password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Error::invalid(
            "legacy_password",
            format!("is required, at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(ImportRequest {
        login_email: text("legacy_login_email", &request.legacy_login_email, MAX_EMAIL_CHARS)?,
        password: request.legacy_password,
        account_id: text("account_id", &request.account_id, MAX_ID_CHARS)?,
    })
}

pub fn imported(imported: Imported) -> pb::ImportLegacyFilingResponse {
    pb::ImportLegacyFilingResponse {
        migration_id: imported.migration_id,
        subject_id: imported.subject_id,
        filing_number: imported.filing_number,
        website_count: imported.website_count,
        import_time: Some(timestamp(imported.imported_at_ms)),
    }
}

pub fn claim_completion(request: pb::CompleteClaimRequest) -> Result<ClaimCompletion, Error> {
    Ok(ClaimCompletion {
        case_number: text("case_number", &request.case_number, MAX_ID_CHARS)?,
        filing_number: text("filing_number", &request.filing_number, MAX_ID_CHARS)?,
        account_id: text("account_id", &request.account_id, MAX_ID_CHARS)?,
    })
}

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

/// A normalised email (domain lower-cased, IDN as punycode), or INVALID_ARGUMENT naming `field`.
pub fn email(value: &str, field: &'static str) -> Result<String, Error> {
    normalise_email(value).map_err(|e| Error::invalid(field, e.to_string()))
}

fn key(value: &str, field: &'static str) -> Result<String, Error> {
    Ok(required_text(value, MAX_KEY_CHARS).map_err(|d| Error::invalid(field, d))?.to_owned())
}

pub fn email_replacement(request: pb::ReplaceLoginEmailRequest) -> Result<EmailReplacement, Error> {
    Ok(EmailReplacement {
        case_number: key(&request.case_number, "case_number")?,
        filing_number: FilingNumber::parse(&request.filing_number)
            .map_err(|e| Error::invalid("filing_number", e.to_string()))?,
        new_login_email: email(&request.new_login_email, "new_login_email")?,
    })
}

pub fn found_login(found: Option<FoundLogin>) -> pb::FindLegacyLoginResponse {
    match found {
        Some(login) => pb::FindLegacyLoginResponse {
            legacy_login_id: login.legacy_login_id,
            masked_login_email: mask_email(&login.login_email),
            activated: login.activated,
            found: true,
        },
        None => pb::FindLegacyLoginResponse::default(),
    }
}

pub fn password_reset(request: pb::ResetLegacyPasswordRequest) -> Result<PasswordReset, Error> {
    if request.proof.trim().is_empty() {
        return Err(Error::invalid("proof", "is required"));
    }
    if request.new_password.is_empty() || request.new_password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Error::invalid(
            "new_password",
            format!("is required, at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(PasswordReset {
        login_email: email(&request.login_email, "login_email")?,
        proof: request.proof,
        new_password: request.new_password,
        request_id: key(&request.request_id, "request_id")?,
    })
}
