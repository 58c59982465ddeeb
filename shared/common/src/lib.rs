//! Pure helpers shared by the suite's domain code: masking of personal data
//! for display and logs, and the business-day calendar for review deadlines.

pub mod calendar;
pub mod masking;

pub use calendar::{BusinessCalendar, CalendarError};
pub use masking::{
    MaskedEmail, MaskedIdNumber, MaskedLoginName, MaskedMobile, mask_email, mask_id_number,
    mask_login_name, mask_mobile,
};
