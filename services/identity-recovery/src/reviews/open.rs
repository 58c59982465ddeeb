//! Opening a case: the kind's rules, a number, a deadline, then one transaction that
//! stores the case and its documents, or nothing.

use beian_common::calendar::BusinessCalendar;
use beian_platform::storage::Database;

use super::{DocumentRef, NewCase, ReviewCase, ReviewState, numbering, rules, store};
use crate::error::Error;

/// Tries before giving up on finding a free case number (a million per day: a second
/// collision in a row means something else is wrong).
const NUMBER_ATTEMPTS: usize = 5;

/// Opens `case` as submitted at `submitted_at_ms`. A retry of the request (same request id)
/// answers the case it opened. REVIEW_CASE_ALREADY_OPEN when a pending case holds its
/// duplicate key; the unique indexes decide, so two racing applications cannot both open.
pub async fn open(
    db: &Database,
    calendar: &BusinessCalendar,
    case: NewCase,
    submitted_at_ms: i64,
) -> Result<ReviewCase, Error> {
    let dedup_key = rules::admit(&case)?;
    if let Some(opened) = opened_by(db, &case).await? {
        return Ok(opened);
    }
    let deadline_at_ms = numbering::deadline(calendar, case.kind, submitted_at_ms)?;
    for _ in 0..NUMBER_ATTEMPTS {
        let case_number = numbering::case_number(submitted_at_ms, &mut rand::rng())?;
        let stored = ReviewCase {
            documents: case
                .documents
                .iter()
                .map(|upload| DocumentRef {
                    document_id: uuid::Uuid::now_v7().simple().to_string(),
                    kind: upload.kind,
                    content_type: upload.content_type,
                    size_bytes: i64::try_from(upload.content.len()).unwrap_or(i64::MAX),
                })
                .collect(),
            case_number,
            kind: case.kind,
            state: ReviewState::Pending,
            applicant: case.applicant.clone(),
            subject: case.subject.clone(),
            submitted_at_ms,
            deadline_at_ms,
            decision_note: None,
            decided_by: None,
            decided_at_ms: None,
            locale: case.locale,
            failure_reason: None,
        };
        let mut writer = db.writer().await?;
        let mut tx = writer.begin().await?;
        if store::insert_case(&mut tx, &stored, &dedup_key, &case.request_id, case.locale).await? {
            for (position, (document, upload)) in stored.documents.iter().zip(&case.documents).enumerate() {
                let position = i64::try_from(position).unwrap_or(i64::MAX);
                store::insert_document(
                    &mut tx,
                    &stored.case_number,
                    position,
                    document,
                    &upload.content,
                    submitted_at_ms,
                )
                .await?;
            }
            tx.commit().await?;
            drop(writer);
            tracing::info!(case_number = %stored.case_number, kind = case.kind.as_str(), "review case opened");
            return Ok(stored);
        }
        tx.rollback().await?;
        drop(writer);
        // a concurrent retry of the same request may have won
        if let Some(opened) = opened_by(db, &case).await? {
            return Ok(opened);
        }
        if let Some(case_number) = store::pending_case_number(db.reader(), &dedup_key).await? {
            tracing::info!(%case_number, kind = case.kind.as_str(), "review case already open");
            return Err(Error::ReviewCaseAlreadyOpen);
        }
        // The number was taken (or the pending duplicate was decided meanwhile): try again.
    }
    Err(Error::internal(format!("no free case number after {NUMBER_ATTEMPTS} attempts")))
}

/// The case an earlier call with this request id opened; the id used for another kind of
/// case is refused.
async fn opened_by(db: &Database, case: &NewCase) -> Result<Option<ReviewCase>, Error> {
    let Some(case_number) = store::case_number_of_request(db.reader(), &case.request_id).await? else {
        return Ok(None);
    };
    let opened = store::find(db.reader(), &case_number)
        .await?
        .ok_or_else(|| Error::internal(format!("case {case_number} vanished")))?;
    if opened.kind != case.kind {
        return Err(Error::invalid("request_id", "was used for another request"));
    }
    tracing::info!(%case_number, "review case request retried: the case it opened answers");
    Ok(Some(opened))
}
