//! What each kind of case needs before staff can decide it (SPEC §1–§5, seeds 001 and
//! 002 §5–§6), and what makes two pending cases the same request.

use super::{CertificateType, DocumentKind as D, Nature, NewCase, ReviewKind};
use crate::error::Error;

/// Checks the fields and documents `case.kind` requires; answers the case's
/// duplicate key: kind plus the domain or the subject's filing number, so a website
/// number (`…号-1`) and its subject number (`…号`) are one request.
pub fn admit(case: &NewCase) -> Result<String, Error> {
    let subject = &case.subject;
    let needed =
        |field: &'static str| Error::invalid(field, format!("is required for {}", case.kind.as_str()));
    let required = |present: bool, field: &'static str| if present { Ok(()) } else { Err(needed(field)) };
    let domain = || subject.domain.clone().ok_or_else(|| needed("subject.domain"));
    let filing = || {
        subject
            .filing_number
            .as_ref()
            .map(|number| number.subject_number())
            .ok_or_else(|| needed("subject.filing_number"))
    };
    let nature = || subject.nature.ok_or_else(|| needed("subject.nature"));
    let (key, documents): (String, Vec<D>) = match case.kind {
        ReviewKind::AccountLookup => (domain()?, Vec::new()),
        ReviewKind::LegacyLoginReset => {
            let key = filing()?;
            required(subject.new_login_email.is_some(), "subject.new_login_email")?;
            let documents = match nature()? {
                Nature::Individual => vec![D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard],
                Nature::Organisation => {
                    let mut documents =
                        vec![D::HalfBodyWithOrganisationCertificate, D::IdCardFront, D::IdCardBack];
                    if !subject.applicant_is_principal {
                        documents.push(D::AuthorisationLetter);
                    }
                    documents
                }
            };
            (key, documents)
        }
        ReviewKind::FilingPassword => {
            let key = filing()?;
            let certificate =
                subject.certificate.as_ref().ok_or_else(|| needed("subject.certificate_number"))?;
            let mut documents = vec![D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard];
            // seed 003: an organisation's filing also needs its business licence; the gateway
            // sends no nature here, so the filed certificate tells an organisation apart
            let organisation = subject.nature.map_or_else(
                || is_organisation_certificate(certificate.kind),
                |nature| nature == Nature::Organisation,
            );
            if organisation {
                documents.push(D::OrganisationCertificate);
            }
            (key, documents)
        }
        ReviewKind::LegacyClaim => {
            required(subject.account_id.is_some(), "subject.account_id")?;
            let key = domain()?;
            required(subject.certificate.is_some(), "subject.certificate_number")?;
            // seed 002 §6.1: the holder's certificate; an individual's is the ID card (both
            // sides), which is also what a case opened without a nature needs
            let documents = match subject.nature {
                Some(Nature::Organisation) => vec![D::OrganisationCertificate],
                Some(Nature::Individual) | None => vec![D::IdCardFront, D::IdCardBack],
            };
            (key, documents)
        }
        ReviewKind::OfflineTransfer => {
            let key = filing()?;
            required(subject.target_account_id.is_some(), "subject.target_account_id")?;
            let documents = match nature()? {
                Nature::Individual => vec![D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard],
                Nature::Organisation => vec![
                    D::OrganisationCertificate,
                    D::HalfBodyWithOrganisationCertificate,
                    D::IdCardFront,
                    D::IdCardBack,
                    D::AuthorisationLetter,
                ],
            };
            (key, documents)
        }
    };
    let missing: Vec<D> =
        documents.into_iter().filter(|needed| !case.documents.iter().any(|d| d.kind == *needed)).collect();
    if !missing.is_empty() {
        return Err(Error::MaterialsIncomplete(missing));
    }
    Ok(format!("{}|{key}", case.kind.as_str()))
}

/// Whether a certificate is an organisation's rather than a person's. Every type is
/// named, so a new one has to be placed.
fn is_organisation_certificate(kind: CertificateType) -> bool {
    match kind {
        CertificateType::BusinessLicense
        | CertificateType::OrganisationCode
        | CertificateType::PublicInstitution
        | CertificateType::SocialOrganisation => true,
        CertificateType::ResidentIdCard
        | CertificateType::Passport
        | CertificateType::HkMacaoPermit
        | CertificateType::TaiwanPermit => false,
    }
}

#[cfg(test)]
mod tests {
    use beian_common::filing_number::FilingNumber;
    use beian_platform::error::Common;

    use super::*;
    use crate::{
        locale::Locale,
        reviews::{Applicant, CaseSubject, Certificate, CertificateType, ContentType, Upload},
    };

    fn case(kind: ReviewKind, subject: CaseSubject, documents: &[D]) -> NewCase {
        NewCase {
            request_id: "rules-test".into(),
            kind,
            applicant: Applicant {
                name: "张三".into(),
                certificate: None,
                mobile: "13812345678".into(),
                email: None,
            },
            subject,
            documents: documents
                .iter()
                .map(|kind| Upload {
                    kind: *kind,
                    content_type: ContentType::Pdf,
                    content: b"%PDF-".to_vec(),
                })
                .collect(),
            locale: Locale::ZhCn,
        }
    }

    fn filing(number: &str) -> Option<FilingNumber> {
        Some(FilingNumber::parse(number).expect("a test filing number"))
    }

    fn missing(result: Result<String, Error>) -> Vec<D> {
        match result {
            Err(Error::MaterialsIncomplete(missing)) => missing,
            other => panic!("expected missing materials, got {other:?}"),
        }
    }

    #[test]
    fn organisation_login_reset_needs_the_letter_unless_principal() {
        let subject = CaseSubject {
            filing_number: filing("浙ICP备19012345号-2"),
            nature: Some(Nature::Organisation),
            new_login_email: Some("new@example.com".into()),
            ..CaseSubject::default()
        };
        let documents = [D::HalfBodyWithOrganisationCertificate, D::IdCardFront, D::IdCardBack];
        let not_principal = case(ReviewKind::LegacyLoginReset, subject.clone(), &documents);
        assert_eq!(missing(admit(&not_principal)), [D::AuthorisationLetter]);
        let principal = CaseSubject { applicant_is_principal: true, ..subject };
        let key = admit(&case(ReviewKind::LegacyLoginReset, principal, &documents)).expect("complete");
        assert_eq!(key, "LEGACY_LOGIN_RESET|浙ICP备19012345号");
    }

    #[test]
    fn every_missing_document_is_named() {
        let subject = CaseSubject {
            filing_number: filing("京ICP备12345678号"),
            nature: Some(Nature::Organisation),
            target_account_id: Some("acc-2".into()),
            ..CaseSubject::default()
        };
        assert_eq!(
            missing(admit(&case(ReviewKind::OfflineTransfer, subject, &[D::IdCardBack]))),
            [
                D::OrganisationCertificate,
                D::HalfBodyWithOrganisationCertificate,
                D::IdCardFront,
                D::AuthorisationLetter
            ]
        );
    }

    #[test]
    fn an_organisation_claims_with_its_certificate() {
        let subject = CaseSubject {
            domain: Some("pioneer-2008.cn".into()),
            account_id: Some("acc-1".into()),
            nature: Some(Nature::Organisation),
            certificate: Some(Certificate {
                kind: CertificateType::BusinessLicense,
                number: "91330106MA2B123456".into(),
            }),
            ..CaseSubject::default()
        };
        let id_cards = case(ReviewKind::LegacyClaim, subject.clone(), &[D::IdCardFront, D::IdCardBack]);
        assert_eq!(missing(admit(&id_cards)), [D::OrganisationCertificate]);
        let key =
            admit(&case(ReviewKind::LegacyClaim, subject, &[D::OrganisationCertificate])).expect("complete");
        assert_eq!(key, "LEGACY_CLAIM|pioneer-2008.cn");
    }

    #[test]
    fn an_organisations_filing_password_needs_its_business_licence_as_well() {
        let filed = |kind: CertificateType, nature: Option<Nature>| CaseSubject {
            filing_number: filing("浙ICP备19012345号-1"),
            nature,
            certificate: Some(Certificate { kind, number: "91330106MA2B123456".into() }),
            ..CaseSubject::default()
        };
        let id_and_half_body = [D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard];
        for kind in [
            CertificateType::BusinessLicense,
            CertificateType::OrganisationCode,
            CertificateType::PublicInstitution,
            CertificateType::SocialOrganisation,
        ] {
            let by_certificate = case(ReviewKind::FilingPassword, filed(kind, None), &id_and_half_body);
            assert_eq!(missing(admit(&by_certificate)), [D::OrganisationCertificate], "{kind:?}");
        }
        // the nature, when the case has one, decides over the certificate
        let by_nature = filed(CertificateType::ResidentIdCard, Some(Nature::Organisation));
        let without = case(ReviewKind::FilingPassword, by_nature.clone(), &id_and_half_body);
        assert_eq!(missing(admit(&without)), [D::OrganisationCertificate]);
        let complete = [D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard, D::OrganisationCertificate];
        let key = admit(&case(ReviewKind::FilingPassword, by_nature, &complete)).expect("complete");
        assert_eq!(key, "FILING_PASSWORD|浙ICP备19012345号");
        let individual = filed(CertificateType::BusinessLicense, Some(Nature::Individual));
        admit(&case(ReviewKind::FilingPassword, individual, &id_and_half_body)).expect("an individual's");
    }

    #[test]
    fn an_individuals_filing_password_needs_the_id_card_and_a_half_body_photo_only() {
        for kind in [
            CertificateType::ResidentIdCard,
            CertificateType::Passport,
            CertificateType::HkMacaoPermit,
            CertificateType::TaiwanPermit,
        ] {
            let subject = CaseSubject {
                filing_number: filing("浙ICP备19012345号"),
                certificate: Some(Certificate { kind, number: "33010619900101123X".into() }),
                ..CaseSubject::default()
            };
            assert_eq!(
                missing(admit(&case(ReviewKind::FilingPassword, subject.clone(), &[D::IdCardBack]))),
                [D::IdCardFront, D::HalfBodyWithIdCard],
                "{kind:?}"
            );
            let documents = [D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard];
            admit(&case(ReviewKind::FilingPassword, subject, &documents)).expect("complete");
        }
    }

    #[test]
    fn required_fields_come_before_documents() {
        let subject = CaseSubject {
            certificate: Some(Certificate { kind: CertificateType::Passport, number: "E1234567".into() }),
            ..CaseSubject::default()
        };
        match admit(&case(ReviewKind::LegacyClaim, subject, &[])) {
            Err(Error::Common(Common::InvalidArgument { field, .. })) => {
                assert_eq!(field, "subject.account_id")
            }
            other => panic!("{other:?}"),
        }
        let lookup = CaseSubject { domain: Some("example.com".into()), ..CaseSubject::default() };
        assert_eq!(
            admit(&case(ReviewKind::AccountLookup, lookup, &[])).ok().as_deref(),
            Some("ACCOUNT_LOOKUP|example.com")
        );
    }
}
