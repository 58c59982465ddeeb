//! Staff review cases as the gateway handles them: it opens cases for
//! applicants and lets staff work the queue. identity-recovery owns the cases;
//! the gateway checks who may see them and forwards their (masked) contents.

use beian_proto::{common::v1 as common, identity_recovery::v1 as identity};
use tonic::metadata::MetadataMap;

use crate::{account, context::Client, error::Error, peers::Peers};

/// A case opened on someone's behalf: who applies, about what, with which documents.
#[derive(Debug, Clone)]
pub struct Application {
    pub kind: common::ReviewKind,
    pub applicant: Option<common::Applicant>,
    pub subject: identity::ReviewSubject,
    pub documents: Vec<common::Document>,
}

pub async fn open(
    peers: &Peers,
    application: Application,
    client: &Client,
) -> Result<identity::ReviewCase, Error> {
    let reply = peers
        .identity_recovery
        .clone()
        .open_review_case(identity::OpenReviewCaseRequest {
            kind: application.kind as i32,
            applicant: application.applicant,
            subject: Some(application.subject),
            documents: application.documents,
            locale: client.locale.as_str().to_owned(),
        })
        .await?
        .into_inner();
    reply.review_case.ok_or_else(|| Error::internal("identity-recovery answered no case"))
}

/// Refuses anyone but logged-in review staff.
pub async fn require_staff(peers: &Peers, metadata: &MetadataMap) -> Result<(), Error> {
    if account::current_account(peers, metadata).await?.staff { Ok(()) } else { Err(Error::StaffOnly) }
}

pub async fn list(
    peers: &Peers,
    metadata: &MetadataMap,
    request: identity::ListReviewCasesRequest,
) -> Result<identity::ListReviewCasesResponse, Error> {
    require_staff(peers, metadata).await?;
    Ok(peers.identity_recovery.clone().list_review_cases(request).await?.into_inner())
}

pub async fn get(
    peers: &Peers,
    metadata: &MetadataMap,
    case_number: &str,
) -> Result<identity::ReviewCase, Error> {
    require_staff(peers, metadata).await?;
    let reply = peers
        .identity_recovery
        .clone()
        .get_review_case(identity::GetReviewCaseRequest { case_number: case_number.to_owned() })
        .await?
        .into_inner();
    reply.review_case.ok_or_else(|| Error::internal("identity-recovery answered no case"))
}

pub async fn document(
    peers: &Peers,
    metadata: &MetadataMap,
    case_number: &str,
    document_id: &str,
) -> Result<common::Document, Error> {
    require_staff(peers, metadata).await?;
    let reply = peers
        .identity_recovery
        .clone()
        .get_review_document(identity::GetReviewDocumentRequest {
            case_number: case_number.to_owned(),
            document_id: document_id.to_owned(),
        })
        .await?
        .into_inner();
    reply.document.ok_or_else(|| Error::internal("identity-recovery answered no document"))
}
