//! Personal data of review cases leaves this service only masked, on every RPC that
//! answers a case.

use beian_proto::{
    common::v1::{self as common, DocumentKind as Doc, ReviewKind as Kind},
    identity_recovery::v1::{GetReviewCaseRequest, ListReviewCasesRequest, ReviewCase},
};

use crate::{
    cases::{self, EMAIL, ID_NUMBER, MOBILE, NAME, NEW_LOGIN_EMAIL, SUBJECT_ID_NUMBER, documents, request},
    support::{NOWHERE, TestApp},
};

#[tokio::test]
async fn every_personal_field_is_masked_on_the_wire() {
    let app = TestApp::start(NOWHERE).await;
    let mut client = app.client().await;
    let mut application = request(Kind::LegacyLoginReset, "33000001");
    let subject = application.subject.as_mut().expect("subject");
    subject.nature = common::SubjectNature::Organisation as i32;
    subject.certificate_type = common::CertificateType::ResidentIdCard as i32;
    subject.certificate_number = SUBJECT_ID_NUMBER.to_lowercase();
    subject.description = "申请人为网站负责人".into();
    application.documents = documents(&[
        Doc::HalfBodyWithOrganisationCertificate,
        Doc::IdCardFront,
        Doc::IdCardBack,
        Doc::AuthorisationLetter,
    ]);

    let opened = client
        .open_review_case(app.request(application))
        .await
        .expect("opens")
        .into_inner()
        .review_case
        .expect("a case");
    let fetched = client
        .get_review_case(app.request(GetReviewCaseRequest {
            case_number: opened.case_number.clone(),
            staff_id: "staff-1".into(),
        }))
        .await
        .expect("get")
        .into_inner()
        .review_case
        .expect("a case");
    let listed = client
        .list_review_cases(app.request(ListReviewCasesRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .review_cases;
    assert_eq!(listed.len(), 1);

    for (rpc, case) in
        [("OpenReviewCase", &opened), ("GetReviewCase", &fetched), ("ListReviewCases", &listed[0])]
    {
        assert_masked(rpc, case);
    }
    app.stop().await;
}

fn assert_masked(rpc: &str, case: &ReviewCase) {
    assert_eq!(case.masked_applicant_name, "欧***", "{rpc}");
    assert_eq!(case.masked_applicant_mobile, "137****5678", "{rpc}");
    assert_eq!(case.masked_applicant_email, "o***@example.com", "{rpc}");
    assert_eq!(case.masked_certificate_number, "110*****02X", "{rpc}");
    let subject = case.subject.as_ref().expect("subject");
    assert_eq!(subject.certificate_number, "440*****233", "{rpc}");
    assert_eq!(subject.new_login_email, "n***@example.com", "{rpc}");
    assert_eq!(subject.filing_number, "浙ICP备33000001号", "{rpc}: public data stays readable");
    assert_eq!(subject.description, "申请人为网站负责人", "{rpc}");

    // nothing in the whole message holds a clear value, in any field
    let everything = format!("{case:?}");
    let clear = [
        NAME,
        "欧阳",
        MOBILE,
        EMAIL,
        "ouyangnana",
        ID_NUMBER,
        SUBJECT_ID_NUMBER,
        NEW_LOGIN_EMAIL,
        "new-login",
    ];
    for value in clear {
        assert!(!everything.contains(value), "{rpc} shows {value:?}: {everything}");
    }
    assert!(!everything.contains(&cases::ID_NUMBER[3..15]), "{rpc}: ID digits");
}
