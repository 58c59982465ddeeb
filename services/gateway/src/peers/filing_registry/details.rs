//! MatchSubjectDetails: what the registry holds of a new filing's details.

use beian_platform::wire::enums::to_wire;
use beian_proto::filing_registry::v1 as pb;

use super::FilingRegistry;
use crate::{
    error::Error,
    model::new_filing::{DomainFiling, NewFilingDetails, RegistryMatch},
};

impl FilingRegistry {
    /// The account's own subject, a subject with these details elsewhere, the domain's filing.
    pub async fn match_subject_details(
        &self,
        account_id: &str,
        details: &NewFilingDetails,
    ) -> Result<RegistryMatch, Error> {
        let reply = self
            .internal
            .clone()
            .match_subject_details(pb::MatchSubjectDetailsRequest {
                account_id: account_id.to_owned(),
                region: Some(super::super::region_to_wire(&details.region)),
                nature: to_wire(details.nature),
                certificate_type: to_wire(details.certificate_type),
                certificate_number: details.certificate_number.clone(),
                domain: details.domain.clone(),
            })
            .await?
            .into_inner();
        let domain = match pb::DomainFilingState::try_from(reply.domain_state) {
            Ok(pb::DomainFilingState::NotFiled) => DomainFiling::NotFiled,
            Ok(pb::DomainFilingState::Active) => DomainFiling::Active,
            Ok(pb::DomainFilingState::AccessCancelled) => DomainFiling::AccessCancelled,
            _ => return Err(Error::internal(format!("a peer answered domain state {}", reply.domain_state))),
        };
        Ok(RegistryMatch {
            holds_subject: reply.holds_subject,
            held_subject_matches: reply.held_subject_matches,
            details_held_elsewhere: reply.details_held_elsewhere,
            domain,
            domain_in_held_subject: reply.domain_in_held_subject,
        })
    }
}
