//! Pure helpers shared by the suite's domain code: masking of personal data
//! for display and logs, password hashes and the password policy, the vocabularies several services
//! share, which uploaded documents are accepted, the business-day calendar for review deadlines, and normalisation of the domain names, ICP filing numbers, server filing service numbers and contact details
//! people type, so equal values always compare equal.

pub mod calendar;
pub mod contact;
pub mod documents;
pub mod domain_name;
pub mod filing_number;
pub mod locale;
pub mod masking;
pub mod password;
pub mod password_policy;
pub mod service_number;
pub mod vocabulary;
mod width;

pub use calendar::{BusinessCalendar, CalendarError};
pub use contact::{
    ContactError, is_resident_id_number, normalise_certificate_number, normalise_email, normalise_mobile,
};
pub use domain_name::{DomainNameError, normalise_domain};
pub use filing_number::{
    FilingKind, FilingNumber, FilingNumberError, is_province_code, province_code_of_abbreviation,
};
pub use masking::{
    MaskedEmail, MaskedIdNumber, MaskedLoginName, MaskedMobile, mask_email, mask_id_number, mask_login_name,
    mask_mobile, mask_name,
};
pub use service_number::{ServiceNumberError, normalise_service_number};
