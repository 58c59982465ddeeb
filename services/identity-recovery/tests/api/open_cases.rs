//! OpenReviewCase: each kind's rules, documents, duplicates; GetReviewCase and
//! GetReviewDocument (decisions: `decisions.rs`).

use beian_common::calendar::BusinessCalendar;
use beian_proto::{
    common::v1::{self as common, CertificateType as Cert, DocumentKind as Doc, ReviewKind as Kind},
    identity_recovery::v1::{
        GetReviewCaseRequest, GetReviewDocumentRequest, OpenReviewCaseRequest, ReviewCase,
    },
};
use chrono::{DateTime, FixedOffset};
use tonic::Code;

use crate::{
    cases::{self, ALL_KINDS, document, documents, key_for, request},
    support::{NOWHERE, TestApp, fields, metadata, reason},
};

async fn start() -> TestApp {
    let app = TestApp::start(NOWHERE).await;
    cases::seed_accounts(&app).await;
    app
}

fn millis(time: Option<prost_types::Timestamp>) -> i64 {
    let time = time.expect("a time");
    time.seconds * 1000 + i64::from(time.nanos / 1_000_000)
}

async fn open(app: &TestApp, request: OpenReviewCaseRequest) -> Result<ReviewCase, tonic::Status> {
    let reply = app.client().await.open_review_case(app.request(request)).await?;
    Ok(reply.into_inner().review_case.expect("a case"))
}

#[tokio::test]
async fn every_kind_opens_with_its_materials() {
    let app = start().await;
    let calendar = BusinessCalendar::china_default();
    let china = FixedOffset::east_opt(8 * 3600).expect("offset");
    let mut client = app.client().await;
    for (n, (kind, days)) in ALL_KINDS.into_iter().zip([1, 2, 2, 1, 3]).enumerate() {
        let request = request(kind, &key_for(kind, n));
        let expected_documents: Vec<i32> = request.documents.iter().map(|d| d.kind).collect();
        let case = open(&app, request).await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));

        assert_eq!(case.kind, kind as i32);
        assert_eq!(case.state, common::ReviewState::Pending as i32);
        let submitted = DateTime::from_timestamp_millis(millis(case.submit_time)).expect("time");
        let china_date = submitted.with_timezone(&china).format("%Y%m%d").to_string();
        assert!(case.case_number.starts_with(&format!("RV{china_date}")), "{}", case.case_number);
        assert_eq!(case.case_number.len(), 16);
        assert_eq!(millis(case.deadline), calendar.deadline(submitted, days).timestamp_millis(), "{kind:?}");
        assert_eq!(case.documents.iter().map(|d| d.kind).collect::<Vec<_>>(), expected_documents);

        let fetched = client
            .get_review_case(app.request(GetReviewCaseRequest {
                case_number: case.case_number.clone(),
                staff_id: "staff-1".into(),
            }))
            .await
            .expect("get")
            .into_inner()
            .review_case
            .expect("a case");
        assert_eq!(fetched, case, "{kind:?}: stored as answered");

        for reference in &case.documents {
            let stored = client
                .get_review_document(app.request(GetReviewDocumentRequest {
                    staff_id: "staff-1".into(),
                    case_number: case.case_number.to_lowercase(),
                    document_id: reference.document_id.clone(),
                }))
                .await
                .expect("document")
                .into_inner()
                .document
                .expect("a document");
            assert_eq!(stored.kind, reference.kind);
            assert_eq!(stored.content_type, "image/png");
            assert_eq!(stored.content, cases::png());
            assert_eq!(reference.size_bytes, i64::try_from(cases::png().len()).expect("small"));
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn missing_materials_are_named_by_kind() {
    let app = start().await;
    let organisation = |principal: bool, kinds: &[Doc]| {
        let mut request = request(Kind::LegacyLoginReset, "21000001");
        let subject = request.subject.as_mut().expect("subject");
        subject.nature = common::SubjectNature::Organisation as i32;
        subject.applicant_is_principal = principal;
        request.documents = documents(kinds);
        request
    };
    let org_documents = [Doc::HalfBodyWithOrganisationCertificate, Doc::IdCardFront, Doc::IdCardBack];
    let without = |kind: Kind, kinds: &[Doc]| {
        let mut request = request(kind, &key_for(kind, 1));
        request.documents = documents(kinds);
        request
    };
    let mut transfer_by_organisation = without(Kind::OfflineTransfer, cases::ID_AND_HALF_BODY);
    transfer_by_organisation.subject.as_mut().expect("subject").nature =
        common::SubjectNature::Organisation as i32;
    // as the gateway asks: no nature, the filed certificate a business licence
    let mut filing_password_of_organisation = without(Kind::FilingPassword, cases::ID_AND_HALF_BODY);
    let subject = filing_password_of_organisation.subject.as_mut().expect("subject");
    subject.certificate_type = Cert::BusinessLicense as i32;
    subject.certificate_number = "91330106MA2B123456".into();

    let cases: Vec<(OpenReviewCaseRequest, Vec<&str>)> = vec![
        (
            without(Kind::LegacyLoginReset, &[Doc::IdCardFront, Doc::IdCardBack]),
            vec!["HALF_BODY_WITH_ID_CARD"],
        ),
        (organisation(false, &org_documents), vec!["AUTHORISATION_LETTER"]),
        (
            organisation(true, &[Doc::IdCardFront]),
            vec!["HALF_BODY_WITH_ORGANISATION_CERTIFICATE", "ID_CARD_BACK"],
        ),
        (without(Kind::FilingPassword, &[]), vec!["ID_CARD_FRONT", "ID_CARD_BACK", "HALF_BODY_WITH_ID_CARD"]),
        (filing_password_of_organisation, vec!["ORGANISATION_CERTIFICATE"]),
        (without(Kind::LegacyClaim, &[Doc::IdCardFront, Doc::Other]), vec!["ID_CARD_BACK"]),
        (
            without(Kind::OfflineTransfer, &[Doc::IdCardFront, Doc::IdCardBack]),
            vec!["HALF_BODY_WITH_ID_CARD"],
        ),
        (
            transfer_by_organisation,
            vec![
                "ORGANISATION_CERTIFICATE",
                "HALF_BODY_WITH_ORGANISATION_CERTIFICATE",
                "AUTHORISATION_LETTER",
            ],
        ),
    ];
    for (request, missing) in cases {
        let kind = request.kind;
        let refused = open(&app, request).await.expect_err("materials incomplete");
        assert_eq!(refused.code(), Code::InvalidArgument, "{kind}");
        assert_eq!(reason(&refused), "MATERIALS_INCOMPLETE", "{kind}");
        let expected: Vec<String> = missing.iter().map(|m| format!("documents[{m}]")).collect();
        assert_eq!(fields(&refused), expected, "{kind}");
        assert_eq!(metadata(&refused, "missing"), Some(missing.join(",")));
    }

    // an organisation's principal needs no authorisation letter; anyone else does
    open(&app, organisation(true, &org_documents)).await.expect("principal");
    let mut with_letter = org_documents.to_vec();
    with_letter.push(Doc::AuthorisationLetter);
    let mut other = organisation(false, &with_letter);
    other.subject.as_mut().expect("subject").filing_number = "浙ICP备21000002号".into();
    open(&app, other).await.expect("with the letter");
    app.stop().await;
}

#[tokio::test]
async fn required_and_malformed_fields_are_named() {
    let app = start().await;
    type Spoil = fn(&mut OpenReviewCaseRequest);
    let cases: Vec<(Kind, &str, Spoil)> = vec![
        (Kind::AccountLookup, "kind", |r| r.kind = 0),
        (Kind::AccountLookup, "kind", |r| r.kind = 42),
        (Kind::AccountLookup, "subject.domain", |r| r.subject = None),
        (Kind::AccountLookup, "subject.domain", |r| sub(r).domain = "not a domain!".into()),
        (Kind::AccountLookup, "applicant.name", |r| r.applicant = None),
        (Kind::AccountLookup, "applicant.name", |r| app_(r).name = "名".repeat(65)),
        (Kind::AccountLookup, "applicant.mobile", |r| app_(r).mobile = String::new()),
        (Kind::AccountLookup, "applicant.mobile", |r| app_(r).mobile = "12345678901".into()),
        (Kind::AccountLookup, "applicant.email", |r| app_(r).email = "not-an-email".into()),
        (Kind::AccountLookup, "applicant.certificate_number", |r| {
            app_(r).certificate_number = "110105194912310021".into()
        }),
        (Kind::AccountLookup, "applicant.certificate_number", |r| app_(r).certificate_number = " ".into()),
        (Kind::AccountLookup, "applicant.certificate_type", |r| app_(r).certificate_type = 0),
        (Kind::AccountLookup, "applicant.certificate_type", |r| app_(r).certificate_type = 99),
        (Kind::AccountLookup, "locale", |r| r.locale = "fr-FR".into()),
        (Kind::AccountLookup, "documents[0].kind", |r| {
            r.documents = vec![common::Document { kind: 0, ..document(Doc::Other) }]
        }),
        (Kind::AccountLookup, "documents", |r| r.documents = documents(&[Doc::Other; 11])),
        (Kind::AccountLookup, "subject.description", |r| sub(r).description = "x".repeat(2001)),
        (Kind::AccountLookup, "subject.nature", |r| sub(r).nature = 7),
        (Kind::FilingPassword, "subject.filing_number", |r| sub(r).filing_number = String::new()),
        (Kind::FilingPassword, "subject.filing_number", |r| sub(r).filing_number = "ICP12345678".into()),
        (Kind::FilingPassword, "subject.certificate_number", |r| {
            let s = sub(r);
            s.certificate_type = 0;
            s.certificate_number = String::new();
        }),
        (Kind::FilingPassword, "subject.certificate_number", |r| {
            sub(r).certificate_type = Cert::Passport as i32;
            sub(r).certificate_number = "E-123 4567/8".into();
        }),
        (Kind::FilingPassword, "subject.region.province_code", |r| {
            sub(r).region.as_mut().expect("region").province_code = "990000".into()
        }),
        (Kind::FilingPassword, "subject.region.district_code", |r| {
            sub(r).region.as_mut().expect("region").district_code = "33010".into()
        }),
        (Kind::LegacyLoginReset, "subject.new_login_email", |r| sub(r).new_login_email = String::new()),
        (Kind::LegacyLoginReset, "subject.new_login_email", |r| sub(r).new_login_email = "x@".into()),
        (Kind::LegacyLoginReset, "subject.nature", |r| sub(r).nature = 0),
        (Kind::LegacyClaim, "subject.account_id", |r| sub(r).account_id = String::new()),
        (Kind::LegacyClaim, "subject.domain", |r| sub(r).domain = String::new()),
        (Kind::OfflineTransfer, "subject.target_account_id", |r| sub(r).target_account_id = " ".into()),
        (Kind::OfflineTransfer, "subject.target_account_id", |r| sub(r).target_account_id = "a".repeat(65)),
    ];
    for (kind, field, spoil) in cases {
        let mut request = request(kind, &key_for(kind, 7));
        spoil(&mut request);
        let refused = open(&app, request).await.expect_err(field);
        assert_eq!(
            (refused.code(), reason(&refused).as_str()),
            (Code::InvalidArgument, "INVALID_ARGUMENT"),
            "{field}"
        );
        assert_eq!(fields(&refused), [field], "{kind:?}");
        for personal in [cases::MOBILE, cases::EMAIL, cases::ID_NUMBER] {
            assert!(
                !format!("{refused:?}").contains(personal),
                "{field}: error text holds personal data: {refused:?}"
            );
        }
    }

    // accounts a case names must exist
    for (kind, field) in
        [(Kind::LegacyClaim, "subject.account_id"), (Kind::OfflineTransfer, "subject.target_account_id")]
    {
        let mut request = request(kind, &key_for(kind, 8));
        let subject = sub(&mut request);
        subject.account_id = subject.account_id.replace(cases::CLAIMER, "acc-ghost");
        subject.target_account_id = subject.target_account_id.replace(cases::TARGET, "acc-ghost");
        let refused = open(&app, request).await.expect_err("ghost account");
        assert_eq!((refused.code(), reason(&refused).as_str()), (Code::NotFound, "ACCOUNT_NOT_FOUND"));
        assert_eq!(fields(&refused), [field]);
    }
    app.stop().await;
}

fn sub(request: &mut OpenReviewCaseRequest) -> &mut beian_proto::identity_recovery::v1::ReviewSubject {
    request.subject.get_or_insert_default()
}

fn app_(request: &mut OpenReviewCaseRequest) -> &mut common::Applicant {
    request.applicant.get_or_insert_default()
}

#[tokio::test]
async fn documents_must_be_small_jpeg_png_or_pdf() {
    let app = start().await;
    let with = |content_type: &str, content: Vec<u8>| {
        let mut request = request(Kind::AccountLookup, "documents.example.cn");
        request.documents = vec![
            document(Doc::Other),
            common::Document { kind: Doc::Other as i32, content_type: content_type.into(), content },
        ];
        request
    };
    let mut too_large = cases::png();
    too_large.resize(5 * 1024 * 1024 + 1, 0);
    let rejected = [
        ("image/gif", b"GIF89a....".to_vec()),
        ("image/png", cases::jpeg()),
        ("application/pdf", b"plain text, not a pdf".to_vec()),
        ("image/png", Vec::new()),
        ("text/plain", cases::pdf()),
        ("image/png", too_large),
    ];
    for (content_type, content) in rejected {
        let refused = open(&app, with(content_type, content)).await.expect_err(content_type);
        assert_eq!((refused.code(), reason(&refused).as_str()), (Code::InvalidArgument, "DOCUMENT_REJECTED"));
        assert_eq!(fields(&refused), ["documents[1]"]);
    }

    // the largest accepted document goes in and comes back whole
    let mut largest = cases::pdf();
    largest.resize(5 * 1024 * 1024, b'.');
    let mut request = with("application/pdf", largest.clone());
    request.documents.push(common::Document {
        kind: Doc::Other as i32,
        content_type: "image/jpeg".into(),
        content: cases::jpeg(),
    });
    let case = open(&app, request).await.expect("5 MiB is allowed");
    let stored = app
        .client()
        .await
        .get_review_document(app.request(GetReviewDocumentRequest {
            staff_id: "staff-1".into(),
            case_number: case.case_number,
            document_id: case.documents[1].document_id.clone(),
        }))
        .await
        .expect("document")
        .into_inner()
        .document
        .expect("a document");
    assert_eq!((stored.content_type.as_str(), stored.content.len()), ("application/pdf", largest.len()));
    assert_eq!(stored.content, largest);
    assert_eq!(case.documents[2].content_type, "image/jpeg");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_pending_case_per_kind_and_filing() {
    let app = start().await;
    let first = open(&app, request(Kind::AccountLookup, "shop-zhang.cn")).await.expect("first");

    // the same domain as typed differently is the same request
    let again =
        open(&app, request(Kind::AccountLookup, "https://WWW.Shop-Zhang.CN/")).await.expect_err("dup");
    assert_eq!((again.code(), reason(&again).as_str()), (Code::AlreadyExists, "REVIEW_CASE_ALREADY_OPEN"));
    // the other case's number is not the applicant's business
    assert_eq!(metadata(&again, "case_number"), None);
    assert!(!again.message().contains(&first.case_number), "{again:?}");
    assert!(!String::from_utf8_lossy(again.details()).contains(&first.case_number), "{again:?}");

    // another kind about the same domain is another request
    open(&app, request(Kind::LegacyClaim, "shop-zhang.cn")).await.expect("a claim");

    // a website number and its subject number name one filing
    let mut website = request(Kind::FilingPassword, "12345678");
    website.subject.as_mut().expect("subject").filing_number = "浙ICP备12345678号-3".into();
    let by_website = open(&app, website).await.expect("by website number");
    assert_eq!(by_website.subject.expect("subject").filing_number, "浙ICP备12345678号-3");
    let by_subject = open(&app, request(Kind::FilingPassword, "12345678")).await.expect_err("dup");
    assert_eq!(reason(&by_subject), "REVIEW_CASE_ALREADY_OPEN");

    // racing applications: exactly one opens
    let client = app.client().await;
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let mut client = client.clone();
            let request = app.request(request(Kind::OfflineTransfer, "87654321"));
            tokio::spawn(async move { client.open_review_case(request).await })
        })
        .collect();
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.expect("joins"));
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(reason(refused), "REVIEW_CASE_ALREADY_OPEN");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_retried_request_answers_the_case_it_opened() {
    let app = start().await;
    let first_try = request(Kind::AccountLookup, "retried.example.cn");
    let opened = open(&app, first_try.clone()).await.expect("opens");
    // the answer was lost; the caller retries with the same key, also concurrently
    let retries = futures::future::join_all((0..4).map(|_| open(&app, first_try.clone()))).await;
    for retry in retries {
        assert_eq!(retry.expect("the same case").case_number, opened.case_number);
    }
    let cases: i64 = sqlx::query_scalar("select cast(count(*) as bigint) from review_cases")
        .fetch_one(app.database().reader())
        .await
        .expect("counts");
    assert_eq!(cases, 1);

    // the key of one request cannot open another kind of case
    let mut other = request(Kind::LegacyClaim, "retried.example.cn");
    other.request_id = first_try.request_id.clone();
    let refused = open(&app, other).await.expect_err("another request");
    assert_eq!(reason(&refused), "INVALID_ARGUMENT");
    assert_eq!(fields(&refused), vec!["request_id"]);
    app.stop().await;
}

#[tokio::test]
async fn unknown_cases_and_documents_are_not_found() {
    let app = start().await;
    let mut client = app.client().await;
    let case = open(&app, request(Kind::AccountLookup, "found.example.cn")).await.expect("opens");
    let other = open(&app, request(Kind::LegacyClaim, "other.example.cn")).await.expect("opens");

    let missing = client
        .get_review_case(app.request(GetReviewCaseRequest {
            case_number: "RV20260101000000".into(),
            staff_id: "staff-1".into(),
        }))
        .await
        .expect_err("no such case");
    assert_eq!((missing.code(), reason(&missing).as_str()), (Code::NotFound, "REVIEW_CASE_NOT_FOUND"));
    for malformed in ["", "RV123", "case-1", "RV2026010100000X"] {
        let refused =
            client
                .get_review_case(app.request(GetReviewCaseRequest {
                    case_number: malformed.into(),
                    staff_id: "staff-1".into(),
                }))
                .await
                .expect_err(malformed);
        assert_eq!(
            (refused.code(), fields(&refused)),
            (Code::InvalidArgument, vec!["case_number".to_owned()])
        );
    }

    let document = |case_number: &str, document_id: &str| GetReviewDocumentRequest {
        staff_id: "staff-1".into(),
        case_number: case_number.into(),
        document_id: document_id.into(),
    };
    let no_document = client
        .get_review_document(app.request(document(&case.case_number, "nope")))
        .await
        .expect_err("no such document");
    assert_eq!(
        (no_document.code(), reason(&no_document).as_str()),
        (Code::NotFound, "REVIEW_CASE_NOT_FOUND")
    );
    assert_eq!(fields(&no_document), ["document_id"]);
    let elsewhere = client
        .get_review_document(app.request(document(&case.case_number, &other.documents[0].document_id)))
        .await
        .expect_err("another case's document");
    assert_eq!(fields(&elsewhere), ["document_id"]);
    let no_case = client
        .get_review_document(app.request(document("RV20260101000000", &other.documents[0].document_id)))
        .await
        .expect_err("no such case");
    assert_eq!((reason(&no_case).as_str(), fields(&no_case)), ("REVIEW_CASE_NOT_FOUND", vec![]));
    let blank =
        client.get_review_document(app.request(document(&case.case_number, ""))).await.expect_err("blank");
    assert_eq!(fields(&blank), ["document_id"]);

    app.stop().await;
}
