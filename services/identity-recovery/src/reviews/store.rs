//! SQL over `review_cases` and `review_documents`.

use beian_common::filing_number::FilingNumber;
use beian_platform::status::ErrorReason;
use sqlx::{Any, AnyExecutor, Row, Transaction, any::AnyRow};

use super::{
    Applicant, CaseSubject, Certificate, CertificateType, ContentType, DocumentKind, DocumentRef, Nature,
    Region, ReviewCase, ReviewKind, ReviewState, page::PageRequest,
};
use crate::{error::Error, locale::Locale};

/// A case's columns, then its documents' (one row per document, or one with nulls). A macro
/// so each query stays one static string.
macro_rules! case_with_documents {
    () => {
        "select c.case_number, c.kind, c.state, c.applicant_name, \
     c.applicant_certificate_type, c.applicant_certificate_number, c.applicant_mobile, c.applicant_email, \
     c.domain, c.filing_number, c.nature, c.province_code, c.city_code, c.district_code, \
     c.certificate_type, c.certificate_number, c.new_login_email, c.target_account_id, c.account_id, \
     c.description, c.applicant_is_principal, c.submitted_at_ms, c.deadline_at_ms, c.decision_note, \
     c.decided_by, c.decided_at_ms, c.locale, c.failure_reason, d.document_id, d.kind as document_kind, d.content_type, d.size_bytes "
    };
}

/// Inserts a pending case unless its number is taken or a pending case holds its
/// duplicate key (the partial unique index); answers whether it did. The first write of
/// its transaction, so it decides alone (see ARCHITECTURE.md, Storage).
pub async fn insert_case(
    tx: &mut Transaction<'_, Any>,
    case: &ReviewCase,
    dedup_key: &str,
    request_id: &str,
    locale: Locale,
) -> Result<bool, Error> {
    let applicant = &case.applicant;
    let subject = &case.subject;
    let region = subject.region.as_ref();
    let filing_number = subject.filing_number.as_ref().map(ToString::to_string);
    let result = sqlx::query(
        "insert into review_cases (case_number, kind, state, applicant_name, applicant_certificate_type, \
         applicant_certificate_number, applicant_mobile, applicant_email, domain, filing_number, nature, \
         province_code, city_code, district_code, certificate_type, certificate_number, new_login_email, \
         target_account_id, account_id, description, applicant_is_principal, locale, dedup_key, \
         submitted_at_ms, deadline_at_ms, updated_at_ms, request_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21, $22, $23, $24, $25, $24, $26) on conflict do nothing",
    )
    .bind(&case.case_number)
    .bind(case.kind.as_str())
    .bind(case.state.as_str())
    .bind(&applicant.name)
    .bind(applicant.certificate.as_ref().map(|c| c.kind.as_str()))
    .bind(applicant.certificate.as_ref().map(|c| c.number.as_str()))
    .bind(&applicant.mobile)
    .bind(applicant.email.as_deref())
    .bind(subject.domain.as_deref())
    .bind(filing_number.as_deref())
    .bind(subject.nature.map(Nature::as_str))
    .bind(region.map(|r| r.province_code.as_str()))
    .bind(region.map(|r| r.city_code.as_str()))
    .bind(region.map(|r| r.district_code.as_str()))
    .bind(subject.certificate.as_ref().map(|c| c.kind.as_str()))
    .bind(subject.certificate.as_ref().map(|c| c.number.as_str()))
    .bind(subject.new_login_email.as_deref())
    .bind(subject.target_account_id.as_deref())
    .bind(subject.account_id.as_deref())
    .bind(&subject.description)
    .bind(i64::from(subject.applicant_is_principal))
    .bind(locale.as_str())
    .bind(dedup_key)
    .bind(case.submitted_at_ms)
    .bind(case.deadline_at_ms)
    .bind(request_id)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn insert_document(
    tx: &mut Transaction<'_, Any>,
    case_number: &str,
    position: i64,
    document: &DocumentRef,
    content: &[u8],
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "insert into review_documents (document_id, case_number, position, kind, content_type, size_bytes, \
         content, created_at_ms) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&document.document_id)
    .bind(case_number)
    .bind(position)
    .bind(document.kind.as_str())
    .bind(document.content_type.as_str())
    .bind(document.size_bytes)
    .bind(content)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The number of the case a request with this idempotency key opened, if any.
pub async fn case_number_of_request(
    db: impl AnyExecutor<'_>,
    request_id: &str,
) -> Result<Option<String>, Error> {
    let row = sqlx::query("select case_number from review_cases where request_id = $1")
        .bind(request_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("case_number")).transpose()?)
}

/// The number of the pending case holding a duplicate key, if any.
pub async fn pending_case_number(db: impl AnyExecutor<'_>, dedup_key: &str) -> Result<Option<String>, Error> {
    let row = sqlx::query("select case_number from review_cases where dedup_key = $1 and state = 'PENDING'")
        .bind(dedup_key)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.try_get("case_number")).transpose()?)
}

pub async fn find(db: impl AnyExecutor<'_>, case_number: &str) -> Result<Option<ReviewCase>, Error> {
    let rows = sqlx::query(concat!(
        case_with_documents!(),
        "from review_cases c left join review_documents d on d.case_number = c.case_number \
         where c.case_number = $1 order by d.position"
    ))
    .bind(case_number)
    .fetch_all(db)
    .await?;
    Ok(cases_from_rows(rows)?.pop())
}

/// One page of the queue plus, if there is more, the first case of the next page. With
/// `overdue_only`, only cases whose deadline passed before `now_ms`.
pub async fn queue(
    db: impl AnyExecutor<'_>,
    page: &PageRequest,
    now_ms: i64,
) -> Result<Vec<ReviewCase>, Error> {
    let (after_deadline, after_number) = page
        .after
        .as_ref()
        .map_or((i64::MIN, ""), |cursor| (cursor.deadline_at_ms, cursor.case_number.as_str()));
    let rows = sqlx::query(concat!(
        case_with_documents!(),
        "from (select * from review_cases \
           where ($1 = '' or kind = $1) and state = $2 \
           and (deadline_at_ms > $3 or (deadline_at_ms = $3 and case_number > $4)) \
           and deadline_at_ms < $6 \
           order by deadline_at_ms, case_number limit $5) c \
         left join review_documents d on d.case_number = c.case_number \
         order by c.deadline_at_ms, c.case_number, d.position"
    ))
    .bind(page.filter.kind.map_or("", ReviewKind::as_str))
    .bind(page.filter.state.as_str())
    .bind(after_deadline)
    .bind(after_number)
    .bind(i64::try_from(page.size + 1).unwrap_or(i64::MAX))
    .bind(if page.filter.overdue_only { now_ms } else { i64::MAX })
    .fetch_all(db)
    .await?;
    cases_from_rows(rows)
}

/// A stored document: its kind, type and bytes. No `Debug`: the bytes are identity
/// documents, which must never reach a log.
pub struct StoredDocument {
    pub kind: DocumentKind,
    pub content_type: ContentType,
    pub content: Vec<u8>,
}

/// `None` if the case does not exist; `Some(None)` if it holds no such document.
pub async fn document(
    db: impl AnyExecutor<'_>,
    case_number: &str,
    document_id: &str,
) -> Result<Option<Option<StoredDocument>>, Error> {
    let row = sqlx::query(
        "select c.case_number, d.kind, d.content_type, d.content from review_cases c \
         left join review_documents d on d.case_number = c.case_number and d.document_id = $2 \
         where c.case_number = $1",
    )
    .bind(case_number)
    .bind(document_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(kind) = row.try_get::<Option<String>, _>("kind")? else { return Ok(Some(None)) };
    let content_type: String = row.try_get("content_type")?;
    Ok(Some(Some(StoredDocument {
        kind: parsed(&kind, DocumentKind::parse, "document kind")?,
        content_type: parsed(&content_type, ContentType::parse, "content type")?,
        content: row.try_get("content")?,
    })))
}

/// Rows ordered by case then document, folded into cases with their documents.
fn cases_from_rows(rows: Vec<AnyRow>) -> Result<Vec<ReviewCase>, Error> {
    let mut cases: Vec<ReviewCase> = Vec::new();
    for row in rows {
        let case_number: String = row.try_get("case_number")?;
        if cases.last().is_none_or(|last| last.case_number != case_number) {
            cases.push(case_from_row(&row, case_number)?);
        }
        if let (Some(document), Some(case)) = (document_from_row(&row)?, cases.last_mut()) {
            case.documents.push(document);
        }
    }
    Ok(cases)
}

fn case_from_row(row: &AnyRow, case_number: String) -> Result<ReviewCase, Error> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let nature: Option<String> = row.try_get("nature")?;
    let filing_number: Option<String> = row.try_get("filing_number")?;
    let province_code: Option<String> = row.try_get("province_code")?;
    Ok(ReviewCase {
        case_number,
        kind: parsed(&kind, ReviewKind::parse, "review kind")?,
        state: parsed(&state, ReviewState::parse, "review state")?,
        applicant: Applicant {
            name: row.try_get("applicant_name")?,
            certificate: certificate(row, "applicant_certificate_type", "applicant_certificate_number")?,
            mobile: row.try_get("applicant_mobile")?,
            email: row.try_get("applicant_email")?,
        },
        subject: CaseSubject {
            domain: row.try_get("domain")?,
            filing_number: filing_number
                .map(|number| {
                    FilingNumber::parse(&number)
                        .map_err(|e| Error::internal(format!("stored filing number: {e}")))
                })
                .transpose()?,
            nature: nature.map(|nature| parsed(&nature, Nature::parse, "nature")).transpose()?,
            region: province_code
                .map(|province_code| -> Result<Region, Error> {
                    Ok(Region {
                        province_code,
                        city_code: row.try_get::<Option<String>, _>("city_code")?.unwrap_or_default(),
                        district_code: row.try_get::<Option<String>, _>("district_code")?.unwrap_or_default(),
                    })
                })
                .transpose()?,
            certificate: certificate(row, "certificate_type", "certificate_number")?,
            new_login_email: row.try_get("new_login_email")?,
            target_account_id: row.try_get("target_account_id")?,
            account_id: row.try_get("account_id")?,
            description: row.try_get("description")?,
            applicant_is_principal: row.try_get::<i64, _>("applicant_is_principal")? != 0,
        },
        documents: Vec::new(),
        submitted_at_ms: row.try_get("submitted_at_ms")?,
        deadline_at_ms: row.try_get("deadline_at_ms")?,
        decision_note: row.try_get("decision_note")?,
        decided_by: row.try_get("decided_by")?,
        decided_at_ms: row.try_get("decided_at_ms")?,
        locale: {
            let locale: String = row.try_get("locale")?;
            Locale::parse(&locale).ok_or_else(|| Error::internal(format!("stored locale {locale:?}")))?
        },
        failure_reason: row
            .try_get::<Option<String>, _>("failure_reason")?
            .map(|name| parsed(&name, reason_named, "failure reason"))
            .transpose()?,
    })
}

fn document_from_row(row: &AnyRow) -> Result<Option<DocumentRef>, Error> {
    let Some(document_id) = row.try_get::<Option<String>, _>("document_id")? else { return Ok(None) };
    let kind: String = row.try_get("document_kind")?;
    let content_type: String = row.try_get("content_type")?;
    Ok(Some(DocumentRef {
        document_id,
        kind: parsed(&kind, DocumentKind::parse, "document kind")?,
        content_type: parsed(&content_type, ContentType::parse, "content type")?,
        size_bytes: row.try_get("size_bytes")?,
    }))
}

fn certificate(row: &AnyRow, type_column: &str, number_column: &str) -> Result<Option<Certificate>, Error> {
    let kind: Option<String> = row.try_get(type_column)?;
    let number: Option<String> = row.try_get(number_column)?;
    match (kind, number) {
        (Some(kind), Some(number)) => {
            Ok(Some(Certificate { kind: parsed(&kind, CertificateType::parse, "certificate type")?, number }))
        }
        _ => Ok(None),
    }
}

/// An ErrorReason stored by its name without the prefix (`TRANSFER_TARGET_HOLDS_SUBJECT`).
fn reason_named(name: &str) -> Option<ErrorReason> {
    ErrorReason::from_str_name(&format!("ERROR_REASON_{name}"))
}

/// A stored enumeration value; one the code does not know is a corrupt row.
fn parsed<T>(text: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<T, Error> {
    parse(text).ok_or_else(|| Error::internal(format!("stored {what} {text:?}")))
}
