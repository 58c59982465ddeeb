//! Domain → wire conversions several handlers share. Requests are converted
//! (and validated) by `TryFrom` next to their handler.

use beian_platform::wire::{enums::to_wire, timestamp};
use beian_proto::{common::v1 as common, gateway::v1 as pb};

use crate::model::{
    CodeSent, MaskedContact,
    reviews::{ReviewTicket, StaffCase},
    transfer::{ChangeActor, HolderChange},
};

pub fn code_sent(sent: CodeSent) -> pb::CodeSent {
    pb::CodeSent {
        masked_destination: sent.masked_destination,
        expire_time: Some(timestamp(sent.expires_at_ms)),
        resend_time: Some(timestamp(sent.resend_at_ms)),
    }
}

/// A holder change; `staff_view` adds the staff member's UID.
pub fn holder_change(change: HolderChange, staff_view: bool) -> pb::HolderChange {
    let (actor, staff_uid) = match change.actor {
        ChangeActor::Holder => (pb::HolderChangeActor::Holder, String::new()),
        ChangeActor::Staff(uid) => {
            (pb::HolderChangeActor::Staff, if staff_view { uid } else { String::new() })
        }
        ChangeActor::System => (pb::HolderChangeActor::System, String::new()),
    };
    pb::HolderChange {
        filing_number: change.filing_number,
        from_account_uid: change.from_account_id.unwrap_or_default(),
        to_account_uid: change.to_account_id,
        actor: actor as i32,
        staff_uid,
        reason: change.reason,
        change_time: Some(timestamp(change.changed_at_ms)),
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
