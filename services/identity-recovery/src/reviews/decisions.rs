//! A staff decision: one conditional update from PENDING, so a case is decided once and
//! of two racing decisions exactly one wins. The same transaction records the decision
//! in the audit and the effect it owes, so a crash after the commit loses nothing.

use beian_platform::storage::Database;
use sqlx::{Any, Transaction};

use super::{
    ReviewCase, ReviewKind, ReviewState,
    audit::{self, AuditAction, AuditEntry},
    effects::{self, EffectAction},
    store,
};
use crate::error::Error;

/// Longest note: it travels in an SMS (the notice parameters' limit).
pub const MAX_NOTE_CHARS: usize = 128;

/// A validated decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub case_number: String,
    pub staff_id: String,
    pub approve: bool,
    /// Required to reject: the applicant reads it.
    pub note: Option<String>,
}

/// Whether this issue can apply the approval of `kind`. The other (legacy login reset)
/// arrives with its workflow; until then its approval is refused rather than left
/// pending for ever.
pub fn effect_delivered(kind: ReviewKind) -> bool {
    matches!(
        kind,
        ReviewKind::AccountLookup
            | ReviewKind::FilingPassword
            | ReviewKind::OfflineTransfer
            | ReviewKind::LegacyLoginReset
            | ReviewKind::LegacyClaim
    )
}

/// Decides `decision.case_number` at `now_ms`. REVIEW_CASE_NOT_FOUND for an unknown case,
/// REVIEW_CASE_ALREADY_DECIDED unless it is pending (also for the loser of a race).
pub async fn decide(db: &Database, decision: &Decision, now_ms: i64) -> Result<ReviewCase, Error> {
    let case = store::find(db.reader(), &decision.case_number).await?.ok_or(Error::ReviewCaseNotFound)?;
    if case.state != ReviewState::Pending {
        return Err(Error::ReviewCaseAlreadyDecided);
    }
    if decision.approve {
        if !effect_delivered(case.kind) {
            return Err(Error::not_implemented("approving this kind of review case"));
        }
        if case.kind == ReviewKind::AccountLookup && case.subject.account_id.is_none() {
            // opened before the gateway named the holder: nothing to send; staff reject it
            return Err(Error::invalid("case_number", "names no account holding the filing: reject it"));
        }
        if case.kind == ReviewKind::LegacyClaim && case.subject.filing_number.is_none() {
            // the claim's legacy filing is what moves: without it there is nothing to apply
            return Err(Error::invalid("case_number", "names no legacy filing number: reject it"));
        }
    }
    let mut writer = db.writer().await?;
    let mut tx = writer.begin().await?;
    if !mark_decided(&mut tx, decision, now_ms).await? {
        tx.rollback().await?;
        drop(writer);
        return Err(Error::ReviewCaseAlreadyDecided);
    }
    let (action, effect) = if decision.approve {
        (AuditAction::Approve, EffectAction::Apply)
    } else {
        (AuditAction::Reject, EffectAction::NotifyRejection)
    };
    let entry = AuditEntry {
        at_ms: now_ms,
        actor: decision.staff_id.clone(),
        action,
        document_id: None,
        note: decision.note.clone(),
    };
    audit::record(&mut *tx, &decision.case_number, &entry).await?;
    effects::insert(&mut *tx, &decision.case_number, effect, now_ms).await?;
    tx.commit().await?;
    drop(writer);
    tracing::info!(case_number = %decision.case_number, staff_id = %decision.staff_id, approve = decision.approve, "review case decided");
    store::find(db.reader(), &decision.case_number)
        .await?
        .ok_or_else(|| Error::internal(format!("case {} vanished", decision.case_number)))
}

/// The deciding write: only a pending case changes; answers whether this one did.
async fn mark_decided(
    tx: &mut Transaction<'_, Any>,
    decision: &Decision,
    now_ms: i64,
) -> Result<bool, Error> {
    let state = if decision.approve { ReviewState::Approved } else { ReviewState::Rejected };
    let result = sqlx::query(
        "update review_cases set state = $2, decided_by = $3, decision_note = $4, decided_at_ms = $5, \
         updated_at_ms = $5 where case_number = $1 and state = 'PENDING'",
    )
    .bind(&decision.case_number)
    .bind(state.as_str())
    .bind(&decision.staff_id)
    .bind(decision.note.as_deref())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}
