//! `beian.filing_registry.v1.DomainRegistrationInternalService`: registrars' records of
//! domains, validated here and stored for the domain verification (`crate::domains`).

use beian_common::contact::normalise_certificate_number;
use beian_platform::wire::{enums::required, millis, required_text};
use beian_proto::filing_registry::v1::{
    self as pb, domain_registration_internal_service_server::DomainRegistrationInternalService,
};
use tonic::{Request, Response, Status};

use crate::{domains::DomainRegistration, error::Error, service::FilingRegistry};

/// Records one request may carry: enough for a registrar's batch, small enough for one transaction.
const MAX_REGISTRATIONS: usize = 1000;

#[derive(Debug, Clone)]
pub struct RegistrationApi {
    service: FilingRegistry,
}

impl RegistrationApi {
    pub fn new(service: FilingRegistry) -> Self {
        Self { service }
    }
}

#[tonic::async_trait]
impl DomainRegistrationInternalService for RegistrationApi {
    async fn record_domain_registrations(
        &self,
        request: Request<pb::RecordDomainRegistrationsRequest>,
    ) -> Result<Response<pb::RecordDomainRegistrationsResponse>, Status> {
        let registrations = registrations(request.into_inner())?;
        let recorded = self.service.record_domain_registrations(&registrations).await?;
        let recorded = i32::try_from(recorded).map_err(Error::internal)?;
        Ok(Response::new(pb::RecordDomainRegistrationsResponse { recorded }))
    }
}

fn registrations(request: pb::RecordDomainRegistrationsRequest) -> Result<Vec<DomainRegistration>, Error> {
    if request.registrations.is_empty() || request.registrations.len() > MAX_REGISTRATIONS {
        return Err(Error::invalid("registrations", format!("must hold 1 to {MAX_REGISTRATIONS} records")));
    }
    request.registrations.into_iter().enumerate().map(|(i, record)| registration(i, record)).collect()
}

fn registration(i: usize, record: pb::DomainRegistration) -> Result<DomainRegistration, Error> {
    let field = |name: &str| format!("registrations[{i}].{name}");
    let text = |name: &str, value: &str, max_chars| {
        required_text(value, max_chars)
            .map(str::to_owned)
            .map_err(|description| Error::invalid(field(name), description))
    };
    let domain = beian_common::domain_name::normalise_domain(&record.domain)
        .map_err(|e| Error::invalid(field("domain"), e.to_string()))?;
    let certificate_number = text("holder_certificate_number", &record.holder_certificate_number, 64)?;
    if normalise_certificate_number(&certificate_number).is_empty() {
        return Err(Error::invalid(field("holder_certificate_number"), "is required"));
    }
    let expire_time =
        record.expire_time.ok_or_else(|| Error::invalid(field("expire_time"), "is required"))?;
    Ok(DomainRegistration {
        domain,
        registrar: text("registrar", &record.registrar, 128)?,
        holder_name: text("holder_name", &record.holder_name, 128)?,
        holder_certificate_type: required(field("holder_certificate_type"), record.holder_certificate_type)?,
        holder_certificate_number: certificate_number,
        real_name_verified: record.real_name_verified,
        expires_at_ms: millis(&expire_time),
    })
}
