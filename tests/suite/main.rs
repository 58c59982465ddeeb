//! Suite-level tests: all five services in-process on ephemeral ports, each
//! with a fresh database of the engine under test (see the harness).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

mod client_address;
mod credentials;
mod decisions;
mod demo;
mod domain_checks;
mod errors;
mod filing;
mod filing_password;
mod filing_type;
mod grpc_web;
mod health;
mod legacy_claim;
mod legacy_import;
mod legacy_load;
mod legacy_reset;
mod limits;
mod login;
mod lookup;
mod lost_answers;
mod message_limits;
mod metrics;
mod offline_transfer;
mod password_reset;
mod platform_load;
mod reflection;
mod reviews;
mod scratch;
mod service_numbers;
mod transfer;

pub use beian_tests::reason;

use tonic::Status;
use tonic_types::{ErrorDetail, StatusExt};

/// The (zh-CN, en) messages of a suite error.
pub fn messages(status: &Status) -> (String, String) {
    let find = |locale: &str| {
        status
            .get_error_details_vec()
            .into_iter()
            .find_map(|detail| match detail {
                ErrorDetail::LocalizedMessage(m) if m.locale == locale => Some(m.message),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {locale} message on {status:?}"))
    };
    (find("zh-CN"), find("en"))
}
