//! SPEC §2 through the gateway: 备案账号邮箱初始化 opens a LEGACY_LOGIN_RESET case due in
//! two business days with the documents the nature needs, only for details that are a legacy
//! filing's (FILING_NOT_MATCHED otherwise, naming nothing) and with the authorisation letter
//! unless the applicant is that filing's principal by name; staff's approval replaces the
//! legacy login email (once, also when the effect is retried) and tells the new email;
//! the legacy password is then set anew with a code to that email, under seed 003's policy,
//! which also lifts the import's lock on that email.

use std::time::Duration;

use beian_common::calendar::BusinessCalendar;
use beian_proto::{
    common::v1::{
        Applicant, CertificateType, Document, DocumentKind as Doc, ErrorReason, Region, ReviewKind,
        ReviewState, SubjectNature,
    },
    gateway::v1::{
        CompleteLegacyPasswordResetRequest, RejectReviewCaseRequest, ReviewTicket,
        SendLegacyPasswordResetCodeRequest, StartLegacyPasswordResetRequest,
        StartLegacyPasswordResetResponse, SubmitLegacyLoginResetRequest,
        legacy_login_service_client::LegacyLoginServiceClient,
    },
    legacy_migration::v1::{
        FindLegacyLoginRequest, ReplaceLoginEmailRequest,
        legacy_migration_internal_service_client::LegacyMigrationInternalServiceClient,
        legacy_migration_service_client::LegacyMigrationServiceClient,
    },
};
use beian_tests::{TestSuite, with_credential};
use chrono::DateTime;
use sqlx::Row;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    decisions::{bearer, login, staff},
    legacy_import::import,
    lookup::demo_suite,
    offline_transfer::approve,
    reason,
};

/// The demo's legacy login `old-shop@…` holds this filing (`deploy/beian/src/demo.rs`).
const FILING: &str = "沪ICP备12003456号";
const OLD_EMAIL: &str = "old-shop@legacy.example.com";
const NEW_EMAIL: &str = "new-shop@example.com";
/// The demo's legacy logins' password.
const LEGACY_PASSWORD: &str = "Legacy#2012pass";
const NEW_PASSWORD: &str = "Shop#Renewed2027";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
const INDIVIDUAL: &[Doc] = &[Doc::IdCardFront, Doc::IdCardBack, Doc::HalfBodyWithIdCard];
const ORGANISATION_PRINCIPAL: &[Doc] =
    &[Doc::HalfBodyWithOrganisationCertificate, Doc::IdCardFront, Doc::IdCardBack];
const ORGANISATION_WITH_LETTER: &[Doc] =
    &[Doc::HalfBodyWithOrganisationCertificate, Doc::IdCardFront, Doc::IdCardBack, Doc::AuthorisationLetter];
/// The demo's organisation filing, of the legacy login `pioneer-org@…`, and its principal.
const ORGANISATION_FILING: &str = "沪ICP备09007777号";
const ORGANISATION_PRINCIPAL_NAME: &str = "卫先行";

fn submission(
    filing_number: &str,
    nature: SubjectNature,
    documents: &[Doc],
    new_login_email: &str,
    token: String,
) -> SubmitLegacyLoginResetRequest {
    SubmitLegacyLoginResetRequest {
        filing_number: filing_number.into(),
        nature: nature as i32,
        region: Some(Region {
            province_code: "310000".into(),
            city_code: "310100".into(),
            district_code: "310104".into(),
        }),
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: "31010419770707777X".into(),
        new_login_email: new_login_email.into(),
        // the mobile `offline_transfer::approve` follows the case with
        applicant: Some(Applicant {
            name: "孙小店".into(),
            certificate_type: CertificateType::ResidentIdCard as i32,
            certificate_number: "31010419770707777X".into(),
            mobile: "13912340001".into(),
            email: String::new(),
        }),
        documents: documents
            .iter()
            .map(|kind| Document {
                kind: *kind as i32,
                content_type: "image/png".into(),
                content: PNG.to_vec(),
            })
            .collect(),
        applicant_is_principal: false,
        human_check_token: token,
    }
}

/// A reset of the demo's organisation filing with its details as the legacy platform holds
/// them, by `submission`'s applicant (not its principal).
fn organisation_submission(documents: &[Doc], token: String) -> SubmitLegacyLoginResetRequest {
    SubmitLegacyLoginResetRequest {
        certificate_type: CertificateType::BusinessLicense as i32,
        certificate_number: "91310104MA1FL0009X".into(),
        ..submission(ORGANISATION_FILING, SubjectNature::Organisation, documents, NEW_EMAIL, token)
    }
}

/// The LEGACY_LOGIN_RESET cases identity-recovery holds: (case number, applicant_is_principal).
async fn stored_cases(suite: &TestSuite) -> Vec<(String, bool)> {
    let location = suite.scratch().location(identity_recovery::NAME).expect("its database");
    let db = identity_recovery::Application::open_database(&location).await.expect("opens");
    let rows = sqlx::query(
        "select case_number, applicant_is_principal from review_cases \
         where kind = 'LEGACY_LOGIN_RESET' order by case_number",
    )
    .fetch_all(db.reader())
    .await
    .expect("the cases");
    db.close().await;
    rows.into_iter()
        .map(|row| (row.get("case_number"), row.get::<i64, _>("applicant_is_principal") != 0))
        .collect()
}

async fn submit(suite: &TestSuite, request: SubmitLegacyLoginResetRequest) -> Result<ReviewTicket, Status> {
    LegacyLoginServiceClient::new(suite.gateway().await)
        .submit_legacy_login_reset(request)
        .await
        .map(|r| r.into_inner().ticket.expect("a ticket"))
}

fn violations(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// Whether legacy-migration finds a login by `email` (asked as the gateway asks).
async fn login_found(suite: &TestSuite, email: &str) -> bool {
    LegacyMigrationServiceClient::new(suite.channel(suite.addresses().legacy_migration).await)
        .find_legacy_login(with_credential(suite, FindLegacyLoginRequest { login_email: email.into() }))
        .await
        .expect("find")
        .into_inner()
        .found
}

/// (email, password hash, password format) of a legacy login, read from legacy-migration's
/// own database as only a test may.
async fn stored_login(suite: &TestSuite, legacy_login_id: &str) -> (String, String, String) {
    let location = suite.scratch().location(legacy_migration::NAME).expect("its database");
    let db = legacy_migration::Application::open_database(&location).await.expect("opens");
    let row = sqlx::query(
        "select login_email, password_hash, password_format from legacy_logins where legacy_login_id = $1",
    )
    .bind(legacy_login_id)
    .fetch_one(db.reader())
    .await
    .expect("the login");
    let stored = (row.get("login_email"), row.get("password_hash"), row.get("password_format"));
    db.close().await;
    stored
}

async fn start(suite: &TestSuite, email: &str) -> Result<StartLegacyPasswordResetResponse, Status> {
    let human_check_token = suite.human_check_token().await;
    LegacyLoginServiceClient::new(suite.gateway().await)
        .start_legacy_password_reset(StartLegacyPasswordResetRequest {
            legacy_login_email: email.into(),
            human_check_token,
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn send(suite: &TestSuite, flow_id: &str) -> Result<beian_proto::gateway::v1::CodeSent, Status> {
    LegacyLoginServiceClient::new(suite.gateway().await)
        .send_legacy_password_reset_code(SendLegacyPasswordResetCodeRequest { flow_id: flow_id.into() })
        .await
        .map(|r| r.into_inner().code.expect("code"))
}

async fn complete(suite: &TestSuite, flow_id: &str, code: &str, new_password: &str) -> Result<(), Status> {
    LegacyLoginServiceClient::new(suite.gateway().await)
        .complete_legacy_password_reset(CompleteLegacyPasswordResetRequest {
            flow_id: flow_id.into(),
            code: code.into(),
            new_password: new_password.into(),
        })
        .await
        .map(drop)
}

#[tokio::test]
async fn the_documents_follow_the_nature_and_the_case_is_due_in_two_business_days() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let individual =
        submit(&suite, submission(FILING, SubjectNature::Individual, &[Doc::IdCardBack], NEW_EMAIL, token))
            .await
            .expect_err("materials");
    assert_eq!(
        (individual.code(), reason(&individual).as_str()),
        (Code::InvalidArgument, "MATERIALS_INCOMPLETE")
    );
    assert_eq!(violations(&individual), ["documents[ID_CARD_FRONT]", "documents[HALF_BODY_WITH_ID_CARD]"]);

    // an organisation: the photo with its certificate, the ID card, and the sealed letter
    // unless the applicant is a principal
    let token = suite.human_check_token().await;
    let organisation =
        submit(&suite, organisation_submission(INDIVIDUAL, token)).await.expect_err("materials");
    assert_eq!(reason(&organisation), "MATERIALS_INCOMPLETE");
    assert_eq!(
        violations(&organisation),
        ["documents[HALF_BODY_WITH_ORGANISATION_CERTIFICATE]", "documents[AUTHORISATION_LETTER]"]
    );
    let token = suite.human_check_token().await;
    let no_letter = submit(&suite, organisation_submission(ORGANISATION_PRINCIPAL, token))
        .await
        .expect_err("not a principal: the letter");
    assert_eq!(violations(&no_letter), ["documents[AUTHORISATION_LETTER]"]);
    let token = suite.human_check_token().await;
    let mut principal = SubmitLegacyLoginResetRequest {
        applicant_is_principal: true,
        ..organisation_submission(ORGANISATION_PRINCIPAL, token)
    };
    principal.applicant.as_mut().expect("an applicant").name = ORGANISATION_PRINCIPAL_NAME.into();
    let ticket = submit(&suite, principal).await.expect("a principal needs no letter");
    assert!(ticket.case_number.starts_with("RV"), "{ticket:?}");
    assert_eq!(
        (ticket.kind, ticket.state),
        (ReviewKind::LegacyLoginReset as i32, ReviewState::Pending as i32)
    );
    let submitted =
        DateTime::from_timestamp(ticket.submit_time.expect("submitted").seconds, 0).expect("a time");
    let expected = BusinessCalendar::china_default().deadline(submitted, 2);
    assert_eq!(
        ticket.deadline.expect("a deadline").seconds,
        expected.timestamp(),
        "2 business days (SPEC §2)"
    );

    // a malformed email costs nothing and is named
    let token = suite.human_check_token().await;
    let typo =
        submit(&suite, submission(FILING, SubjectNature::Individual, INDIVIDUAL, "not-an-email", token))
            .await
            .expect_err("email");
    assert_eq!((typo.code(), violations(&typo)), (Code::InvalidArgument, vec!["new_login_email".to_owned()]));
    suite.stop().await;
}

#[tokio::test]
async fn each_submission_spends_one_of_the_clients_review_requests_today() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_requests_per_client_per_day = 2;
    })
    .await;
    let token = suite.human_check_token().await;
    submit(&suite, submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token))
        .await
        .expect("opens");
    // a mismatch too: the answer tells whether a certificate number is the filing's, so
    // guesses are bounded per client as filing-password recovery bounds them
    let token = suite.human_check_token().await;
    let guess = SubmitLegacyLoginResetRequest {
        certificate_number: "310104196606066660".into(),
        ..submission("沪ICP备08001234号", SubjectNature::Individual, INDIVIDUAL, "y@example.com", token)
    };
    let refused = submit(&suite, guess).await.expect_err("not the filing's");
    assert_eq!(reason(&refused), "FILING_NOT_MATCHED");
    let token = suite.human_check_token().await;
    let capped = submit(
        &suite,
        submission("沪ICP备08001234号", SubjectNature::Individual, INDIVIDUAL, "x@example.com", token),
    )
    .await
    .expect_err("quota");
    assert_eq!(reason(&capped), "CLIENT_LIMIT");
    suite.stop().await;
}

#[tokio::test]
async fn an_approved_reset_replaces_the_email_once_and_the_new_email_sets_the_password() {
    let suite = demo_suite().await;
    assert!(login_found(&suite, OLD_EMAIL).await && !login_found(&suite, NEW_EMAIL).await);
    let token = suite.human_check_token().await;
    let ticket = submit(&suite, submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token))
        .await
        .expect("opens");
    let done = approve(&suite, &ticket).await;
    assert_eq!(done.failure_reason, 0, "applied: {done:?}");
    assert!(!login_found(&suite, OLD_EMAIL).await, "the old email no longer finds the login");
    assert!(login_found(&suite, &NEW_EMAIL.to_uppercase()).await, "the new one does, in any case");

    let told = suite.wait_for_messages(1, |m| m["template"] == "LEGACY_LOGIN_RESET").await;
    assert_eq!(told[0]["destination"], NEW_EMAIL);
    let text = told[0]["text"].as_str().expect("text");
    assert!(text.contains(&ticket.case_number) && text.contains(FILING), "{text}");

    // the effect retried (a lost answer): the same login, nothing changed, nothing sent again
    let retried =
        LegacyMigrationInternalServiceClient::new(suite.channel(suite.addresses().legacy_migration).await)
            .replace_login_email(with_credential(
                &suite,
                ReplaceLoginEmailRequest {
                    case_number: ticket.case_number.clone(),
                    filing_number: FILING.into(),
                    new_login_email: "someone-else@example.com".into(),
                },
            ))
            .await
            .expect("idempotent")
            .into_inner();
    assert_eq!(retried.legacy_login_id, "legacy-0001");
    assert_eq!(stored_login(&suite, "legacy-0001").await.0, NEW_EMAIL, "replaced once");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let sent = suite.messages().into_iter().filter(|m| m["template"] == "LEGACY_LOGIN_RESET").count();
    assert_eq!(sent, 1, "told once");

    // another login's reset to the same email is refused for good, and the applicant sees why
    let token = suite.human_check_token().await;
    let taken = submit(
        &suite,
        SubmitLegacyLoginResetRequest {
            certificate_number: "310104196606066663".into(),
            ..submission("沪ICP备08001234号-1", SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token)
        },
    )
    .await
    .expect("opens");
    let refused = approve(&suite, &taken).await;
    assert_eq!(refused.failure_reason, ErrorReason::LegacyLoginEmailInUse as i32, "{refused:?}");
    assert!(login_found(&suite, "pioneer@legacy.example.com").await, "pioneer's login kept its email");
    // and is told so: approved, but not completed, and why
    let told = suite
        .wait_for_messages(1, |m| {
            m["template"] == "REVIEW_DECIDED"
                && m["text"].as_str().is_some_and(|t| t.contains(&taken.case_number))
        })
        .await;
    assert_eq!(told.len(), 1, "{told:#?}");
    assert_eq!(told[0]["destination"], "13912340001");
    let text = told[0]["text"].as_str().expect("text");
    assert!(text.contains("已通过但未能完成"), "{text}");
    // a filing the legacy platform never held opens no case at all (see
    // `details_that_are_no_legacy_filings_open_no_case`)

    // then 找回密码 on the new email: a code to it, the new password set
    let started = start(&suite, NEW_EMAIL).await.expect("starts");
    assert_eq!(started.masked_login_email, "n***@example.com");
    let sent = send(&suite, &started.flow_id).await.expect("sends");
    assert_eq!(sent.masked_destination, "n***@example.com");
    let code = suite.code_sent_to(NEW_EMAIL, 1).await;
    complete(&suite, &started.flow_id, &code, NEW_PASSWORD).await.expect("set");
    complete(&suite, &started.flow_id, &code, NEW_PASSWORD).await.expect("a retry answers the same");
    let (_, hash, format) = stored_login(&suite, "legacy-0001").await;
    assert_eq!(format, "suite");
    assert!(beian_common::password::verify(NEW_PASSWORD, &hash), "the new password is the login's");
    assert!(!beian_common::password::verify(LEGACY_PASSWORD, &hash), "the old one is gone");
    suite.stop().await;
}

#[tokio::test]
async fn a_password_reset_lifts_the_imports_lock_on_the_legacy_email() {
    let suite = demo_suite().await;
    let lisi = login(&suite, "lisi-new").await;
    // the import's default policy: five wrong passwords lock the email for 15 minutes
    for _ in 0..5 {
        let wrong = import(&suite, &lisi, OLD_EMAIL, "guess").await.expect_err("wrong");
        assert_eq!(reason(&wrong), "LEGACY_CREDENTIALS_INCORRECT");
    }
    let locked = import(&suite, &lisi, OLD_EMAIL, LEGACY_PASSWORD).await.expect_err("locked");
    assert_eq!(reason(&locked), "LEGACY_LOGIN_LOCKED");

    // 找回密码 proves the email is the caller's: the new password imports at once
    let started = start(&suite, OLD_EMAIL).await.expect("starts");
    send(&suite, &started.flow_id).await.expect("sends");
    let code = suite.code_sent_to(OLD_EMAIL, 1).await;
    complete(&suite, &started.flow_id, &code, NEW_PASSWORD).await.expect("set");
    let imported = import(&suite, &lisi, OLD_EMAIL, NEW_PASSWORD).await.expect("no longer locked");
    assert_eq!(imported.filing_number, FILING);
    suite.stop().await;
}

#[tokio::test]
async fn the_password_reset_keeps_order_refuses_weak_passwords_and_wrong_codes() {
    let suite = demo_suite().await;
    let email = "pioneer@legacy.example.com";
    let started = start(&suite, email).await.expect("starts");
    let early = complete(&suite, &started.flow_id, "123456", NEW_PASSWORD).await.expect_err("no code yet");
    assert_eq!(reason(&early), "WORKFLOW_STEP_OUT_OF_ORDER");
    send(&suite, &started.flow_id).await.expect("sends");
    let code = suite.code_sent_to(email, 1).await;
    let wrong: String = code.chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect();
    let refused = complete(&suite, &started.flow_id, &wrong, NEW_PASSWORD).await.expect_err("wrong code");
    assert_eq!(reason(&refused), "CODE_INCORRECT");

    // the policy of seed 003, after the right code; the checked code stays usable
    for (password, expected) in [
        ("password", "PASSWORD_TOO_WEAK"),
        ("P@ssw0rd", "PASSWORD_TOO_COMMON"),
        ("Legacy#2012pass!", "PASSWORD_TOO_SIMILAR"),
    ] {
        let refused = complete(&suite, &started.flow_id, &code, password).await.expect_err(password);
        assert_eq!(
            (refused.code(), reason(&refused).as_str()),
            (Code::InvalidArgument, expected),
            "{password}"
        );
        assert_eq!(violations(&refused), ["new_password"]);
    }
    let again = send(&suite, &started.flow_id).await.expect_err("a checked code: no more sends");
    assert_eq!(reason(&again), "WORKFLOW_STEP_OUT_OF_ORDER");
    complete(&suite, &started.flow_id, &code, NEW_PASSWORD).await.expect("a strong one is set");
    let (_, hash, _) = stored_login(&suite, "legacy-0006").await;
    assert!(beian_common::password::verify(NEW_PASSWORD, &hash));
    suite.stop().await;
}

#[tokio::test]
async fn an_unknown_email_answers_like_a_known_one_and_nothing_is_sent() {
    let suite = demo_suite().await;
    let unknown = "nobody@legacy.example.com";
    let started = start(&suite, unknown).await.expect("a flow like any other");
    assert_eq!(started.masked_login_email, "n***@legacy.example.com");
    let sent = send(&suite, &started.flow_id).await.expect("answers like a send");
    assert_eq!(sent.masked_destination, "n***@legacy.example.com");
    let soon = send(&suite, &started.flow_id).await.expect_err("the cooldown, as a real send");
    assert_eq!(reason(&soon), "CODE_RESEND_TOO_SOON");
    let wrong = complete(&suite, &started.flow_id, "123456", NEW_PASSWORD).await.expect_err("never right");
    assert_eq!(reason(&wrong), "CODE_INCORRECT");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(suite.messages().iter().all(|m| m["destination"] != unknown), "nothing went to it");
    suite.stop().await;
}

#[tokio::test]
async fn details_that_are_no_legacy_filings_open_no_case() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_requests_per_client_per_day = 20;
    })
    .await;
    // a filing of the current platform's the legacy platform never held
    let token = suite.human_check_token().await;
    let unknown = submit(
        &suite,
        submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token),
    )
    .await
    .expect_err("never held");
    assert_eq!((unknown.code(), reason(&unknown).as_str()), (Code::NotFound, "FILING_NOT_MATCHED"));
    assert!(violations(&unknown).is_empty(), "names no field: {unknown:?}");

    // the legacy filing of `old-shop@…` with one detail wrong: the same answer, whichever
    let token = suite.human_check_token().await;
    let certificate = submit(
        &suite,
        SubmitLegacyLoginResetRequest {
            certificate_number: "310104196606066663".into(),
            ..submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token)
        },
    )
    .await
    .expect_err("another's certificate number");
    assert_eq!((certificate.code(), reason(&certificate).as_str()), (Code::NotFound, "FILING_NOT_MATCHED"));
    assert!(violations(&certificate).is_empty(), "names no field: {certificate:?}");
    assert_eq!(certificate.message(), unknown.message(), "one answer for any mismatch");
    assert!(
        !format!("{certificate:?}").contains("310104196606066663"),
        "no certificate number: {certificate:?}"
    );
    let token = suite.human_check_token().await;
    let district = SubmitLegacyLoginResetRequest {
        region: Some(Region {
            province_code: "310000".into(),
            city_code: "310100".into(),
            district_code: "310105".into(),
        }),
        ..submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token)
    };
    let token = suite.human_check_token().await;
    let certificate_type = SubmitLegacyLoginResetRequest {
        certificate_type: CertificateType::Passport as i32,
        ..submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token)
    };
    let token = suite.human_check_token().await;
    let nature = submission(FILING, SubjectNature::Organisation, ORGANISATION_WITH_LETTER, NEW_EMAIL, token);
    for (what, request) in
        [("district", district), ("certificate type", certificate_type), ("nature", nature)]
    {
        let refused = submit(&suite, request).await.expect_err(what);
        assert_eq!(
            (reason(&refused).as_str(), refused.message(), violations(&refused).len()),
            ("FILING_NOT_MATCHED", unknown.message(), 0),
            "{what}"
        );
    }
    assert!(stored_cases(&suite).await.is_empty(), "no case opened");

    // the details as the legacy platform holds them (certificate in any case and spacing)
    let token = suite.human_check_token().await;
    let ticket = submit(
        &suite,
        SubmitLegacyLoginResetRequest {
            certificate_number: "310104 19770707777x".into(),
            ..submission(FILING, SubjectNature::Individual, INDIVIDUAL, NEW_EMAIL, token)
        },
    )
    .await
    .expect("opens");
    assert_eq!(stored_cases(&suite).await, [(ticket.case_number, false)]);
    suite.stop().await;
}

#[tokio::test]
async fn a_claimed_principal_must_be_the_legacy_filings_principal_or_bring_the_letter() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_requests_per_client_per_day = 20;
    })
    .await;
    // ticked, but the legacy filing's principal is someone else: the letter is needed
    let token = suite.human_check_token().await;
    let claimed = SubmitLegacyLoginResetRequest {
        applicant_is_principal: true,
        ..organisation_submission(ORGANISATION_PRINCIPAL, token)
    };
    let refused = submit(&suite, claimed).await.expect_err("not the principal");
    assert_eq!((refused.code(), reason(&refused).as_str()), (Code::InvalidArgument, "MATERIALS_INCOMPLETE"));
    assert_eq!(violations(&refused), ["documents[AUTHORISATION_LETTER]"]);
    assert!(!format!("{refused:?}").contains("卫"), "names nobody: {refused:?}");
    assert!(stored_cases(&suite).await.is_empty(), "no case opened");

    // with the letter anyway the case opens, as an applicant's who is not the principal
    let token = suite.human_check_token().await;
    let with_letter = SubmitLegacyLoginResetRequest {
        applicant_is_principal: true,
        ..organisation_submission(ORGANISATION_WITH_LETTER, token)
    };
    let ticket = submit(&suite, with_letter).await.expect("the letter covers it");
    assert_eq!(stored_cases(&suite).await, [(ticket.case_number.clone(), false)]);
    let reviewer = login(&suite, "reviewer01").await;
    staff(&suite)
        .await
        .reject_review_case(bearer(
            RejectReviewCaseRequest { case_number: ticket.case_number.clone(), note: "重新提交".into() },
            &reviewer,
        ))
        .await
        .expect("rejected");

    // the principal by name (trimmed) needs no letter
    let token = suite.human_check_token().await;
    let mut principal = SubmitLegacyLoginResetRequest {
        applicant_is_principal: true,
        ..organisation_submission(ORGANISATION_PRINCIPAL, token)
    };
    principal.applicant.as_mut().expect("an applicant").name = format!(" {ORGANISATION_PRINCIPAL_NAME} ");
    let opened = submit(&suite, principal).await.expect("the principal");
    assert_eq!(
        (opened.kind, opened.state),
        (ReviewKind::LegacyLoginReset as i32, ReviewState::Pending as i32)
    );
    let cases = stored_cases(&suite).await;
    assert!(cases.contains(&(opened.case_number, true)), "{cases:?}");
    suite.stop().await;
}
