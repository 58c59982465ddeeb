//! SPEC §4 import through the gateway: a logged-in caller imports a legacy login's filing
//! with its email and password. Every outcome of seed 002 §6.3 has its reason and exact
//! zh-CN message; wrong credentials and an unknown email answer alike and lock the email
//! after repeated failures; a retry by the same account answers the same import, another
//! account learns only that it was imported; of two accounts importing at once exactly one
//! wins. Legacy password formats are checked in their own format and re-hashed to the
//! suite's on the first success. CompleteClaim (an approved claim's effect) runs the same
//! saga, called directly and through an approved LEGACY_CLAIM case.

use std::time::Duration;

use beian_proto::{
    common::v1::{Applicant, Document, DocumentKind, ReviewKind, ReviewState},
    gateway::v1::{
        GetMyFilingRequest, ImportLegacyFilingRequest, ImportLegacyFilingResponse,
        ListMyHolderHistoryRequest, filing_service_client::FilingServiceClient,
        legacy_filing_service_client::LegacyFilingServiceClient,
    },
    identity_recovery::v1::{
        DecideReviewCaseRequest, GetReviewStatusRequest, OpenReviewCaseRequest, ReviewSubject,
        identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
    legacy_migration::v1::{
        CompleteClaimRequest, legacy_migration_internal_service_client::LegacyMigrationInternalServiceClient,
    },
};
use beian_tests::TestSuite;
use legacy_migration::seed::{SeedLogin, insert_logins, store_legacy_password, stored_password};
use tonic::{Request, Status};
use tonic_types::{ErrorDetail, StatusExt};

use crate::{
    decisions::{bearer, login},
    lookup::demo_suite,
    messages, reason,
};

const OLD_SHOP: &str = "old-shop@legacy.example.com";
const OLD_SHOP_FILING: &str = "沪ICP备12003456号";
const PIONEER_FILING: &str = "沪ICP备08001234号";
const LISI: &str = "1000000000000003";
const ZHANG: &str = "1000000000000001";

pub async fn import(
    suite: &TestSuite,
    session: &str,
    email: &str,
    password: &str,
) -> Result<ImportLegacyFilingResponse, Status> {
    LegacyFilingServiceClient::new(suite.gateway().await)
        .import_legacy_filing(bearer(
            ImportLegacyFilingRequest { legacy_login_email: email.into(), legacy_password: password.into() },
            session,
        ))
        .await
        .map(|r| r.into_inner())
}

async fn refused(suite: &TestSuite, session: &str, email: &str, password: &str) -> Status {
    import(suite, session, email, password).await.expect_err("refused")
}

/// The filing the session's account holds, if any.
async fn held(suite: &TestSuite, session: &str) -> Option<String> {
    FilingServiceClient::new(suite.gateway().await)
        .get_my_filing(bearer(GetMyFilingRequest {}, session))
        .await
        .ok()
        .and_then(|r| r.into_inner().filing)
        .map(|f| f.filing_number)
}

async fn history_len(suite: &TestSuite, session: &str) -> usize {
    FilingServiceClient::new(suite.gateway().await)
        .list_my_holder_history(bearer(ListMyHolderHistoryRequest::default(), session))
        .await
        .expect("history")
        .into_inner()
        .changes
        .len()
}

#[tokio::test]
async fn each_outcome_of_an_import_has_its_reason_and_message() {
    let suite = demo_suite().await;
    let lisi = login(&suite, "lisi-new").await;
    let password = beian::demo::LEGACY_PASSWORD;
    let cases = [
        (
            "never-activated@legacy.example.com",
            "LEGACY_LOGIN_NOT_ACTIVATED",
            "该账号未激活，此备案平台已停止使用",
        ),
        (
            "empty@legacy.example.com",
            "LEGACY_LOGIN_HAS_NO_FILING",
            "此备案账号无备案信息，请更换账号继续导入",
        ),
        (
            "orders-only@legacy.example.com",
            "LEGACY_ONLY_ORDERS_IN_PROGRESS",
            "原账号没有备案主体，不需要转移",
        ),
        (
            "moved-in@legacy.example.com",
            "LEGACY_ALREADY_IMPORTED",
            "您的备案信息已导入阿里云账号，此备案平台已停止使用",
        ),
        ("pioneer@legacy.example.com", "LEGACY_FILING_MUST_BE_CLAIMED", "该备案需先认领至阿里云账号"),
        ("late@legacy.example.com", "LEGACY_LOGIN_HAS_NO_FILING", "此备案账号无备案信息，请更换账号继续导入"),
        // filed before 2010 but moved to another provider: neither claimed nor imported
        (
            "moved-away@legacy.example.com",
            "LEGACY_LOGIN_HAS_NO_FILING",
            "此备案账号无备案信息，请更换账号继续导入",
        ),
    ];
    for (email, expected, zh) in cases {
        let status = refused(&suite, &lisi, email, password).await;
        assert_eq!(reason(&status), expected, "{email}");
        assert_eq!(messages(&status).0, zh, "{email}");
        assert!(!messages(&status).1.is_empty());
    }
    // already imported: no hint of the account it went to
    let imported = refused(&suite, &lisi, "moved-in@legacy.example.com", password).await;
    let text = format!("{imported:?}");
    assert!(!text.contains("1000000000000006") && !text.contains("qian"), "{text}");

    // the caller's account holds a subject: one account, one subject
    let zhang = login(&suite, "zhangwei2019").await;
    let holds = refused(&suite, &zhang, OLD_SHOP, password).await;
    assert_eq!(reason(&holds), "ACCOUNT_ALREADY_HOLDS_SUBJECT");
    assert_eq!(messages(&holds).0, "此阿里云账号已导入备案信息，请更换账号重新导入");

    // wrong password and unknown email: one answer
    let wrong = refused(&suite, &lisi, OLD_SHOP, "Legacy#2012PASS").await;
    let unknown = refused(&suite, &lisi, "nobody@legacy.example.com", password).await;
    assert_eq!(reason(&wrong), "LEGACY_CREDENTIALS_INCORRECT");
    assert_eq!((wrong.code(), messages(&wrong)), (unknown.code(), messages(&unknown)));
    assert_eq!(reason(&unknown), "LEGACY_CREDENTIALS_INCORRECT");

    // malformed requests and no session
    assert_eq!(reason(&refused(&suite, &lisi, "  ", password).await), "INVALID_ARGUMENT");
    assert_eq!(reason(&refused(&suite, &lisi, OLD_SHOP, "").await), "INVALID_ARGUMENT");
    let anonymous = LegacyFilingServiceClient::new(suite.gateway().await)
        .import_legacy_filing(ImportLegacyFilingRequest {
            legacy_login_email: OLD_SHOP.into(),
            legacy_password: password.into(),
        })
        .await
        .expect_err("needs a session");
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");
    assert_eq!(held(&suite, &lisi).await, None, "nothing moved");
    suite.stop().await;
}

#[tokio::test]
async fn an_import_moves_the_subject_once_and_a_retry_answers_the_same() {
    let suite = demo_suite().await;
    let lisi = login(&suite, "lisi-new").await;
    // the email as typed: case and spaces do not matter
    let first = import(&suite, &lisi, " Old-Shop@Legacy.Example.com ", beian::demo::LEGACY_PASSWORD)
        .await
        .expect("imported");
    assert_eq!((first.filing_number.as_str(), first.website_count), (OLD_SHOP_FILING, 1));
    assert_eq!(held(&suite, &lisi).await.as_deref(), Some(OLD_SHOP_FILING));

    let again = import(&suite, &lisi, OLD_SHOP, beian::demo::LEGACY_PASSWORD).await.expect("a retry");
    assert_eq!(again, first, "a retry answers the same import");
    assert_eq!(history_len(&suite, &lisi).await, 1, "one holder change, not one per call");

    // another account: imported already, whose is not said
    let wang = login(&suite, "wang-intl").await;
    let other = refused(&suite, &wang, OLD_SHOP, beian::demo::LEGACY_PASSWORD).await;
    assert_eq!(reason(&other), "LEGACY_ALREADY_IMPORTED");
    assert!(!format!("{other:?}").contains(LISI));
    assert_eq!(held(&suite, &wang).await, None);

    // the first successful check left the suite's hash behind
    let db =
        legacy_migration::Application::open_database(&suite.database(legacy_migration::NAME)).await.unwrap();
    let (format, _, _) = stored_password(&db, "legacy-0001").await.unwrap();
    assert_eq!(format, "suite");
    db.close().await;
    suite.stop().await;
}

#[tokio::test]
async fn of_two_accounts_importing_one_filing_at_once_exactly_one_holds_it() {
    let suite = demo_suite().await;
    let (lisi, wang) = (login(&suite, "lisi-new").await, login(&suite, "wang-intl").await);
    let password = beian::demo::LEGACY_PASSWORD;
    let (a, b) =
        tokio::join!(import(&suite, &lisi, OLD_SHOP, password), import(&suite, &wang, OLD_SHOP, password));
    assert_eq!(usize::from(a.is_ok()) + usize::from(b.is_ok()), 1, "{a:?} / {b:?}");
    let loser = a.as_ref().err().or(b.as_ref().err()).expect("a loser");
    assert_eq!(reason(loser), "LEGACY_ALREADY_IMPORTED");
    let holders = [held(&suite, &lisi).await, held(&suite, &wang).await];
    assert_eq!(holders.iter().flatten().collect::<Vec<_>>(), [OLD_SHOP_FILING], "{holders:?}");
    let (winner, loser) = if a.is_ok() { (&lisi, &wang) } else { (&wang, &lisi) };
    assert_eq!(history_len(&suite, winner).await, 1);
    assert_eq!(history_len(&suite, loser).await, 0, "the loser's account is untouched");
    suite.stop().await;
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_legacy_email_for_a_while() {
    let suite = demo_suite().await;
    let lisi = login(&suite, "lisi-new").await;
    for _ in 0..5 {
        assert_eq!(reason(&refused(&suite, &lisi, OLD_SHOP, "guess").await), "LEGACY_CREDENTIALS_INCORRECT");
    }
    let locked = refused(&suite, &lisi, OLD_SHOP, beian::demo::LEGACY_PASSWORD).await;
    assert_eq!(reason(&locked), "LEGACY_LOGIN_LOCKED", "even the right password waits");
    assert_eq!(messages(&locked).0, "频繁尝试，已临时锁定，请稍后再试");
    let retry = locked.get_error_details_vec().into_iter().find_map(|d| match d {
        ErrorDetail::RetryInfo(info) => info.retry_delay,
        _ => None,
    });
    let retry = retry.expect("RetryInfo");
    assert!(retry > Duration::from_secs(800) && retry <= Duration::from_secs(900), "{retry:?}");
    // an unknown email locks the same way
    for _ in 0..5 {
        refused(&suite, &lisi, "nobody@legacy.example.com", "guess").await;
    }
    assert_eq!(
        reason(&refused(&suite, &lisi, "nobody@legacy.example.com", "guess").await),
        "LEGACY_LOGIN_LOCKED"
    );
    // other emails are not locked
    assert_eq!(
        reason(&refused(&suite, &lisi, "empty@legacy.example.com", beian::demo::LEGACY_PASSWORD).await),
        "LEGACY_LOGIN_HAS_NO_FILING"
    );
    suite.stop().await;
}

#[tokio::test]
async fn one_client_address_has_a_daily_number_of_import_attempts_across_all_emails() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.legacy_imports_per_client_per_day = 3;
    })
    .await;
    let lisi = login(&suite, "lisi-new").await;
    // one guess at each of three emails (none locks alone), then the address is done for the day
    for n in 0..3 {
        let email = format!("guess-{n}@legacy.example.com");
        assert_eq!(reason(&refused(&suite, &lisi, &email, "guess").await), "LEGACY_CREDENTIALS_INCORRECT");
    }
    let capped = refused(&suite, &lisi, OLD_SHOP, beian::demo::LEGACY_PASSWORD).await;
    assert_eq!((capped.code(), reason(&capped).as_str()), (tonic::Code::ResourceExhausted, "CLIENT_LIMIT"));
    assert!(capped.get_details_retry_info().and_then(|r| r.retry_delay).is_some(), "until the next day");
    assert_eq!(held(&suite, &lisi).await, None, "nothing imported");
    suite.stop().await;
}

#[tokio::test]
async fn each_legacy_hash_format_is_checked_in_its_own_and_rehashed_to_the_suites() {
    let suite = demo_suite().await;
    let lisi = login(&suite, "lisi-new").await;
    // (login, format, hash, salt, password): digests from coreutils, bcrypt from OpenBSD's vectors
    let formats: [(&str, &str, &str, Option<&str>, &str); 4] = [
        ("fmt-md5", "md5", "5f4dcc3b5aa765d61d8327deb882cf99", None, "password"),
        ("fmt-md5s", "md5-salted", "276bc8c84fa6f1d57b6070c613870880", Some("a1b2c3d4"), "password"),
        (
            "fmt-sha1s",
            "sha1-salted",
            "c973c0b1ed2f7a1def9080ac4ccc9990c8b29f4c",
            Some("a1b2c3d4"),
            "password",
        ),
        ("fmt-bcrypt", "bcrypt", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", None, "U*U"),
    ];
    let db =
        legacy_migration::Application::open_database(&suite.database(legacy_migration::NAME)).await.unwrap();
    let emails =
        ["md5@fmt.example.com", "md5s@fmt.example.com", "sha1s@fmt.example.com", "bcrypt@fmt.example.com"];
    let seeds: Vec<SeedLogin> = formats
        .iter()
        .zip(emails)
        .map(|((id, ..), email)| SeedLogin {
            legacy_login_id: id,
            login_email: email,
            password: "unused-replaced-below",
            activated: true,
            orders_in_progress: 0,
            filings: vec![],
        })
        .collect();
    insert_logins(&db, &seeds).await.unwrap();
    for ((id, format, hash, salt, password), email) in formats.iter().zip(emails) {
        store_legacy_password(&db, id, format, hash, *salt).await.unwrap();
        let wrong = refused(&suite, &lisi, email, "not-it").await;
        assert_eq!(reason(&wrong), "LEGACY_CREDENTIALS_INCORRECT", "{format}");
        assert_eq!(stored_password(&db, id).await.unwrap().0, *format, "a failure changes nothing");
        // a right password passes the check (this login holds no filing)
        let right = refused(&suite, &lisi, email, password).await;
        assert_eq!(reason(&right), "LEGACY_LOGIN_HAS_NO_FILING", "{format}");
        let (now_format, now_hash, now_salt) = stored_password(&db, id).await.unwrap();
        assert_eq!((now_format.as_str(), now_salt), ("suite", None), "{format}: re-hashed");
        assert!(now_hash.starts_with("$argon2id$") && !now_hash.contains(password));
        assert!(beian_common::password::verify(password, &now_hash));
        // and checks in the new format from then on
        assert_eq!(reason(&refused(&suite, &lisi, email, password).await), "LEGACY_LOGIN_HAS_NO_FILING");
        assert_eq!(reason(&refused(&suite, &lisi, email, "not-it").await), "LEGACY_CREDENTIALS_INCORRECT");
    }
    db.close().await;
    suite.stop().await;
}

fn internal<T>(suite: &TestSuite, message: T) -> Request<T> {
    let mut request = Request::new(message);
    let (header, value) = suite.credential();
    request.metadata_mut().insert(header, value);
    request
}

async fn complete_claim(
    suite: &TestSuite,
    case: &str,
    filing: &str,
    account: &str,
) -> Result<String, Status> {
    LegacyMigrationInternalServiceClient::new(suite.channel(suite.addresses().legacy_migration).await)
        .complete_claim(internal(
            suite,
            CompleteClaimRequest {
                case_number: case.into(),
                filing_number: filing.into(),
                account_id: account.into(),
            },
        ))
        .await
        .map(|r| r.into_inner().subject_id)
}

#[tokio::test]
async fn complete_claim_adopts_a_claimable_filing_once_per_case() {
    let suite = demo_suite().await;
    assert_eq!(
        reason(&complete_claim(&suite, "C-0", "沪ICP备99999999号", LISI).await.unwrap_err()),
        "LEGACY_FILING_NOT_FOUND"
    );
    assert_eq!(
        reason(&complete_claim(&suite, "C-0", OLD_SHOP_FILING, LISI).await.unwrap_err()),
        "CLAIM_NOT_ELIGIBLE"
    );
    // into an account holding a subject: refused, and the filing stays free
    let holds = complete_claim(&suite, "C-1", PIONEER_FILING, ZHANG).await.unwrap_err();
    assert_eq!(reason(&holds), "ACCOUNT_ALREADY_HOLDS_SUBJECT");
    let subject = complete_claim(&suite, "C-2", PIONEER_FILING, LISI).await.expect("claimed");
    assert_eq!(complete_claim(&suite, "C-2", PIONEER_FILING, LISI).await.expect("a retry"), subject);
    let lisi = login(&suite, "lisi-new").await;
    assert_eq!(held(&suite, &lisi).await.as_deref(), Some(PIONEER_FILING));
    assert_eq!(history_len(&suite, &lisi).await, 1);
    let again = complete_claim(&suite, "C-3", PIONEER_FILING, "1000000000000004").await.unwrap_err();
    assert_eq!(reason(&again), "LEGACY_ALREADY_IMPORTED");
    suite.stop().await;
}

#[tokio::test]
async fn an_approved_legacy_claim_case_brings_the_filing_into_the_account() {
    let suite = demo_suite().await;
    let png = |kind: DocumentKind| Document {
        kind: kind as i32,
        content_type: "image/png".into(),
        content: vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
    };
    let mut identity =
        IdentityRecoveryServiceClient::new(suite.channel(suite.addresses().identity_recovery).await);
    let open = |account: &str, request_id: &str| OpenReviewCaseRequest {
        kind: ReviewKind::LegacyClaim as i32,
        applicant: Some(Applicant {
            name: "吴先锋".into(),
            certificate_type: 1,
            certificate_number: "310104196606066663".into(),
            mobile: "13912340000".into(),
            email: String::new(),
        }),
        subject: Some(ReviewSubject {
            domain: "pioneer-2008.cn".into(),
            filing_number: PIONEER_FILING.into(),
            account_id: account.into(),
            certificate_type: 1,
            certificate_number: "310104196606066663".into(),
            ..ReviewSubject::default()
        }),
        documents: vec![png(DocumentKind::IdCardFront), png(DocumentKind::IdCardBack)],
        request_id: request_id.into(),
        locale: "zh-CN".into(),
    };
    let decide = |case_number: &str| DecideReviewCaseRequest {
        case_number: case_number.into(),
        staff_id: "1000000000000099".into(),
        approve: true,
        note: String::new(),
    };
    let status = |case_number: &str| GetReviewStatusRequest {
        case_number: case_number.into(),
        applicant_mobile: "13912340000".into(),
    };
    // into zhangwei2019, who holds a subject: completed with the reason
    let refused_case =
        identity.open_review_case(internal(&suite, open(ZHANG, "claim-1"))).await.unwrap().into_inner();
    let refused_number = refused_case.review_case.unwrap().case_number;
    identity.decide_review_case(internal(&suite, decide(&refused_number))).await.expect("approved");
    let claimed_case =
        identity.open_review_case(internal(&suite, open(LISI, "claim-2"))).await.unwrap().into_inner();
    let claimed_number = claimed_case.review_case.unwrap().case_number;
    let mut completed = false;
    for _ in 0..200 {
        let ticket =
            identity.get_review_status(internal(&suite, status(&refused_number))).await.unwrap().into_inner();
        completed = ticket.status.unwrap().state == ReviewState::Completed as i32;
        if completed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(completed, "the refused claim completes");
    let refused_ticket =
        identity.get_review_status(internal(&suite, status(&refused_number))).await.unwrap().into_inner();
    assert_eq!(
        refused_ticket.status.unwrap().failure_reason,
        beian_proto::common::v1::ErrorReason::AccountAlreadyHoldsSubject as i32
    );
    // the applicant is told: approved, not completed, and why (in the case's language)
    let told = suite
        .wait_for_messages(1, |m| {
            m["template"] == "REVIEW_DECIDED"
                && m["text"].as_str().is_some_and(|t| t.contains(&refused_number))
        })
        .await;
    assert_eq!(told[0]["destination"], "13912340000");
    let text = told[0]["text"].as_str().expect("text");
    assert!(
        text.contains("已通过但未能完成") || text.contains("approved but could not be completed"),
        "{text}"
    );
    // then the claim into lisi-new, approved after the refusal freed the filing
    identity.decide_review_case(internal(&suite, decide(&claimed_number))).await.expect("approved");
    let lisi = login(&suite, "lisi-new").await;
    for _ in 0..200 {
        if held(&suite, &lisi).await.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(held(&suite, &lisi).await.as_deref(), Some(PIONEER_FILING));
    for _ in 0..200 {
        let ticket =
            identity.get_review_status(internal(&suite, status(&claimed_number))).await.unwrap().into_inner();
        if ticket.status.unwrap().state == ReviewState::Completed as i32 {
            suite.stop().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the approved claim never completed");
}

#[tokio::test]
async fn legacy_password_checks_beyond_the_hashing_permits_are_shed_not_queued() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.legacy_hash_permits = 1;
        s.legacy_hash_wait = Duration::ZERO;
    })
    .await;
    let lisi = login(&suite, "lisi-new").await;
    // unknown emails (each its own lock streak), each checked against the decoy: a full Argon2id
    let emails: Vec<String> = (0..8).map(|i| format!("nobody-{i}@legacy.example.com")).collect();
    let tries = emails.iter().map(|email| refused(&suite, &lisi, email, "Legacy#2012pass"));
    let reasons: Vec<&str> =
        futures::future::join_all(tries).await.iter().map(|status| reason(status).as_str()).collect();
    let shed = reasons.iter().filter(|r| **r == "OVERLOADED").count();
    assert!(shed > 0, "8 at once with one permit: {reasons:?}");
    assert!(
        reasons.iter().all(|r| *r == "OVERLOADED" || *r == "LEGACY_CREDENTIALS_INCORRECT"),
        "{reasons:?}"
    );
    suite.stop().await;
}
