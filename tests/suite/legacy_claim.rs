//! The claim (认领原万网备案, SPEC §4, seed 002 §6.1) through the gateway: StartLegacyClaim
//! spends a human-check pass and recognises a filing submitted before 2010-06-01 as 认领备案
//! with its masked summary, or refuses it (import band, moved away, migrated, unknown, an
//! account that holds a subject); SubmitLegacyClaim opens a LEGACY_CLAIM case due within 1
//! business day with the documents the nature needs.

use beian_common::{calendar::BusinessCalendar, masking::mask_name};
use beian_proto::{
    common::v1::{
        CertificateType, Document, DocumentKind as Doc, Region, ReviewKind, ReviewState, SubjectNature,
    },
    gateway::v1::{
        GetReviewCaseRequest, ReviewTicket, StartLegacyClaimRequest, StartLegacyClaimResponse,
        SubmitLegacyClaimRequest, legacy_filing_service_client::LegacyFilingServiceClient,
    },
};
use beian_tests::TestSuite;
use chrono::DateTime;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    decisions::staff,
    filing::{bearer, demo, login},
    filing_type::SHANGHAI,
    reason,
};

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
/// `pioneer@legacy.example.com`'s filing of 2008-04-15 (`deploy/beian/src/demo.rs`).
const PIONEER_ID: &str = "310104196606066663";
const PIONEER_DOMAIN: &str = "pioneer-2008.cn";

fn claim(certificate_number: &str, domain: &str, token: String) -> StartLegacyClaimRequest {
    StartLegacyClaimRequest {
        region: Some(Region {
            province_code: SHANGHAI[0].into(),
            city_code: SHANGHAI[1].into(),
            district_code: SHANGHAI[2].into(),
        }),
        nature: SubjectNature::Individual as i32,
        certificate_type: CertificateType::ResidentIdCard as i32,
        certificate_number: certificate_number.into(),
        domain: domain.into(),
        human_check_token: token,
    }
}

async fn start(
    suite: &TestSuite,
    session: &str,
    request: StartLegacyClaimRequest,
) -> Result<StartLegacyClaimResponse, Status> {
    let client = LegacyFilingServiceClient::new(suite.gateway().await);
    client.clone().start_legacy_claim(bearer(request, session)).await.map(|r| r.into_inner())
}

fn submission(flow_id: &str, documents: &[Doc]) -> SubmitLegacyClaimRequest {
    SubmitLegacyClaimRequest {
        flow_id: flow_id.into(),
        documents: documents
            .iter()
            .map(|kind| Document {
                kind: *kind as i32,
                content_type: "image/png".into(),
                content: PNG.to_vec(),
            })
            .collect(),
        applicant_name: "吴先锋".into(),
    }
}

async fn submit(
    suite: &TestSuite,
    session: &str,
    request: SubmitLegacyClaimRequest,
) -> Result<ReviewTicket, Status> {
    let mut client = LegacyFilingServiceClient::new(suite.gateway().await);
    let reply = client.submit_legacy_claim(bearer(request, session)).await?;
    Ok(reply.into_inner().ticket.expect("a ticket"))
}

#[tokio::test]
async fn a_filing_before_2010_is_recognised_and_its_claim_is_due_in_one_business_day() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let token = suite.human_check_token().await;
    let recognised =
        start(&suite, &lisi, claim(PIONEER_ID, "WWW.Pioneer-2008.cn.", token)).await.expect("认领备案");
    assert_eq!(recognised.filing_number, "沪ICP备08001234号");
    assert_eq!(recognised.nature, SubjectNature::Individual as i32);
    assert_eq!(recognised.certificate_type, CertificateType::ResidentIdCard as i32);
    assert_eq!(recognised.region.as_ref().map(|r| r.district_code.as_str()), Some("310104"));
    assert_eq!(recognised.masked_certificate_number, "310*****663");
    assert_eq!(recognised.masked_principal_name, mask_name("吴先锋"));
    assert!(!recognised.masked_principal_name.contains("先锋"));

    let ticket = submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack]))
        .await
        .expect("a case");
    assert!(ticket.case_number.starts_with("RV"), "{ticket:?}");
    assert_eq!((ticket.kind, ticket.state), (ReviewKind::LegacyClaim as i32, ReviewState::Pending as i32));
    let submitted =
        DateTime::from_timestamp(ticket.submit_time.expect("submitted").seconds, 0).expect("a time");
    let due = BusinessCalendar::china_default().deadline(submitted, 1);
    assert_eq!(
        ticket.deadline.expect("a deadline").seconds,
        due.timestamp(),
        "1 business day (seed 002 §6.1)"
    );

    // a retry (say after a lost answer) answers the case it opened
    let again = submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack]))
        .await
        .expect("the same case");
    assert_eq!(again.case_number, ticket.case_number);

    // staff see the claim: the filing, the domain, the claimant's contacts masked
    let reviewer = login(&suite, "reviewer01").await;
    let case = staff(&suite)
        .await
        .get_review_case(bearer(GetReviewCaseRequest { case_number: ticket.case_number.clone() }, &reviewer))
        .await
        .expect("viewed")
        .into_inner()
        .review_case
        .expect("a case");
    assert_eq!((case.filing_number.as_str(), case.domain.as_str()), ("沪ICP备08001234号", PIONEER_DOMAIN));
    assert_eq!(case.masked_applicant_mobile, "139****5678", "lisi-new's own mobile");
    assert_eq!(case.documents.len(), 2);

    // another account cannot use the flow
    let qian = login(&suite, "qian-imported").await;
    let stranger =
        submit(&suite, &qian, submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack]))
            .await
            .expect_err("not its flow");
    assert_eq!(reason(&stranger), "WORKFLOW_NOT_FOUND");
    suite.stop().await;
}

#[tokio::test]
async fn an_organisation_claims_with_its_certificate() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let token = suite.human_check_token().await;
    let request = StartLegacyClaimRequest {
        nature: SubjectNature::Organisation as i32,
        certificate_type: CertificateType::BusinessLicense as i32,
        ..claim("91310104ma1fl0009x", "pioneer-org-2009.com.cn", token)
    };
    let recognised = start(&suite, &lisi, request).await.expect("认领备案");
    assert_eq!(recognised.filing_number, "沪ICP备09007777号");
    assert_eq!(recognised.nature, SubjectNature::Organisation as i32);
    assert_eq!(recognised.masked_principal_name, mask_name("卫先行"));

    // ID cards are not what an organisation shows: its certificate is
    let id_cards =
        submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack]))
            .await
            .expect_err("materials");
    assert_eq!(reason(&id_cards), "MATERIALS_INCOMPLETE");
    let named = &id_cards.get_details_bad_request().expect("BadRequest").field_violations[0].field;
    assert_eq!(named, "documents[ORGANISATION_CERTIFICATE]");
    let ticket = submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::OrganisationCertificate]))
        .await
        .expect("a case");
    assert_eq!((ticket.kind, ticket.state), (ReviewKind::LegacyClaim as i32, ReviewState::Pending as i32));
    suite.stop().await;
}

#[tokio::test]
async fn filings_that_cannot_be_claimed_are_refused_each_with_its_reason() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let refused = |status: Status| (status.code(), reason(&status).as_str().to_owned());
    // (certificate, domain, region) of each legacy case in the demo data
    let cases = [
        // 2012-05-20: on or after 2010-06-01, imported with the legacy login instead
        (
            "31010419770707777X",
            "old-shop.com.cn",
            SHANGHAI,
            (Code::FailedPrecondition, "LEGACY_FILING_MUST_BE_IMPORTED"),
        ),
        // 2009, later moved to another provider
        ("310104197009099998", "moved-away.cn", SHANGHAI, (Code::FailedPrecondition, "CLAIM_NOT_ELIGIBLE")),
        // already imported into qian-imported
        (
            "440305198203036780",
            "imported-site.cn",
            ["440000", "440300", "440305"],
            (Code::FailedPrecondition, "CLAIM_NOT_ELIGIBLE"),
        ),
        // 2017-03-15, after the cut-over: nothing to claim, file directly
        ("31010419920202222X", "late-2017.cn", SHANGHAI, (Code::FailedPrecondition, "CLAIM_NOT_ELIGIBLE")),
        // the right subject with a domain that is not its own, and details nobody filed
        (PIONEER_ID, "someone-else.cn", SHANGHAI, (Code::NotFound, "LEGACY_FILING_NOT_FOUND")),
        ("310104199001011234", PIONEER_DOMAIN, SHANGHAI, (Code::NotFound, "LEGACY_FILING_NOT_FOUND")),
    ];
    for (certificate, domain, region, expected) in cases {
        let token = suite.human_check_token().await;
        let mut request = claim(certificate, domain, token);
        request.region.as_mut().unwrap().province_code = region[0].into();
        request.region.as_mut().unwrap().city_code = region[1].into();
        request.region.as_mut().unwrap().district_code = region[2].into();
        let status = start(&suite, &lisi, request).await.expect_err(domain);
        assert_eq!(refused(status), (expected.0, expected.1.to_owned()), "{domain}");
    }
    // one account, one subject: zhangwei2019 holds one already
    let zhang = login(&suite, "zhangwei2019").await;
    let token = suite.human_check_token().await;
    let holds = start(&suite, &zhang, claim(PIONEER_ID, PIONEER_DOMAIN, token)).await.expect_err("holds one");
    assert_eq!(refused(holds), (Code::FailedPrecondition, "ACCOUNT_HOLDS_OTHER_SUBJECT".to_owned()));
    suite.stop().await;
}

#[tokio::test]
async fn the_claim_needs_a_session_and_a_fresh_human_check_pass() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let anonymous = LegacyFilingServiceClient::new(suite.gateway().await)
        .start_legacy_claim(claim(PIONEER_ID, PIONEER_DOMAIN, suite.human_check_token().await))
        .await
        .expect_err("no session");
    assert_eq!(reason(&anonymous), "SESSION_REQUIRED");

    let blank =
        start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, " ".into())).await.expect_err("no pass");
    assert_eq!(blank.code(), Code::InvalidArgument);
    let field = &blank.get_details_bad_request().expect("BadRequest").field_violations[0].field;
    assert_eq!(field, "human_check_token");
    let forged =
        start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, "forged".into())).await.expect_err("forged");
    assert_eq!(reason(&forged), "HUMAN_CHECK_EXPIRED");

    let token = suite.human_check_token().await;
    start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, token.clone())).await.expect("recognised");
    let spent = start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, token)).await.expect_err("spent");
    assert_eq!(reason(&spent), "HUMAN_CHECK_EXPIRED");
    suite.stop().await;
}

#[tokio::test]
async fn missing_documents_are_named_and_the_flow_waits_for_them() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let token = suite.human_check_token().await;
    let recognised = start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, token)).await.expect("认领备案");

    let incomplete = submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::IdCardFront]))
        .await
        .expect_err("materials");
    assert_eq!(
        (incomplete.code(), reason(&incomplete).as_str()),
        (Code::InvalidArgument, "MATERIALS_INCOMPLETE")
    );
    let named: Vec<String> = incomplete
        .get_details_bad_request()
        .expect("BadRequest")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(named, ["documents[ID_CARD_BACK]"]);
    let nothing = submit(&suite, &lisi, submission(&recognised.flow_id, &[])).await.expect_err("materials");
    assert_eq!(reason(&nothing), "MATERIALS_INCOMPLETE");

    let unnamed = SubmitLegacyClaimRequest {
        applicant_name: String::new(),
        ..submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack])
    };
    let status = submit(&suite, &lisi, unnamed).await.expect_err("a name is required");
    assert_eq!(
        status.get_details_bad_request().expect("BadRequest").field_violations[0].field,
        "applicant_name"
    );

    // the flow is where it was: the complete set opens the case
    let ticket = submit(&suite, &lisi, submission(&recognised.flow_id, &[Doc::IdCardFront, Doc::IdCardBack]))
        .await
        .expect("complete");
    assert_eq!(ticket.kind, ReviewKind::LegacyClaim as i32);
    suite.stop().await;
}

#[tokio::test]
async fn racing_submissions_open_one_case_and_a_loser_is_out_of_order() {
    let suite = demo().await;
    let lisi = login(&suite, "lisi-new").await;
    let token = suite.human_check_token().await;
    let recognised = start(&suite, &lisi, claim(PIONEER_ID, PIONEER_DOMAIN, token)).await.expect("认领备案");
    let documents = [Doc::IdCardFront, Doc::IdCardBack];
    let (first, second) = tokio::join!(
        submit(&suite, &lisi, submission(&recognised.flow_id, &documents)),
        submit(&suite, &lisi, submission(&recognised.flow_id, &documents)),
    );
    let mut cases = Vec::new();
    for outcome in [first, second] {
        match outcome {
            Ok(ticket) => cases.push(ticket.case_number),
            // the step lost the flow's compare-and-set: nothing changed
            Err(status) => assert_eq!(reason(&status), "WORKFLOW_STEP_OUT_OF_ORDER"),
        }
    }
    assert!(!cases.is_empty(), "one submission wins");
    // both asked identity-recovery under the flow's key: one case
    let after = submit(&suite, &lisi, submission(&recognised.flow_id, &documents)).await.expect("answered");
    assert!(cases.iter().all(|case| *case == after.case_number), "{cases:?} vs {}", after.case_number);

    // a flow id nobody started, or of another workflow, is not found
    let unknown = submit(&suite, &lisi, submission("0123456789abcdef0123456789abcdef", &documents))
        .await
        .expect_err("unknown");
    assert_eq!(reason(&unknown), "WORKFLOW_NOT_FOUND");
    suite.stop().await;
}
