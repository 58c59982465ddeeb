//! Review cases to the wire, masked: staff see enough to recognise a person (`张**`,
//! `152****1234`), the full values stay in this service. Documents carry the rest.

use beian_common::masking::{mask_email, mask_id_number, mask_mobile, mask_name};
use beian_platform::wire::{enums::to_wire, timestamp};
use beian_proto::{common::v1 as common, identity_recovery::v1 as pb};

use crate::reviews::{
    DocumentRef, ReviewCase, ReviewState,
    audit::{AuditAction, AuditEntry},
    store::StoredDocument,
};

/// The case as staff see it; `overdue` as of `now_ms`.
pub fn review_case(case: ReviewCase, now_ms: i64) -> pb::ReviewCase {
    let overdue = case.overdue(now_ms);
    let applicant = &case.applicant;
    let subject = case.subject;
    pb::ReviewCase {
        case_number: case.case_number,
        kind: to_wire(case.kind),
        state: to_wire(case.state),
        submit_time: Some(timestamp(case.submitted_at_ms)),
        deadline: Some(timestamp(case.deadline_at_ms)),
        masked_applicant_name: mask_name(&applicant.name),
        masked_applicant_mobile: mask_mobile(&applicant.mobile),
        masked_applicant_email: applicant.email.as_deref().map(mask_email).unwrap_or_default(),
        masked_certificate_number: applicant
            .certificate
            .as_ref()
            .map(|certificate| mask_id_number(&certificate.number))
            .unwrap_or_default(),
        subject: Some(pb::ReviewSubject {
            domain: subject.domain.unwrap_or_default(),
            filing_number: subject.filing_number.map(|number| number.to_string()).unwrap_or_default(),
            nature: subject.nature.map_or(0, to_wire),
            region: subject.region.map(|region| common::Region {
                province_code: region.province_code,
                city_code: region.city_code,
                district_code: region.district_code,
            }),
            certificate_type: subject.certificate.as_ref().map_or(0, |certificate| to_wire(certificate.kind)),
            certificate_number: subject
                .certificate
                .as_ref()
                .map(|certificate| mask_id_number(&certificate.number))
                .unwrap_or_default(),
            new_login_email: subject.new_login_email.as_deref().map(mask_email).unwrap_or_default(),
            target_account_id: subject.target_account_id.unwrap_or_default(),
            account_id: subject.account_id.unwrap_or_default(),
            description: subject.description,
            applicant_is_principal: subject.applicant_is_principal,
        }),
        documents: case.documents.into_iter().map(document_ref).collect(),
        decision_note: case.decision_note.unwrap_or_default(),
        decided_by: case.decided_by.unwrap_or_default(),
        decide_time: case.decided_at_ms.map(timestamp),
        overdue,
        failure_reason: case.failure_reason.map_or(0, |reason| reason as i32),
    }
}

/// The case as its applicant sees it: staff's note only on a rejection.
pub fn review_status(case: ReviewCase) -> pb::ReviewStatus {
    let rejected = case.state == ReviewState::Rejected;
    pb::ReviewStatus {
        case_number: case.case_number,
        kind: to_wire(case.kind),
        state: to_wire(case.state),
        submit_time: Some(timestamp(case.submitted_at_ms)),
        deadline: Some(timestamp(case.deadline_at_ms)),
        rejection_note: if rejected { case.decision_note.unwrap_or_default() } else { String::new() },
        failure_reason: case.failure_reason.map_or(0, |reason| reason as i32),
    }
}

pub fn audit_entry(entry: AuditEntry) -> pb::ReviewAuditEntry {
    let action = match entry.action {
        AuditAction::ViewCase => pb::ReviewAuditAction::ViewCase,
        AuditAction::ViewDocument => pb::ReviewAuditAction::ViewDocument,
        AuditAction::Approve => pb::ReviewAuditAction::Approve,
        AuditAction::Reject => pb::ReviewAuditAction::Reject,
        AuditAction::EffectApplied => pb::ReviewAuditAction::EffectApplied,
    };
    pb::ReviewAuditEntry {
        time: Some(timestamp(entry.at_ms)),
        actor: entry.actor,
        action: action as i32,
        document_id: entry.document_id.unwrap_or_default(),
        note: entry.note.unwrap_or_default(),
    }
}

fn document_ref(document: DocumentRef) -> pb::ReviewDocumentRef {
    pb::ReviewDocumentRef {
        document_id: document.document_id,
        kind: to_wire(document.kind),
        content_type: document.content_type.as_str().to_owned(),
        size_bytes: document.size_bytes,
    }
}

pub fn document(document: StoredDocument) -> common::Document {
    common::Document {
        kind: to_wire(document.kind),
        content_type: document.content_type.as_str().to_owned(),
        content: document.content,
    }
}
