//! Wire conversions shared by the gateway's handlers.

use beian_proto::{common::v1 as common, gateway::v1 as pb, identity_recovery::v1 as identity};

use crate::model::{Channel, MaskedContact};

pub fn masked_contact(contact: MaskedContact) -> common::MaskedContact {
    common::MaskedContact {
        channel: match contact.channel {
            Channel::Sms => common::Channel::Sms,
            Channel::Email => common::Channel::Email,
        } as i32,
        masked_destination: contact.masked,
    }
}

/// A case as its applicant sees it.
pub fn ticket(case: &identity::ReviewCase) -> pb::ReviewTicket {
    pb::ReviewTicket {
        case_number: case.case_number.clone(),
        kind: case.kind,
        state: case.state,
        submit_time: case.submit_time,
        deadline: case.deadline,
        rejection_note: if case.state == common::ReviewState::Rejected as i32 {
            case.decision_note.clone()
        } else {
            String::new()
        },
    }
}

/// A case as staff see it (masked by identity-recovery already).
pub fn staff_case(case: identity::ReviewCase) -> pb::StaffReviewCase {
    let subject = case.subject.clone().unwrap_or_default();
    pb::StaffReviewCase {
        ticket: Some(ticket(&case)),
        masked_applicant_name: case.masked_applicant_name,
        masked_applicant_mobile: case.masked_applicant_mobile,
        masked_applicant_email: case.masked_applicant_email,
        masked_certificate_number: case.masked_certificate_number,
        domain: subject.domain,
        filing_number: subject.filing_number,
        masked_new_login_email: subject.new_login_email,
        description: subject.description,
        documents: case
            .documents
            .into_iter()
            .map(|d| pb::StaffDocumentRef {
                document_id: d.document_id,
                kind: d.kind,
                content_type: d.content_type,
                size_bytes: d.size_bytes,
            })
            .collect(),
        decided_by: case.decided_by,
    }
}
