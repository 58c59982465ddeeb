//! The audit of a case: every staff view of it or of its documents, every decision,
//! and the moment its effect was applied. Entries are only ever added.

use sqlx::{AnyExecutor, Row};

use crate::error::Error;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ViewCase,
    ViewDocument,
    Approve,
    Reject,
    /// The approval's effect was applied; the suite's entry, no actor.
    EffectApplied,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ViewCase => "VIEW_CASE",
            Self::ViewDocument => "VIEW_DOCUMENT",
            Self::Approve => "APPROVE",
            Self::Reject => "REJECT",
            Self::EffectApplied => "EFFECT_APPLIED",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::ViewCase, Self::ViewDocument, Self::Approve, Self::Reject, Self::EffectApplied]
            .into_iter()
            .find(|action| action.as_str() == text)
    }
}

/// One entry of a case's audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// The staff account id; empty for the suite's own entries.
    pub actor: String,
    pub action: AuditAction,
    pub document_id: Option<String>,
    pub note: Option<String>,
}

pub async fn record(db: impl AnyExecutor<'_>, case_number: &str, entry: &AuditEntry) -> Result<(), Error> {
    sqlx::query(
        "insert into review_audit (entry_id, case_number, at_ms, actor, action, document_id, note) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().simple().to_string())
    .bind(case_number)
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(entry.action.as_str())
    .bind(entry.document_id.as_deref())
    .bind(entry.note.as_deref())
    .execute(db)
    .await?;
    Ok(())
}

/// The case's entries, oldest first (ids are time-ordered, so equal times keep their order).
pub async fn entries(db: impl AnyExecutor<'_>, case_number: &str) -> Result<Vec<AuditEntry>, Error> {
    let rows = sqlx::query(
        "select at_ms, actor, action, document_id, note from review_audit where case_number = $1 \
         order by at_ms, entry_id",
    )
    .bind(case_number)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let action: String = row.try_get("action")?;
            Ok(AuditEntry {
                at_ms: row.try_get("at_ms")?,
                actor: row.try_get("actor")?,
                action: AuditAction::parse(&action)
                    .ok_or_else(|| Error::internal(format!("stored audit action {action:?}")))?,
                document_id: row.try_get("document_id")?,
                note: row.try_get("note")?,
            })
        })
        .collect()
}
