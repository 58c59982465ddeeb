//! The wire boundary of the public API: generated types stop here. Each handler
//! validates the request into a domain request (`TryFrom`, failure = INVALID_ARGUMENT
//! naming the field), runs its workflow's step and converts the answer back. Who is
//! calling (client, session) is resolved in `caller`; message sizes in `limits`.

mod account;
mod account_lookup;
mod caller;
mod convert;
mod filing;
mod filing_password;
mod filing_transfer;
mod human_check;
mod legacy_filing;
mod legacy_login;
pub mod limits;
mod new_filing;
mod notices;
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
use tonic::{
    server::NamedService,
    service::{Routes, interceptor::InterceptedService},
};

use self::{caller::ResolveClient, limits::SizeLimited};
use crate::{proxies::TrustedProxies, workflows::Workflows};

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

/// Every service, each with its size limits and the client resolved for its handlers.
pub fn routes(workflows: Workflows, proxies: TrustedProxies) -> Routes {
    let resolve = ResolveClient::new(proxies);
    // tonic's own limit is raised where documents travel; `SizeLimited` then holds every
    // other RPC of the service to the default
    let raised = limits::DOCUMENT_MESSAGE_BYTES;
    Routes::new(limited(
        &resolve,
        AccountServiceServer::new(account::AccountApi::new(workflows.account, workflows.password_reset)),
        &[],
    ))
    .add_service(limited(
        &resolve,
        AccountLookupServiceServer::new(account_lookup::AccountLookupApi::new(workflows.account_lookup))
            .max_decoding_message_size(raised),
        account_lookup::DOCUMENT_RPCS,
    ))
    .add_service(limited(
        &resolve,
        FilingServiceServer::new(filing::FilingApi::new(workflows.filing, workflows.filing_type)),
        &[],
    ))
    .add_service(limited(
        &resolve,
        FilingPasswordServiceServer::new(filing_password::FilingPasswordApi::new(workflows.filing_password))
            .max_decoding_message_size(raised),
        filing_password::DOCUMENT_RPCS,
    ))
    .add_service(limited(
        &resolve,
        FilingTransferServiceServer::new(filing_transfer::FilingTransferApi::new(
            workflows.filing_transfer,
            workflows.offline_transfer,
        ))
        .max_decoding_message_size(raised),
        filing_transfer::DOCUMENT_RPCS,
    ))
    .add_service(limited(
        &resolve,
        HumanCheckServiceServer::new(human_check::HumanCheckApi::new(workflows.human_check)),
        &[],
    ))
    .add_service(limited(
        &resolve,
        LegacyFilingServiceServer::new(legacy_filing::LegacyFilingApi::new(
            workflows.legacy_import,
            workflows.legacy_claim,
        ))
        .max_decoding_message_size(raised),
        legacy_filing::DOCUMENT_RPCS,
    ))
    .add_service(limited(
        &resolve,
        LegacyLoginServiceServer::new(legacy_login::LegacyLoginApi::new(
            workflows.legacy_login_reset,
            workflows.legacy_password_reset,
            workflows.review_status,
        ))
        .max_decoding_message_size(raised),
        legacy_login::DOCUMENT_RPCS,
    ))
    .add_service(limited(
        &resolve,
        StaffReviewServiceServer::new(staff_review::StaffReviewApi::new(workflows.staff_review)),
        &[],
    ))
}

fn limited<S>(
    resolve: &ResolveClient,
    server: S,
    document_rpcs: &'static [&'static str],
) -> SizeLimited<InterceptedService<S, ResolveClient>> {
    SizeLimited::new(InterceptedService::new(server, resolve.clone()), document_rpcs)
}
