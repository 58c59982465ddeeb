//! SPEC §5 (offline) through the gateway: SubmitOfflineTransfer opens an OFFLINE_TRANSFER
//! case due in three business days with the documents the subject's nature needs; a
//! missing one is MATERIALS_INCOMPLETE naming each; a typo costs nothing; every attempt
//! spends a pass and one of the client's review requests today.

use beian_common::calendar::BusinessCalendar;
use beian_proto::{
    common::v1::{
        Applicant, CertificateType, Document, DocumentKind as Doc, ReviewKind, ReviewState, SubjectNature,
    },
    gateway::v1::{
        ApproveReviewCaseRequest, GetReviewStatusRequest, SubmitOfflineTransferRequest,
        filing_transfer_service_client::FilingTransferServiceClient,
        legacy_login_service_client::LegacyLoginServiceClient,
    },
};
use beian_tests::TestSuite;
use chrono::DateTime;
use tonic::Code;
use tonic_types::StatusExt;

use crate::{
    decisions::{bearer, login, staff},
    filing::my_filing,
    lookup::demo_suite,
    reason,
};

/// `lisi-new`, who holds nothing (`deploy/beian/src/demo.rs`).
const LISI_UID: &str = "1000000000000003";
const APPLICANT_MOBILE: &str = "13912340001";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
pub(crate) const INDIVIDUAL: &[Doc] = &[Doc::IdCardFront, Doc::IdCardBack, Doc::HalfBodyWithIdCard];
const ORGANISATION: &[Doc] = &[
    Doc::OrganisationCertificate,
    Doc::HalfBodyWithOrganisationCertificate,
    Doc::IdCardFront,
    Doc::IdCardBack,
    Doc::AuthorisationLetter,
];

pub(crate) fn submission(
    filing_number: &str,
    nature: SubjectNature,
    documents: &[Doc],
    token: String,
) -> SubmitOfflineTransferRequest {
    SubmitOfflineTransferRequest {
        filing_number: filing_number.into(),
        nature: nature as i32,
        target_account_uid: LISI_UID.into(),
        applicant: Some(Applicant {
            name: "张伟".into(),
            certificate_type: CertificateType::ResidentIdCard as i32,
            certificate_number: "33010619900101123X".into(),
            mobile: APPLICANT_MOBILE.into(),
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
        human_check_token: token,
    }
}

pub(crate) async fn submit(
    suite: &TestSuite,
    request: SubmitOfflineTransferRequest,
) -> Result<beian_proto::gateway::v1::ReviewTicket, tonic::Status> {
    FilingTransferServiceClient::new(suite.gateway().await)
        .submit_offline_transfer(request)
        .await
        .map(|r| r.into_inner().ticket.expect("a ticket"))
}

fn violations(status: &tonic::Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_offline_transfer_opens_a_case_due_in_three_business_days() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let ticket =
        submit(&suite, submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token))
            .await
            .expect("opens");
    assert!(ticket.case_number.starts_with("RV"), "{ticket:?}");
    assert_eq!(ticket.kind, ReviewKind::OfflineTransfer as i32);
    assert_eq!(ticket.state, ReviewState::Pending as i32);
    let submitted =
        DateTime::from_timestamp(ticket.submit_time.expect("submitted").seconds, 0).expect("a time");
    let expected = BusinessCalendar::china_default().deadline(submitted, 3);
    assert_eq!(
        ticket.deadline.expect("a deadline").seconds,
        expected.timestamp(),
        "3 business days (SPEC §5)"
    );

    // the applicant follows it with the mobile given
    let seen = LegacyLoginServiceClient::new(suite.gateway().await)
        .get_review_status(GetReviewStatusRequest {
            case_number: ticket.case_number.clone(),
            applicant_mobile: APPLICANT_MOBILE.into(),
        })
        .await
        .expect("status")
        .into_inner()
        .ticket
        .expect("a ticket");
    assert_eq!((seen.kind, seen.state), (ReviewKind::OfflineTransfer as i32, ReviewState::Pending as i32));
    assert_eq!(seen.failure_reason, 0, "nothing failed");

    let token = suite.human_check_token().await;
    let again =
        submit(&suite, submission("浙ICP备19012345号-1", SubjectNature::Individual, INDIVIDUAL, token))
            .await
            .expect_err("one pending case per subject");
    assert_eq!(reason(&again), "REVIEW_CASE_ALREADY_OPEN");
    suite.stop().await;
}

#[tokio::test]
async fn the_documents_follow_the_nature_and_each_missing_one_is_named() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let individual = submit(
        &suite,
        submission("浙ICP备19012345号", SubjectNature::Individual, &[Doc::IdCardFront], token),
    )
    .await
    .expect_err("materials");
    assert_eq!(
        (individual.code(), reason(&individual).as_str()),
        (Code::InvalidArgument, "MATERIALS_INCOMPLETE")
    );
    assert_eq!(violations(&individual), ["documents[ID_CARD_BACK]", "documents[HALF_BODY_WITH_ID_CARD]"]);

    // an organisation: its certificate, the applicant's photo with it, the applicant's
    // ID and the sealed authorisation letter
    let token = suite.human_check_token().await;
    let organisation =
        submit(&suite, submission("浙ICP备20190001号", SubjectNature::Organisation, INDIVIDUAL, token))
            .await
            .expect_err("materials");
    assert_eq!(reason(&organisation), "MATERIALS_INCOMPLETE");
    assert_eq!(
        violations(&organisation),
        [
            "documents[ORGANISATION_CERTIFICATE]",
            "documents[HALF_BODY_WITH_ORGANISATION_CERTIFICATE]",
            "documents[AUTHORISATION_LETTER]"
        ]
    );
    let token = suite.human_check_token().await;
    let ticket =
        submit(&suite, submission("浙ICP备20190001号", SubjectNature::Organisation, ORGANISATION, token))
            .await
            .expect("complete");
    assert_eq!(ticket.kind, ReviewKind::OfflineTransfer as i32);

    // the target must be an account
    let token = suite.human_check_token().await;
    let mut nobody = submission("京ICP备18000777号", SubjectNature::Individual, INDIVIDUAL, token);
    nobody.target_account_uid = "9999999999999999".into();
    let unknown = submit(&suite, nobody).await.expect_err("no such account");
    assert_eq!(reason(&unknown), "ACCOUNT_NOT_FOUND");
    suite.stop().await;
}

#[tokio::test]
async fn a_malformed_submission_costs_neither_the_pass_nor_the_quota() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.review_requests_per_client_per_day = 1;
    })
    .await;
    let token = suite.human_check_token().await;
    for (field, broken) in [
        (
            "filing_number",
            SubmitOfflineTransferRequest {
                filing_number: "not a number".into(),
                ..submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token.clone())
            },
        ),
        ("nature", submission("浙ICP备19012345号", SubjectNature::Unspecified, INDIVIDUAL, token.clone())),
        (
            "target_account_uid",
            SubmitOfflineTransferRequest {
                target_account_uid: " ".into(),
                ..submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token.clone())
            },
        ),
        (
            "human_check_token",
            submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, String::new()),
        ),
    ] {
        let refused = submit(&suite, broken).await.expect_err(field);
        assert_eq!((refused.code(), violations(&refused)), (Code::InvalidArgument, vec![field.to_owned()]));
    }
    // the same pass still opens the case, spending the client's one request of the day
    submit(&suite, submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token))
        .await
        .expect("the pass was not spent");
    let token = suite.human_check_token().await;
    let capped =
        submit(&suite, submission("浙ICP备20190001号", SubjectNature::Organisation, ORGANISATION, token))
            .await
            .expect_err("quota");
    assert_eq!(reason(&capped), "CLIENT_LIMIT");
    suite.stop().await;
}

/// Staff approve `ticket`'s case; answers the ticket once the effect is applied.
pub(crate) async fn approve(
    suite: &TestSuite,
    ticket: &beian_proto::gateway::v1::ReviewTicket,
) -> beian_proto::gateway::v1::ReviewTicket {
    let reviewer = login(suite, "reviewer01").await;
    staff(suite)
        .await
        .approve_review_case(bearer(
            ApproveReviewCaseRequest { case_number: ticket.case_number.clone(), note: String::new() },
            &reviewer,
        ))
        .await
        .expect("approved");
    let mut status = LegacyLoginServiceClient::new(suite.gateway().await);
    for _ in 0..200 {
        let seen = status
            .get_review_status(GetReviewStatusRequest {
                case_number: ticket.case_number.clone(),
                applicant_mobile: APPLICANT_MOBILE.into(),
            })
            .await
            .expect("status")
            .into_inner()
            .ticket
            .expect("a ticket");
        if seen.state == ReviewState::Completed as i32 {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{} never completed", ticket.case_number);
}

#[tokio::test]
async fn an_approved_offline_transfer_moves_the_filing_once_and_tells_both_sides() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    let ticket =
        submit(&suite, submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token))
            .await
            .expect("opens");
    let done = approve(&suite, &ticket).await;
    assert_eq!(done.failure_reason, 0, "applied: {done:?}");

    let lisi = login(&suite, "lisi-new").await;
    let moved = my_filing(&suite, &lisi).await.expect("lisi-new holds it now");
    assert_eq!(moved.filing_number, "浙ICP备19012345号");
    let zhang = login(&suite, "zhangwei2019").await;
    let gone = my_filing(&suite, &zhang).await.expect_err("the old holder holds nothing");
    assert_eq!(reason(&gone), "NO_SUBJECT_HELD");

    let notices = suite.wait_for_messages(2, |m| m["template"] == "TRANSFER_COMPLETED").await;
    let mut to: Vec<&str> = notices.iter().filter_map(|m| m["destination"].as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["13912345678", "15212341234"], "both sides by SMS");
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let sent = suite.messages().into_iter().filter(|m| m["template"] == "TRANSFER_COMPLETED").count();
    assert_eq!(sent, 2, "moved once");
    suite.stop().await;
}

#[tokio::test]
async fn an_offline_transfer_the_rules_refuse_completes_as_failed_with_the_reason() {
    let suite = demo_suite().await;
    let token = suite.human_check_token().await;
    // hangzhou-tea holds a subject of its own: not a valid target
    let request = SubmitOfflineTransferRequest {
        target_account_uid: "1000000000000002".into(),
        ..submission("浙ICP备19012345号", SubjectNature::Individual, INDIVIDUAL, token)
    };
    let ticket = submit(&suite, request).await.expect("opens");
    let done = approve(&suite, &ticket).await;
    assert_eq!(
        done.failure_reason,
        beian_proto::common::v1::ErrorReason::TransferTargetHoldsSubject as i32,
        "the applicant sees why: {done:?}"
    );
    let zhang = login(&suite, "zhangwei2019").await;
    let kept = my_filing(&suite, &zhang).await.expect("still zhangwei2019's");
    assert_eq!(kept.filing_number, "浙ICP备19012345号");
    // the applicant is told it failed, and why, in its own template
    let told = suite.wait_for_messages(1, |m| m["template"] == "TRANSFER_FAILED").await;
    assert_eq!(told[0]["destination"], APPLICANT_MOBILE);
    assert_eq!(
        told[0]["text"],
        format!(
            "【备案】您的备案信息转移申请 {} 未能完成，原因：对方账号下已有其他主体的备案信息，无法转移。\
             如有疑问，请联系客服。",
            ticket.case_number
        )
    );
    suite.stop().await;
}
