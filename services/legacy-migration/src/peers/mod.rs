//! The services legacy-migration calls, through traced, credentialed channels: a refusal
//! meant for the user passes through, an outage becomes DEPENDENCY_UNAVAILABLE.

mod filing_registry;
mod verification_codes;

pub use filing_registry::FilingRegistry;
pub use verification_codes::VerificationCodes;
