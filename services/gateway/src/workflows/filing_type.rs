//! The new-filing stop (开始备案, seed 002 §6; SPEC §4): CheckFilingType answers what a new
//! filing of these details is — FIRST (首次备案), NEW_WEBSITE (新增网站), ACCESS (接入备案)
//! or CLAIM (认领备案) — or stops it. One step, no flow: it changes nothing.
//!
//! legacy-migration (MatchFilingDetails) and filing-registry (MatchSubjectDetails, for the
//! caller's account) are asked at once; [`decide`] is the table of ARCHITECTURE.md's legacy
//! section. A subject whose details exist on the legacy platform in the import band stops
//! with FILING_EXISTS_ON_LEGACY naming the legacy login's masked email (需通过验证原备案账号
//! X***@…，将备案信息导入后继续备案), which leads the user to ImportLegacyFiling.

use beian_common::vocabulary::LegacyAction;
use beian_platform::status::ErrorReason;

use crate::{
    error::Error,
    model::{
        account::SessionToken,
        new_filing::{DomainFiling, FilingType, LegacyMatch, NewFilingDetails, RegistryMatch},
    },
    peers::{FilingRegistry, IdentityRecovery, LegacyMigration},
};

#[derive(Debug, Clone)]
pub struct FilingTypeCheck {
    pub(super) identity: IdentityRecovery,
    pub(super) registry: FilingRegistry,
    pub(super) legacy: LegacyMigration,
}

impl FilingTypeCheck {
    /// CheckFilingType for the logged-in caller.
    pub async fn check(
        &self,
        session: &SessionToken,
        details: &NewFilingDetails,
    ) -> Result<FilingType, Error> {
        let account = self.identity.resolve_session(session).await?;
        let (legacy, registry) = futures::try_join!(
            self.legacy.match_details(details),
            self.registry.match_subject_details(&account.account_id, details)
        )?;
        decide(legacy.as_ref(), &registry, &details.domain)
    }
}

/// The decision table: the legacy platform first (a filing there is not in the registry
/// until claimed or imported), then the registry's one-account-one-subject rules.
pub fn decide(
    legacy: Option<&LegacyMatch>,
    registry: &RegistryMatch,
    domain: &str,
) -> Result<FilingType, Error> {
    match legacy.map(|found| found.action) {
        Some(LegacyAction::Import) => {
            let masked_legacy_email =
                legacy.map(|found| found.masked_legacy_email.clone()).unwrap_or_default();
            return Err(Error::FilingExistsOnLegacy { masked_legacy_email });
        }
        Some(LegacyAction::Claim) if registry.holds_subject => {
            return Err(Error::NewFilingRule(ErrorReason::AccountHoldsOtherSubject));
        }
        Some(LegacyAction::Claim) => return Ok(FilingType::Claim),
        // the regulator still holds it, through another provider
        Some(LegacyAction::MovedAway) => return Ok(FilingType::Access),
        // migrated filings are the registry's now; later ones were never the legacy platform's to keep
        Some(LegacyAction::AlreadyMigrated | LegacyAction::None) | None => {}
    }
    let domain_filed = || Error::DomainAlreadyFiled { domain: domain.to_owned() };
    if registry.domain == DomainFiling::Active {
        return Err(domain_filed());
    }
    if registry.details_held_elsewhere {
        return Err(Error::NewFilingRule(ErrorReason::SubjectHeldByAnotherAccount));
    }
    if registry.holds_subject && !registry.held_subject_matches {
        return Err(Error::NewFilingRule(ErrorReason::AccountHoldsOtherSubject));
    }
    match registry.domain {
        DomainFiling::AccessCancelled if registry.domain_in_held_subject => Ok(FilingType::Access),
        DomainFiling::AccessCancelled => Err(domain_filed()),
        _ if registry.holds_subject => Ok(FilingType::NewWebsite),
        _ => Ok(FilingType::First),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use beian_common::vocabulary::{CertificateType, Nature};

    use super::*;
    use crate::model::new_filing::{LegacySummary, Region};

    const NOTHING: RegistryMatch = RegistryMatch {
        holds_subject: false,
        held_subject_matches: false,
        details_held_elsewhere: false,
        domain: DomainFiling::NotFiled,
        domain_in_held_subject: false,
    };
    const OWN: RegistryMatch = RegistryMatch { holds_subject: true, held_subject_matches: true, ..NOTHING };

    fn legacy(action: LegacyAction) -> LegacyMatch {
        LegacyMatch {
            action,
            masked_legacy_email: "o***@legacy.example.com".into(),
            domain_matches: true,
            summary: LegacySummary {
                filing_number: "沪ICP备08001234号".into(),
                nature: Nature::Individual,
                region: Region {
                    province_code: "310000".into(),
                    city_code: "310100".into(),
                    district_code: "310104".into(),
                },
                certificate_type: CertificateType::ResidentIdCard,
                masked_certificate_number: "310*****663".into(),
                masked_principal_name: "吴**".into(),
            },
        }
    }

    fn reason(result: Result<FilingType, Error>) -> String {
        match result {
            Err(Error::NewFilingRule(reason)) => reason.as_str_name().to_owned(),
            Err(Error::DomainAlreadyFiled { .. }) => "DOMAIN_ALREADY_FILED".to_owned(),
            Err(Error::FilingExistsOnLegacy { masked_legacy_email }) => {
                format!("LEGACY {masked_legacy_email}")
            }
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn every_row_of_the_table() {
        let d = "example.cn";
        assert_eq!(decide(None, &NOTHING, d).unwrap(), FilingType::First);
        assert_eq!(decide(None, &OWN, d).unwrap(), FilingType::NewWebsite);
        let cancelled =
            RegistryMatch { domain: DomainFiling::AccessCancelled, domain_in_held_subject: true, ..OWN };
        assert_eq!(decide(None, &cancelled, d).unwrap(), FilingType::Access);
        assert_eq!(decide(Some(&legacy(LegacyAction::Claim)), &NOTHING, d).unwrap(), FilingType::Claim);
        assert_eq!(decide(Some(&legacy(LegacyAction::MovedAway)), &NOTHING, d).unwrap(), FilingType::Access);
        assert_eq!(
            decide(Some(&legacy(LegacyAction::AlreadyMigrated)), &OWN, d).unwrap(),
            FilingType::NewWebsite
        );
        assert_eq!(decide(Some(&legacy(LegacyAction::None)), &NOTHING, d).unwrap(), FilingType::First);

        assert_eq!(
            reason(decide(Some(&legacy(LegacyAction::Import)), &OWN, d)),
            "LEGACY o***@legacy.example.com"
        );
        assert_eq!(
            reason(decide(Some(&legacy(LegacyAction::Claim)), &OWN, d)),
            "ERROR_REASON_ACCOUNT_HOLDS_OTHER_SUBJECT"
        );
        let active = RegistryMatch { domain: DomainFiling::Active, ..OWN };
        assert_eq!(reason(decide(None, &active, d)), "DOMAIN_ALREADY_FILED");
        let others = RegistryMatch { domain: DomainFiling::AccessCancelled, ..NOTHING };
        assert_eq!(reason(decide(None, &others, d)), "DOMAIN_ALREADY_FILED");
        let elsewhere = RegistryMatch { details_held_elsewhere: true, ..NOTHING };
        assert_eq!(reason(decide(None, &elsewhere, d)), "ERROR_REASON_SUBJECT_HELD_BY_ANOTHER_ACCOUNT");
        let other_subject = RegistryMatch { held_subject_matches: false, ..OWN };
        assert_eq!(reason(decide(None, &other_subject, d)), "ERROR_REASON_ACCOUNT_HOLDS_OTHER_SUBJECT");
    }
}
