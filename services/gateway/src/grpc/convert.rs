//! Domain → wire conversions several handlers share. Requests are converted
//! (and validated) by `TryFrom` next to their handler.

use beian_platform::wire::{enums::to_wire, timestamp};
use beian_proto::{common::v1 as common, gateway::v1 as pb};

use crate::model::{
    CodeSent, MaskedContact,
    reviews::{ReviewTicket, StaffCase},
};

pub fn code_sent(sent: CodeSent) -> pb::CodeSent {
    pb::CodeSent {
        masked_destination: sent.masked_destination,
        expire_time: Some(timestamp(sent.expires_at_ms)),
        resend_time: Some(timestamp(sent.resend_at_ms)),
    }
}

pub fn masked_contact(contact: MaskedContact) -> common::MaskedContact {
    common::MaskedContact { channel: to_wire(contact.channel), masked_destination: contact.masked }
}

/// A case as its applicant sees it.
pub fn ticket(ticket: ReviewTicket) -> pb::ReviewTicket {
    pb::ReviewTicket {
        case_number: ticket.case_number,
        kind: to_wire(ticket.kind),
        state: to_wire(ticket.state),
        submit_time: Some(timestamp(ticket.submitted_at_ms)),
        deadline: Some(timestamp(ticket.deadline_at_ms)),
        rejection_note: ticket.rejection_note.unwrap_or_default(),
        failure_reason: ticket.failure_reason.map_or(0, |reason| reason as i32),
    }
}

/// A case as staff see it (masked by identity-recovery already).
pub fn staff_case(case: StaffCase) -> pb::StaffReviewCase {
    pb::StaffReviewCase {
        ticket: Some(ticket(case.ticket)),
        masked_applicant_name: case.masked_applicant_name,
        masked_applicant_mobile: case.masked_applicant_mobile,
        masked_applicant_email: case.masked_applicant_email,
        masked_certificate_number: case.masked_certificate_number,
        domain: case.domain,
        filing_number: case.filing_number,
        masked_new_login_email: case.masked_new_login_email,
        description: case.description,
        documents: case
            .documents
            .into_iter()
            .map(|d| pb::StaffDocumentRef {
                document_id: d.document_id,
                kind: to_wire(d.kind),
                content_type: d.content_type,
                size_bytes: d.size_bytes,
            })
            .collect(),
        decided_by: case.decided_by,
        decide_time: case.decided_at_ms.map(timestamp),
        overdue: case.overdue,
    }
}
