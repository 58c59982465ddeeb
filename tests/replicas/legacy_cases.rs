//! Review cases on filings of the legacy platform, opened through the gateways:
//!
//! - a claim (LEGACY_CLAIM): an account holding nothing recognises legacy filing `i` of
//!   2008 by its details and one of its domains, and submits its ID card; approved,
//!   legacy-migration's CompleteClaim (keyed by the case number) runs the import's saga and
//!   the subject lands in the account (no message);
//! - a legacy login reset (LEGACY_LOGIN_RESET): a new login email for legacy filing `i`;
//!   approved, legacy-migration replaces the login's email (keyed by the case number) and
//!   the new email is told (LEGACY_LOGIN_RESET).

use beian_common::contact::is_resident_id_number;
use beian_load::seed;
use beian_platform::storage::Database;
use beian_proto::{
    common::v1::{Applicant, CertificateType, Document, DocumentKind, Region, SubjectNature},
    gateway::v1::{
        StartLegacyClaimRequest, SubmitLegacyClaimRequest, SubmitLegacyLoginResetRequest,
        legacy_filing_service_client::LegacyFilingServiceClient,
        legacy_login_service_client::LegacyLoginServiceClient,
    },
};
use legacy_migration::saga::{Kind, store as migrations};
use sqlx::Row;
use tonic::transport::Channel;

use crate::{
    Owed, bearer, human_check_token,
    imports::{self, SHANGHAI, legacy_login},
    reviews::rejection_notices,
};

/// Claim `i`'s case, made by the empty account beside synthetic filing `account`.
#[derive(Debug, Clone)]
pub struct Claim {
    pub i: usize,
    pub account: usize,
    pub case_number: String,
}

/// Legacy login reset `i`'s case.
#[derive(Debug, Clone)]
pub struct Reset {
    pub i: usize,
    pub case_number: String,
}

fn claim_filing(i: usize) -> String {
    format!("沪ICP备0810{i:04}号")
}

fn claim_domain(i: usize) -> String {
    format!("replica-claim-{i}.cn")
}

fn claim_certificate(i: usize) -> String {
    resident_id(&format!("31010419800101{i:03}"))
}

fn reset_filing(i: usize) -> String {
    format!("沪ICP备1310{i:04}号")
}

fn reset_certificate(i: usize) -> String {
    resident_id(&format!("31010419850505{i:03}"))
}

fn reset_login_id(i: usize) -> String {
    format!("replica-login-reset-{i}")
}

fn old_email(i: usize) -> String {
    format!("replica-reset-{i}@legacy.example.com")
}

fn new_email(i: usize) -> String {
    format!("renewed-{i}@example.com")
}

fn applicant_mobile(i: usize) -> String {
    format!("136{i:08}")
}

fn applicant_email(i: usize) -> String {
    format!("reset-applicant-{i}@example.net")
}

/// The 17 digits given and the check character that makes them a resident ID number.
fn resident_id(body: &str) -> String {
    "0123456789X"
        .chars()
        .map(|check| format!("{body}{check}"))
        .find(|id| is_resident_id_number(id))
        .expect("one check character fits")
}

/// Legacy logins holding the claims' filings `0..claims` (2008: a claim's) and the
/// resets' `0..resets` (2013).
pub async fn seed_filings(db: &Database, claims: usize, resets: usize) {
    let logins: Vec<_> = (0..claims)
        .map(|i| {
            legacy_login(
                &format!("claim-{i}"),
                claim_filing(i),
                claim_certificate(i),
                "2008-04-15",
                claim_domain(i),
            )
        })
        .chain((0..resets).map(|i| {
            let domain = format!("replica-reset-{i}.com.cn");
            legacy_login(&format!("reset-{i}"), reset_filing(i), reset_certificate(i), "2013-03-03", domain)
        }))
        .collect();
    assert_eq!(legacy_migration::seed::insert_logins(db, &logins).await.unwrap(), claims + resets);
}

fn region() -> Region {
    Region {
        province_code: SHANGHAI[0].into(),
        city_code: SHANGHAI[1].into(),
        district_code: SHANGHAI[2].into(),
    }
}

fn documents(kinds: &[DocumentKind]) -> Vec<Document> {
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    kinds
        .iter()
        .map(|kind| Document { kind: *kind as i32, content_type: "image/png".into(), content: PNG.to_vec() })
        .collect()
}

/// Claim `i` by the empty account beside filing `account` (logged in as `session`):
/// recognised through `one` (its pass answered through `other`), submitted through `other`.
pub async fn open_claim(
    i: usize,
    account: usize,
    session: &str,
    one: &Channel,
    other: &Channel,
    codes_db: &Database,
) -> Claim {
    let recognised = LegacyFilingServiceClient::new(one.clone())
        .start_legacy_claim(bearer(
            StartLegacyClaimRequest {
                region: Some(region()),
                nature: SubjectNature::Individual as i32,
                certificate_type: CertificateType::ResidentIdCard as i32,
                certificate_number: claim_certificate(i),
                domain: claim_domain(i),
                human_check_token: human_check_token(other, one, codes_db).await,
            },
            session,
        ))
        .await
        .unwrap_or_else(|e| panic!("claim {i} recognised: {e:?}"))
        .into_inner();
    let ticket = LegacyFilingServiceClient::new(other.clone())
        .submit_legacy_claim(bearer(
            SubmitLegacyClaimRequest {
                flow_id: recognised.flow_id,
                documents: documents(&[DocumentKind::IdCardFront, DocumentKind::IdCardBack]),
                applicant_name: "孙小店".into(),
            },
            session,
        ))
        .await
        .unwrap_or_else(|e| panic!("claim {i} submitted: {e:?}"))
        .into_inner()
        .ticket
        .expect("a ticket");
    Claim { i, account, case_number: ticket.case_number }
}

/// Reset `i` submitted through `one`, its pass answered through `other`.
pub async fn open_reset(i: usize, one: &Channel, other: &Channel, codes_db: &Database) -> Reset {
    let ticket = LegacyLoginServiceClient::new(one.clone())
        .submit_legacy_login_reset(SubmitLegacyLoginResetRequest {
            filing_number: reset_filing(i),
            nature: SubjectNature::Individual as i32,
            region: Some(region()),
            certificate_type: CertificateType::ResidentIdCard as i32,
            certificate_number: reset_certificate(i),
            new_login_email: new_email(i),
            applicant: Some(Applicant {
                name: "孙小店".into(),
                certificate_type: CertificateType::ResidentIdCard as i32,
                certificate_number: reset_certificate(i),
                mobile: applicant_mobile(i),
                email: applicant_email(i),
            }),
            documents: documents(&[
                DocumentKind::IdCardFront,
                DocumentKind::IdCardBack,
                DocumentKind::HalfBodyWithIdCard,
            ]),
            applicant_is_principal: false,
            human_check_token: human_check_token(other, one, codes_db).await,
        })
        .await
        .unwrap_or_else(|e| panic!("reset {i} submitted: {e:?}"))
        .into_inner()
        .ticket
        .expect("a ticket");
    Reset { i, case_number: ticket.case_number }
}

impl Claim {
    /// A rejection goes to the claiming account's contacts (the case's applicant's).
    pub fn rejection_owed(&self) -> Vec<Owed> {
        let email = format!("load-target-{}@example.cn", self.account);
        rejection_notices(&self.case_number, seed::target_mobile(self.account), email)
    }
}

impl Reset {
    /// An approval tells the new login email.
    pub fn approval_owed(&self) -> Vec<Owed> {
        vec![("LEGACY_LOGIN_RESET", new_email(self.i), self.case_number.clone())]
    }

    pub fn rejection_owed(&self) -> Vec<Owed> {
        rejection_notices(&self.case_number, applicant_mobile(self.i), applicant_email(self.i))
    }
}

/// An approved claim landed once: its migration (a claim, keyed by the case) DONE for the
/// claiming account, one subject of the filing in filing-registry with one holder change.
pub async fn assert_claimed_once(legacy_db: &Database, registry_db: &Database, claim: &Claim) {
    let done =
        migrations::by_case(legacy_db.reader(), &claim.case_number).await.unwrap().expect("a migration");
    assert_eq!(
        (done.kind, done.filing_number.clone(), done.account_id.clone()),
        (Kind::Claim, claim_filing(claim.i), seed::target_account_id(claim.account)),
        "{claim:?}"
    );
    imports::assert_landed_once(registry_db, &done, "claim").await;
}

/// A rejected claim moved nothing: no migration of its filing, no subject of it.
pub async fn assert_not_claimed(legacy_db: &Database, registry_db: &Database, claim: &Claim) {
    let migration = migrations::by_filing(legacy_db.reader(), &claim_filing(claim.i)).await.unwrap();
    assert_eq!(migration, None, "{claim:?}");
    let subjects: i64 = sqlx::query("select count(*) as n from subjects where filing_number = $1")
        .bind(claim_filing(claim.i))
        .fetch_one(registry_db.reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(subjects, 0, "{claim:?}");
}

/// The reset's legacy login: its email replaced once (one change, keyed by the case) when
/// approved, untouched when rejected.
pub async fn assert_reset(legacy_db: &Database, reset: &Reset, approved: bool) {
    let changes: Vec<String> =
        sqlx::query("select case_number from legacy_login_email_changes where legacy_login_id = $1")
            .bind(reset_login_id(reset.i))
            .fetch_all(legacy_db.reader())
            .await
            .unwrap()
            .iter()
            .map(|row| row.get("case_number"))
            .collect();
    let email: String = sqlx::query("select login_email from legacy_logins where legacy_login_id = $1")
        .bind(reset_login_id(reset.i))
        .fetch_one(legacy_db.reader())
        .await
        .unwrap()
        .get("login_email");
    let expected = if approved {
        (vec![reset.case_number.clone()], new_email(reset.i))
    } else {
        (vec![], old_email(reset.i))
    };
    assert_eq!((changes, email), expected, "{reset:?}");
}
