//! Review cases of three kinds opened through the gateways and approved by staff, and
//! what each approval owes, applied by identity-recovery's effect worker:
//!
//! - an account lookup case: the holder's login name to the holder account's bound mobile
//!   and email (seed 000), never to the contacts the applicant typed
//!   (identity-recovery → verification-codes);
//! - a filing-password case: filing-registry issues a new password and queues it for the
//!   applicant's mobile and email; its relay hands the notices to verification-codes;
//! - an offline transfer case: filing-registry moves the subject to the target account,
//!   records the change and queues a notice to each side, relayed likewise.
//!
//! A rejection of any kind owes the applicant a REVIEW_DECIDED notice with the note, to
//! each contact, and nothing else.

use std::time::Duration;

use beian_load::seed;
use beian_platform::storage::Database;
use beian_proto::{
    common::v1::{Applicant, CertificateType, Document, DocumentKind, SubjectNature},
    gateway::v1::{
        ApproveReviewCaseRequest, RejectReviewCaseRequest, RequestAccountLookupReviewRequest,
        RequestFilingPasswordReviewRequest, StartAccountLookupRequest, SubmitOfflineTransferRequest,
        account_lookup_service_client::AccountLookupServiceClient,
        filing_password_service_client::FilingPasswordServiceClient,
        filing_transfer_service_client::FilingTransferServiceClient,
        staff_review_service_client::StaffReviewServiceClient,
    },
};
use identity_recovery::{accounts::Site, seed::SeedAccount};
use sqlx::Row;
use tonic::transport::Channel;

use crate::{Owed, bearer, human_check_token};

/// A well-formed resident ID number.
const ID_NUMBER: &str = "33010619900101123X";
/// The staff account that decides every case.
pub const STAFF: &str = "replica-reviewer";
/// What a rejection tells the applicant.
pub const REJECTION_NOTE: &str = "证件照片不清晰";

/// Staff's or the regulator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// The staff account `STAFF` (the load seed's password).
pub async fn seed_staff(identity_db: &Database) {
    let reviewer = SeedAccount {
        account_id: "7000000000000001",
        login_name: STAFF,
        site: Site::Cn,
        mobile: "13500009999",
        email: "replica-reviewer@example.com",
        password: seed::PASSWORD,
        staff: true,
    };
    identity_recovery::seed::insert_accounts(identity_db, &[reviewer]).await.unwrap();
}

/// What a rejection of `case_number` owes the applicant: the note to each contact.
pub fn rejection_notices(case_number: &str, mobile: String, email: String) -> Vec<Owed> {
    [mobile, email].into_iter().map(|to| ("REVIEW_DECIDED", to, case_number.to_owned())).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AccountLookup,
    FilingPassword,
    OfflineTransfer,
}

/// A case opened for synthetic filing `filing`.
#[derive(Debug, Clone)]
pub struct Case {
    pub kind: Kind,
    pub filing: usize,
    pub case_number: String,
}

impl Case {
    fn applicant_mobile(&self) -> String {
        format!("137{}{:07}", self.kind as u8, self.filing)
    }

    fn applicant_email(&self) -> String {
        format!("applicant-{}-{}@example.net", self.kind as u8, self.filing)
    }

    fn applicant(&self) -> Applicant {
        Applicant {
            name: "张伟".into(),
            certificate_type: CertificateType::ResidentIdCard as i32,
            certificate_number: ID_NUMBER.into(),
            mobile: self.applicant_mobile(),
            email: self.applicant_email(),
        }
    }

    /// What its rejection owes.
    pub fn rejection_owed(&self) -> Vec<Owed> {
        rejection_notices(&self.case_number, self.applicant_mobile(), self.applicant_email())
    }

    /// The messages the approval owes, as (template, destination).
    pub fn owed(&self) -> Vec<(&'static str, String)> {
        match self.kind {
            // to the holder account's bound contacts, not the applicant's (seed 000)
            Kind::AccountLookup => vec![
                ("LOGIN_NAME", seed::filing(self.filing).mobile),
                ("LOGIN_NAME", seed::holder_email(self.filing)),
            ],
            Kind::FilingPassword => {
                vec![
                    ("FILING_PASSWORD", self.applicant_mobile()),
                    ("FILING_PASSWORD", self.applicant_email()),
                ]
            }
            Kind::OfflineTransfer => vec![
                ("TRANSFER_COMPLETED", seed::filing(self.filing).mobile),
                ("TRANSFER_COMPLETED", seed::target_mobile(self.filing)),
            ],
        }
    }
}

fn documents() -> Vec<Document> {
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    [DocumentKind::IdCardFront, DocumentKind::IdCardBack, DocumentKind::HalfBodyWithIdCard]
        .into_iter()
        .map(|kind| Document { kind: kind as i32, content_type: "image/png".into(), content: PNG.to_vec() })
        .collect()
}

/// Opens a `kind` case for `filing` through `one` gateway, its human checks answered
/// through the `other` (a lookup's flow starts on `other`).
pub async fn open(kind: Kind, filing: usize, one: &Channel, other: &Channel, codes_db: &Database) -> Case {
    let mut case = Case { kind, filing, case_number: String::new() };
    let token = human_check_token(other, one, codes_db).await;
    let ticket = match kind {
        Kind::AccountLookup => {
            let flow_id = AccountLookupServiceClient::new(other.clone())
                .start_account_lookup(StartAccountLookupRequest {
                    domain: seed::filing(filing).domain,
                    human_check_token: token,
                })
                .await
                .expect("a lookup starts")
                .into_inner()
                .flow_id;
            AccountLookupServiceClient::new(one.clone())
                .request_account_lookup_review(RequestAccountLookupReviewRequest {
                    flow_id,
                    applicant: Some(case.applicant()),
                    description: "原手机号已停用".into(),
                    documents: vec![],
                    human_check_token: human_check_token(other, one, codes_db).await,
                })
                .await
                .map(|r| r.into_inner().ticket)
        }
        Kind::FilingPassword => FilingPasswordServiceClient::new(one.clone())
            .request_filing_password_review(RequestFilingPasswordReviewRequest {
                province_code: "110000".into(),
                filing_number: seed::filing_number(filing),
                certificate_type: CertificateType::ResidentIdCard as i32,
                // well-formed; staff, not the service, compare it with the filing's
                certificate_number: ID_NUMBER.into(),
                applicant: Some(case.applicant()),
                documents: documents(),
                human_check_token: token,
            })
            .await
            .map(|r| r.into_inner().ticket),
        Kind::OfflineTransfer => FilingTransferServiceClient::new(one.clone())
            .submit_offline_transfer(SubmitOfflineTransferRequest {
                filing_number: seed::filing_number(filing),
                nature: SubjectNature::Individual as i32,
                target_account_uid: seed::target_account_id(filing),
                applicant: Some(case.applicant()),
                documents: documents(),
                human_check_token: token,
            })
            .await
            .map(|r| r.into_inner().ticket),
    };
    let ticket = ticket.unwrap_or_else(|e| panic!("{kind:?} case for filing {filing}: {e:?}"));
    case.case_number = ticket.expect("a ticket").case_number;
    case
}

pub async fn decide(gateway: Channel, staff_session: String, case_number: String, decision: Decision) {
    let mut staff = StaffReviewServiceClient::new(gateway);
    let decided = match decision {
        Decision::Approve => staff
            .approve_review_case(bearer(
                ApproveReviewCaseRequest { case_number: case_number.clone(), note: String::new() },
                &staff_session,
            ))
            .await
            .map(drop),
        Decision::Reject => staff
            .reject_review_case(bearer(
                RejectReviewCaseRequest { case_number: case_number.clone(), note: REJECTION_NOTE.into() },
                &staff_session,
            ))
            .await
            .map(drop),
    };
    decided.unwrap_or_else(|e| panic!("{case_number}: {decision:?}: {e:?}"));
}

/// Effects not applied yet, as identity-recovery's table holds them.
pub async fn effects_owed(identity_db: &Database) -> i64 {
    sqlx::query("select count(*) as owed from review_effects where done_at_ms is null")
        .fetch_one(identity_db.reader())
        .await
        .unwrap()
        .get("owed")
}

/// Waits (up to 30 s) until no effect is owed.
pub async fn wait_until_applied(identity_db: &Database) {
    for _ in 0..600 {
        if effects_owed(identity_db).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} effects never applied", effects_owed(identity_db).await);
}

/// Decided once, and what the decision owes done once: an approval COMPLETED with no
/// failure, its effect recorded applied once; a rejection REJECTED, its notice's row done,
/// nothing applied. One decision in the audit either way.
pub async fn assert_decided_once(identity_db: &Database, case_number: &str, decision: Decision) {
    let row = sqlx::query(
        "select state, failure_reason, \
         (select count(*) from review_audit a where a.case_number = c.case_number \
          and a.action in ('APPROVE', 'REJECT')) as decisions, \
         (select count(*) from review_audit a where a.case_number = c.case_number \
          and a.action = 'EFFECT_APPLIED') as applied, \
         (select e.action from review_effects e where e.case_number = c.case_number \
          and e.done_at_ms is not null) as done \
         from review_cases c where case_number = $1",
    )
    .bind(case_number)
    .fetch_one(identity_db.reader())
    .await
    .unwrap();
    let found: (String, Option<String>, i64, i64, Option<String>) = (
        row.get("state"),
        row.get("failure_reason"),
        row.get("decisions"),
        row.get("applied"),
        row.get("done"),
    );
    let expected = match decision {
        Decision::Approve => ("COMPLETED", 1, "APPLY"),
        Decision::Reject => ("REJECTED", 0, "NOTIFY_REJECTION"),
    };
    assert_eq!(
        found,
        (expected.0.to_owned(), None, 1, expected.1, Some(expected.2.to_owned())),
        "{case_number}: {decision:?}"
    );
}

/// A rejected case changed nothing in filing-registry: the subject with its holder, no
/// change of holder, no filing password issued.
pub async fn assert_nothing_applied(registry_db: &Database, case: &Case) {
    let row = sqlx::query(
        "select s.holder_account_id, \
         (select count(*) from holder_changes h where h.subject_id = s.subject_id \
          and h.from_account_id is not null) as moves, \
         (select count(*) from filing_password_issues i where i.subject_id = s.subject_id) as issues \
         from subjects s where filing_number = $1",
    )
    .bind(seed::filing_number(case.filing))
    .fetch_one(registry_db.reader())
    .await
    .unwrap();
    let found: (Option<String>, i64, i64) =
        (row.get("holder_account_id"), row.get("moves"), row.get("issues"));
    assert_eq!(found, (Some(seed::holder_account_id(case.filing)), 0, 0), "{case:?}");
}

/// What the case changed in filing-registry, once: the new filing password is the one its
/// notices carry (one issue for the case); the subject moved to the target with one change.
pub async fn assert_applied_once(registry_db: &Database, case: &Case, notices: &[&serde_json::Value]) {
    let filing_number = seed::filing_number(case.filing);
    let subject = sqlx::query(
        "select subject_id, holder_account_id, filing_password_hash from subjects where filing_number = $1",
    )
    .bind(&filing_number)
    .fetch_one(registry_db.reader())
    .await
    .unwrap();
    let subject_id: String = subject.get("subject_id");
    match case.kind {
        Kind::AccountLookup => {
            for notice in notices {
                assert_eq!(
                    notice["params"]["login_name"],
                    seed::login_name(case.filing).as_str(),
                    "{case:?}"
                );
            }
        }
        Kind::FilingPassword => {
            let password = notices[0]["params"]["filing_password"].as_str().expect("a password");
            assert!(
                notices.iter().all(|n| n["params"]["filing_password"] == password),
                "one password: {case:?}"
            );
            let hash: String = subject.get("filing_password_hash");
            assert!(
                beian_common::password::verify(password, &hash),
                "the notices carry the password in force"
            );
            let issues: i64 =
                sqlx::query("select count(*) as n from filing_password_issues where subject_id = $1")
                    .bind(&subject_id)
                    .fetch_one(registry_db.reader())
                    .await
                    .unwrap()
                    .get("n");
            assert_eq!(issues, 1, "one issue: {case:?}");
        }
        Kind::OfflineTransfer => {
            let holder: Option<String> = subject.get("holder_account_id");
            assert_eq!(holder, Some(seed::target_account_id(case.filing)), "{case:?}");
            let changes: Vec<(String, Option<String>)> = sqlx::query(
                "select from_account_id, idempotency_key from holder_changes \
                 where subject_id = $1 and from_account_id is not null",
            )
            .bind(&subject_id)
            .fetch_all(registry_db.reader())
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get("from_account_id"), row.get("idempotency_key")))
            .collect();
            let expected =
                (seed::holder_account_id(case.filing), Some(format!("review:{}", case.case_number)));
            assert_eq!(changes, [expected], "one transfer: {case:?}");
            for notice in notices {
                assert_eq!(notice["params"]["filing_number"], filing_number.as_str());
            }
        }
    }
}
