//! Review applications for the tests: one complete request per kind, documents with real
//! file signatures, and the accounts that cases name.

use beian_common::filing_number::FilingNumber;
use beian_proto::{
    common::v1::{self as common, CertificateType as Cert, DocumentKind as Doc, ReviewKind as Kind},
    identity_recovery::v1::{OpenReviewCaseRequest, ReviewSubject},
};
use chrono::DateTime;
use identity_recovery::{
    Locale,
    accounts::Site,
    reviews::{self, Applicant, CaseSubject, ContentType, NewCase, ReviewKind, Upload},
    seed::SeedAccount,
};

use crate::support::TestApp;

/// The applicant's data, in the clear: none of it may reach the wire unmasked.
pub const NAME: &str = "欧阳娜娜";
pub const MOBILE: &str = "13712345678";
pub const EMAIL: &str = "ouyangnana@example.com";
pub const ID_NUMBER: &str = "11010519491231002X";
pub const SUBJECT_ID_NUMBER: &str = "440304199001011233";
pub const NEW_LOGIN_EMAIL: &str = "new-login@example.com";

pub const CLAIMER: &str = "acc-claimer";
pub const TARGET: &str = "acc-target";

/// Accounts that claims and transfers name.
pub async fn seed_accounts(app: &TestApp) {
    let account = |account_id, login_name, mobile, email| SeedAccount {
        account_id,
        login_name,
        site: Site::Cn,
        mobile,
        email,
        password: "Demo#2026pass",
        staff: false,
    };
    identity_recovery::seed::insert_accounts(
        app.database(),
        &[
            account(CLAIMER, "claimer01", "13900000001", "claimer@example.com"),
            account(TARGET, "target01", "13900000002", "target@example.com"),
        ],
    )
    .await
    .expect("seed accounts");
}

pub fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(b"\0\0\0\rIHDR not really an image");
    bytes
}

pub fn jpeg() -> Vec<u8> {
    b"\xFF\xD8\xFF\xE0\0\x10JFIF\0".to_vec()
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n%fake\n".to_vec()
}

pub fn document(kind: Doc) -> common::Document {
    common::Document { kind: kind as i32, content_type: "image/png".into(), content: png() }
}

pub fn documents(kinds: &[Doc]) -> Vec<common::Document> {
    kinds.iter().map(|kind| document(*kind)).collect()
}

pub fn applicant() -> common::Applicant {
    common::Applicant {
        name: NAME.into(),
        certificate_type: Cert::ResidentIdCard as i32,
        certificate_number: ID_NUMBER.into(),
        mobile: MOBILE.into(),
        email: EMAIL.into(),
    }
}

pub const ID_AND_HALF_BODY: &[Doc] = &[Doc::IdCardFront, Doc::IdCardBack, Doc::HalfBodyWithIdCard];

/// A complete application of `kind` about `key` (a domain for lookups and claims, a
/// filing serial otherwise), so several can be pending at once.
pub fn request(kind: Kind, key: &str) -> OpenReviewCaseRequest {
    let filing_number = format!("浙ICP备{key}号");
    let (subject, kinds): (ReviewSubject, &[Doc]) = match kind {
        Kind::AccountLookup => (ReviewSubject { domain: key.into(), ..ReviewSubject::default() }, &[]),
        Kind::LegacyLoginReset => (
            ReviewSubject {
                filing_number,
                nature: common::SubjectNature::Individual as i32,
                new_login_email: NEW_LOGIN_EMAIL.into(),
                ..ReviewSubject::default()
            },
            ID_AND_HALF_BODY,
        ),
        Kind::FilingPassword => (
            ReviewSubject {
                filing_number,
                certificate_type: Cert::ResidentIdCard as i32,
                certificate_number: SUBJECT_ID_NUMBER.into(),
                region: Some(common::Region {
                    province_code: "330000".into(),
                    city_code: "330100".into(),
                    district_code: "330106".into(),
                }),
                ..ReviewSubject::default()
            },
            ID_AND_HALF_BODY,
        ),
        Kind::LegacyClaim => (
            ReviewSubject {
                domain: key.into(),
                account_id: CLAIMER.into(),
                certificate_type: Cert::ResidentIdCard as i32,
                certificate_number: SUBJECT_ID_NUMBER.into(),
                ..ReviewSubject::default()
            },
            &[Doc::IdCardFront, Doc::IdCardBack],
        ),
        Kind::OfflineTransfer => (
            ReviewSubject {
                filing_number,
                target_account_id: TARGET.into(),
                nature: common::SubjectNature::Individual as i32,
                ..ReviewSubject::default()
            },
            ID_AND_HALF_BODY,
        ),
        Kind::Unspecified => (ReviewSubject::default(), &[]),
    };
    OpenReviewCaseRequest {
        // every call a request of its own: duplicates are told apart by their contents
        request_id: uuid::Uuid::new_v4().simple().to_string(),
        kind: kind as i32,
        applicant: Some(applicant()),
        subject: Some(subject),
        documents: documents(kinds),
        locale: "zh-CN".into(),
    }
}

pub const ALL_KINDS: [Kind; 5] = [
    Kind::AccountLookup,
    Kind::LegacyLoginReset,
    Kind::FilingPassword,
    Kind::LegacyClaim,
    Kind::OfflineTransfer,
];

/// The key a test gives each application so none is a duplicate of another.
pub fn key_for(kind: Kind, n: usize) -> String {
    match kind {
        Kind::AccountLookup | Kind::LegacyClaim => format!("case-{n}.example.cn"),
        _ => format!("{:08}", 19_000_000 + n),
    }
}

/// Unix milliseconds of an RFC 3339 time.
pub fn millis(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).expect("test time").timestamp_millis()
}

/// A domain-level application for the seed path (cases with a past submission time).
pub fn seed_case(kind: ReviewKind, key: &str) -> NewCase {
    let id_docs = |kinds: &[reviews::DocumentKind]| {
        kinds
            .iter()
            .map(|kind| Upload { kind: *kind, content_type: ContentType::Pdf, content: pdf() })
            .collect::<Vec<_>>()
    };
    use reviews::DocumentKind as D;
    let filing = || Some(FilingNumber::parse(&format!("浙ICP备{key}号")).expect("test filing number"));
    let (subject, documents) = match kind {
        ReviewKind::AccountLookup => {
            (CaseSubject { domain: Some(key.into()), ..CaseSubject::default() }, vec![])
        }
        ReviewKind::FilingPassword => (
            CaseSubject {
                filing_number: filing(),
                certificate: Some(reviews::Certificate {
                    kind: reviews::CertificateType::ResidentIdCard,
                    number: SUBJECT_ID_NUMBER.into(),
                }),
                ..CaseSubject::default()
            },
            id_docs(&[D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard]),
        ),
        ReviewKind::LegacyClaim => (
            CaseSubject {
                domain: Some(key.into()),
                account_id: Some(CLAIMER.into()),
                certificate: Some(reviews::Certificate {
                    kind: reviews::CertificateType::ResidentIdCard,
                    number: SUBJECT_ID_NUMBER.into(),
                }),
                ..CaseSubject::default()
            },
            id_docs(&[D::IdCardFront, D::IdCardBack]),
        ),
        ReviewKind::LegacyLoginReset | ReviewKind::OfflineTransfer => (
            CaseSubject {
                filing_number: filing(),
                nature: Some(reviews::Nature::Individual),
                new_login_email: Some(NEW_LOGIN_EMAIL.into()),
                target_account_id: Some(TARGET.into()),
                ..CaseSubject::default()
            },
            id_docs(&[D::IdCardFront, D::IdCardBack, D::HalfBodyWithIdCard]),
        ),
    };
    NewCase {
        request_id: uuid::Uuid::new_v4().simple().to_string(),
        kind,
        applicant: Applicant { name: NAME.into(), certificate: None, mobile: MOBILE.into(), email: None },
        subject,
        documents,
        locale: Locale::ZhCn,
    }
}
