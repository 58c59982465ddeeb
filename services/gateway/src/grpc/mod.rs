//! The wire boundary of the public API: generated types stop here. Each handler
//! validates, converts into domain types, runs the workflow step and converts back.

mod account;
mod account_lookup;
mod convert;
mod filing;
mod filing_password;
mod filing_transfer;
mod human_check;
mod legacy_filing;
mod legacy_login;
mod staff_review;

use beian_proto::gateway::v1::{
    account_lookup_service_server::AccountLookupServiceServer, account_service_server::AccountServiceServer,
    filing_password_service_server::FilingPasswordServiceServer, filing_service_server::FilingServiceServer,
    filing_transfer_service_server::FilingTransferServiceServer,
    human_check_service_server::HumanCheckServiceServer,
    legacy_filing_service_server::LegacyFilingServiceServer,
    legacy_login_service_server::LegacyLoginServiceServer,
    staff_review_service_server::StaffReviewServiceServer,
};
use tonic::{server::NamedService, service::Routes};

use crate::workflows::Workflows;

/// The gRPC services this binary serves, as health reports them.
pub const SERVICE_NAMES: &[&str] = &[
    <AccountServiceServer<account::AccountApi> as NamedService>::NAME,
    <AccountLookupServiceServer<account_lookup::AccountLookupApi> as NamedService>::NAME,
    <FilingServiceServer<filing::FilingApi> as NamedService>::NAME,
    <FilingPasswordServiceServer<filing_password::FilingPasswordApi> as NamedService>::NAME,
    <FilingTransferServiceServer<filing_transfer::FilingTransferApi> as NamedService>::NAME,
    <HumanCheckServiceServer<human_check::HumanCheckApi> as NamedService>::NAME,
    <LegacyFilingServiceServer<legacy_filing::LegacyFilingApi> as NamedService>::NAME,
    <LegacyLoginServiceServer<legacy_login::LegacyLoginApi> as NamedService>::NAME,
    <StaffReviewServiceServer<staff_review::StaffReviewApi> as NamedService>::NAME,
];

/// Largest request the gateway reads: ten 5 MiB documents plus the form.
pub const MAX_REQUEST_BYTES: usize = 10 * 5 * 1024 * 1024 + 1024 * 1024;

pub fn routes(workflows: Workflows) -> Routes {
    Routes::new(AccountServiceServer::new(account::AccountApi::new(workflows.clone())))
        .add_service(
            AccountLookupServiceServer::new(account_lookup::AccountLookupApi::new(workflows.clone()))
                .max_decoding_message_size(MAX_REQUEST_BYTES),
        )
        .add_service(FilingServiceServer::new(filing::FilingApi))
        .add_service(
            FilingPasswordServiceServer::new(filing_password::FilingPasswordApi)
                .max_decoding_message_size(MAX_REQUEST_BYTES),
        )
        .add_service(
            FilingTransferServiceServer::new(filing_transfer::FilingTransferApi)
                .max_decoding_message_size(MAX_REQUEST_BYTES),
        )
        .add_service(HumanCheckServiceServer::new(human_check::HumanCheckApi::new(workflows.clone())))
        .add_service(
            LegacyFilingServiceServer::new(legacy_filing::LegacyFilingApi)
                .max_decoding_message_size(MAX_REQUEST_BYTES),
        )
        .add_service(
            LegacyLoginServiceServer::new(legacy_login::LegacyLoginApi)
                .max_decoding_message_size(MAX_REQUEST_BYTES),
        )
        .add_service(StaffReviewServiceServer::new(staff_review::StaffReviewApi::new(workflows)))
}
