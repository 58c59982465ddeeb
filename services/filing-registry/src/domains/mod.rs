//! Domain verification (域名核验, seed 002 §1.1): what registrars know of domains, pushed by
//! their integration (RecordDomainRegistrations, a later record replacing the earlier), and
//! the check every domain a filing adds must pass — a first filing's (none starts here) and a
//! new website's. Changes that only remove, cancel access and deregistration verify nothing.

pub mod store;

use std::fmt;

use beian_common::{contact::normalise_certificate_number, masking::MaskedIdNumber};
use beian_platform::storage::{Database, now_millis};

use crate::{
    error::Error,
    service::FilingRegistry,
    subjects::{CertificateType, Subject},
};

/// A registrar's record of one domain, as recorded. No personal data in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct DomainRegistration {
    /// Normalised (`beian_common::domain_name::normalise_domain`).
    pub domain: String,
    pub registrar: String,
    /// Trimmed.
    pub holder_name: String,
    pub holder_certificate_type: CertificateType,
    /// As the registrar gave it; stored with its normalised key, as a subject's is.
    pub holder_certificate_number: String,
    pub real_name_verified: bool,
    pub expires_at_ms: i64,
}

impl fmt::Debug for DomainRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DomainRegistration")
            .field("domain", &self.domain)
            .field("registrar", &self.registrar)
            .field("holder_certificate_type", &self.holder_certificate_type)
            .field("holder_certificate_number", &MaskedIdNumber(&self.holder_certificate_number))
            .field("real_name_verified", &self.real_name_verified)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// What the check decides from: a stored registration's holder and standing.
#[derive(Clone, PartialEq, Eq)]
pub struct Holding {
    pub holder_name: String,
    pub holder_certificate_type: CertificateType,
    /// Upper-cased, separators removed.
    pub holder_certificate_key: String,
    pub real_name_verified: bool,
    pub expires_at_ms: i64,
}

impl fmt::Debug for Holding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Holding")
            .field("holder_certificate_type", &self.holder_certificate_type)
            .field("holder_certificate_key", &MaskedIdNumber(&self.holder_certificate_key))
            .field("real_name_verified", &self.real_name_verified)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// One domain's verification, in this order: a registration whose holder passed real-name
/// verification (none at all counts as not verified), not expired at `now_ms`, held by the
/// subject itself (name trimmed, certificate type, certificate number normalised).
pub fn verify(domain: &str, holding: Option<&Holding>, subject: &Subject, now_ms: i64) -> Result<(), Error> {
    let domain = || domain.to_owned();
    let Some(holding) = holding.filter(|holding| holding.real_name_verified) else {
        return Err(Error::DomainNotRealNameVerified { domain: domain() });
    };
    if holding.expires_at_ms <= now_ms {
        return Err(Error::DomainExpired { domain: domain() });
    }
    let same_holder = holding.holder_name.trim() == subject.name.trim()
        && holding.holder_certificate_type == subject.certificate_type
        && holding.holder_certificate_key == normalise_certificate_number(&subject.certificate_number);
    if !same_holder {
        return Err(Error::DomainHolderMismatch { domain: domain() });
    }
    Ok(())
}

/// `domain` and each domain above it that still has two labels, longest first:
/// `a.example.com.cn` → `a.example.com.cn`, `example.com.cn`, `com.cn`.
fn self_and_parents(domain: &str) -> Vec<&str> {
    let mut names = vec![domain];
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        if !parent.contains('.') {
            break;
        }
        names.push(parent);
        rest = parent;
    }
    names
}

/// Stores registrations in one transaction, each replacing the domain's earlier record (a
/// domain given twice keeps the later); answers how many were written.
pub async fn record(db: &Database, registrations: &[DomainRegistration]) -> Result<usize, Error> {
    let now = now_millis();
    let mut writer = db.writer().await?;
    let mut tx = writer.begin().await?;
    for registration in registrations {
        store::upsert(&mut *tx, registration, now).await?;
    }
    tx.commit().await?;
    drop(writer);
    Ok(registrations.len())
}

impl FilingRegistry {
    /// RecordDomainRegistrations: what the registrar integration pushes.
    pub async fn record_domain_registrations(
        &self,
        registrations: &[DomainRegistration],
    ) -> Result<usize, Error> {
        let recorded = record(&self.db, registrations).await?;
        tracing::info!(recorded, "domain registrations recorded");
        Ok(recorded)
    }

    /// 域名核验 of the (normalised) domains `subject` would file, in the order given: the
    /// first that fails refuses the request.
    pub(crate) async fn verify_domains(&self, subject: &Subject, domains: &[String]) -> Result<(), Error> {
        let now = now_millis();
        for domain in domains {
            let holding = store::find(self.db.reader(), domain).await?;
            verify(domain, holding.as_ref(), subject, now)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subjects::{Nature, Region};

    const NOW: i64 = 1_800_000_000_000;

    fn subject() -> Subject {
        Subject {
            subject_id: "sub-1".into(),
            filing_number: "浙ICP备19012345号".into(),
            name: "张伟".into(),
            nature: Nature::Individual,
            region: Region {
                province_code: "330000".into(),
                city_code: "330100".into(),
                district_code: "330106".into(),
            },
            certificate_type: CertificateType::ResidentIdCard,
            certificate_number: "33010619900101123x".into(),
            principal_name: "张伟".into(),
            principal_mobile: "15212341234".into(),
            principal_email: "zhang.wei@example.com".into(),
            holder_account_id: Some("acc-1".into()),
            websites: Vec::new(),
            order_in_progress: false,
        }
    }

    fn held() -> Holding {
        Holding {
            holder_name: " 张伟 ".into(),
            holder_certificate_type: CertificateType::ResidentIdCard,
            holder_certificate_key: "33010619900101123X".into(),
            real_name_verified: true,
            expires_at_ms: NOW + 1,
        }
    }

    /// The refusal, as `Debug` shows it.
    fn refusal(holding: Option<&Holding>) -> Option<String> {
        verify("a.cn", holding, &subject(), NOW).err().map(|error| format!("{error:?}"))
    }

    #[test]
    fn the_subjects_own_verified_live_domain_passes() {
        assert_eq!(refusal(Some(&held())), None);
    }

    #[test]
    fn each_rule_refuses_in_the_seeds_order() {
        let unverified = Holding { real_name_verified: false, expires_at_ms: 0, ..held() };
        let expired = Holding { expires_at_ms: NOW, holder_name: "李四".into(), ..held() };
        let other_name = Holding { holder_name: "李四".into(), ..held() };
        let other_type = Holding { holder_certificate_type: CertificateType::Passport, ..held() };
        let other_number = Holding { holder_certificate_key: "330106199001011230".into(), ..held() };
        let refused = |name: &str| Some(format!("{name} {{ domain: \"a.cn\" }}"));
        assert_eq!(refusal(None), refused("DomainNotRealNameVerified"));
        assert_eq!(refusal(Some(&unverified)), refused("DomainNotRealNameVerified"));
        assert_eq!(refusal(Some(&expired)), refused("DomainExpired"));
        for other in [other_name, other_type, other_number] {
            assert_eq!(refusal(Some(&other)), refused("DomainHolderMismatch"));
        }
    }

    #[test]
    fn a_domain_is_looked_up_under_itself_then_each_parent() {
        assert_eq!(
            self_and_parents("a.b.example.com.cn"),
            ["a.b.example.com.cn", "b.example.com.cn", "example.com.cn", "com.cn"]
        );
        assert_eq!(self_and_parents("example.cn"), ["example.cn"]);
    }

    #[test]
    fn debug_output_masks_the_certificate_number() {
        let registration = DomainRegistration {
            domain: "a.cn".into(),
            registrar: "示例注册商".into(),
            holder_name: "张伟".into(),
            holder_certificate_type: CertificateType::ResidentIdCard,
            holder_certificate_number: "33010619900101123X".into(),
            real_name_verified: true,
            expires_at_ms: NOW,
        };
        let shown = format!("{registration:?} {:?}", held());
        assert!(!shown.contains("19900101") && !shown.contains("张伟"), "{shown}");
    }
}
