//! SQL over `orders` and `service_numbers`, and the effects an approved order has on
//! `websites` and `website_domains` (and, for a whole subject's deregistration, on who holds it).

use beian_common::filing_number::FilingNumber;
use sqlx::{Any, AnyExecutor, Row, Transaction, any::AnyRow};

use super::{
    Deciding, NewWebsitePayload, Order, OrderKind, OrderState, SubjectChangePayload, WebsiteChangePayload,
};
use crate::{
    error::Error,
    subjects::{Website, WebsiteState, store as subjects},
};

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation())
}

fn order_from_row(row: &AnyRow) -> Result<Order, Error> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    Ok(Order {
        order_number: row.try_get("order_number")?,
        subject_id: row.try_get("subject_id")?,
        kind: OrderKind::parse(&kind)
            .ok_or_else(|| Error::internal(format!("stored order kind {kind:?}")))?,
        state: OrderState::parse(&state)
            .ok_or_else(|| Error::internal(format!("stored order state {state:?}")))?,
        website_number: row.try_get("website_number")?,
        decision_note: row.try_get("decision_note")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// ORDER_IN_PROGRESS when the subject has one already (the partial unique index), or the
/// key started an order already (its unique index).
pub async fn insert_in_progress(
    db: impl AnyExecutor<'_>,
    order: &Order,
    key: Option<&str>,
    payload: &str,
) -> Result<(), Error> {
    let inserted = sqlx::query(
        "insert into orders (order_number, subject_id, kind, state, website_number, payload, \
         created_at_ms, updated_at_ms, idempotency_key) \
         values ($1, $2, $3, 'IN_PROGRESS', $4, $6, $5, $5, $7)",
    )
    .bind(&order.order_number)
    .bind(&order.subject_id)
    .bind(order.kind.as_str())
    .bind(order.website_number.as_deref())
    .bind(order.created_at_ms)
    .bind(payload)
    .bind(key)
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Err(Error::OrderInProgress),
        Err(error) => Err(error.into()),
    }
}

/// Puts the service number on a NEW_WEBSITE order just inserted in `tx`: SERVICE_NUMBER_USED
/// when another order in progress holds it (the partial unique index). A statement of its own,
/// after the order's insert, so each unique index names its own refusal.
pub async fn hold_service_number(
    tx: &mut Transaction<'_, Any>,
    order_number: &str,
    service_number: &str,
) -> Result<(), Error> {
    let held = sqlx::query("update orders set service_number = $2 where order_number = $1")
        .bind(order_number)
        .bind(service_number)
        .execute(&mut **tx)
        .await;
    match held {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Err(Error::ServiceNumberUsed),
        Err(error) => Err(error.into()),
    }
}

/// Whether a website's filing used the number (for ever).
pub async fn service_number_used(db: impl AnyExecutor<'_>, service_number: &str) -> Result<bool, Error> {
    let used: i64 =
        sqlx::query("select cast(count(*) as bigint) as n from service_numbers where service_number = $1")
            .bind(service_number)
            .fetch_one(db)
            .await?
            .try_get("n")?;
    Ok(used > 0)
}

/// Records that a website's filing used the number; rows are never deleted.
pub async fn use_service_number(
    tx: &mut Transaction<'_, Any>,
    service_number: &str,
    website_id: &str,
    now_ms: i64,
) -> Result<(), Error> {
    let inserted = sqlx::query(
        "insert into service_numbers (service_number, website_id, used_at_ms) values ($1, $2, $3)",
    )
    .bind(service_number)
    .bind(website_id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Err(Error::ServiceNumberUsed),
        Err(error) => Err(error.into()),
    }
}

pub async fn find(db: impl AnyExecutor<'_>, order_number: &str) -> Result<Option<Order>, Error> {
    let row = sqlx::query(
        "select order_number, subject_id, kind, state, website_number, decision_note, created_at_ms \
         from orders where order_number = $1",
    )
    .bind(order_number)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(order_from_row).transpose()
}

/// The order a request started, by its key.
pub async fn find_by_key(db: impl AnyExecutor<'_>, key: &str) -> Result<Option<Order>, Error> {
    let row = sqlx::query(
        "select order_number, subject_id, kind, state, website_number, decision_note, created_at_ms \
         from orders where idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(order_from_row).transpose()
}

/// The subject's order in progress, if any.
pub async fn in_progress(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<Option<Order>, Error> {
    let row = sqlx::query(
        "select order_number, subject_id, kind, state, website_number, decision_note, created_at_ms \
         from orders where subject_id = $1 and state = 'IN_PROGRESS'",
    )
    .bind(subject_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(order_from_row).transpose()
}

pub async fn abandon(
    db: impl AnyExecutor<'_>,
    order_number: &str,
    subject_id: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "update orders set state = 'ABANDONED', updated_at_ms = $3 \
         where order_number = $1 and subject_id = $2 and state = 'IN_PROGRESS'",
    )
    .bind(order_number)
    .bind(subject_id)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// The deciding statement: true if this call decided the order.
pub async fn decide(
    tx: &mut Transaction<'_, Any>,
    deciding: &Deciding,
    state: OrderState,
    now_ms: i64,
) -> Result<bool, Error> {
    let decided = sqlx::query(
        "update orders set state = $2, decided_by = $3, decided_at_ms = $4, decision_note = $5, \
         updated_at_ms = $4 where order_number = $1 and state = 'IN_PROGRESS'",
    )
    .bind(&deciding.order_number)
    .bind(state.as_str())
    .bind(&deciding.decided_by)
    .bind(now_ms)
    .bind(&deciding.note)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(decided == 1)
}

/// What an approved order changes, `decided_by` approving it. Changes of details are not
/// applied here yet.
pub async fn apply(
    tx: &mut Transaction<'_, Any>,
    order: &Order,
    decided_by: &str,
    now_ms: i64,
) -> Result<(), Error> {
    let website = order.website_number.as_deref();
    match order.kind {
        OrderKind::CancelAccess => {
            sqlx::query(
                "update websites set state = 'ACCESS_CANCELLED', updated_at_ms = $3 \
                 where subject_id = $1 and website_number = $2 and state = 'ACTIVE'",
            )
            .bind(&order.subject_id)
            .bind(website)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        }
        OrderKind::DeregisterSubject | OrderKind::DeregisterWebsite => {
            // the domains first: they are found through the websites' numbers
            sqlx::query(
                "update website_domains set active = 0 where active = 1 and website_id in \
                 (select website_id from websites where subject_id = $1 \
                  and ($2 is null or website_number = $2))",
            )
            .bind(&order.subject_id)
            .bind(website)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "update websites set state = 'DEREGISTERED', updated_at_ms = $3 \
                 where subject_id = $1 and ($2 is null or website_number = $2) and state <> 'DEREGISTERED'",
            )
            .bind(&order.subject_id)
            .bind(website)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
            if order.kind == OrderKind::DeregisterSubject {
                end_holding(tx, order, decided_by, now_ms).await?;
            }
        }
        OrderKind::ChangeWebsite => {
            let change: WebsiteChangePayload =
                serde_json::from_str(&payload_of(tx, &order.order_number).await?).map_err(Error::internal)?;
            sqlx::query(
                "update websites set principal_mobile = coalesce($3, principal_mobile), \
                 principal_email = coalesce($4, principal_email), updated_at_ms = $5 \
                 where subject_id = $1 and website_number = $2",
            )
            .bind(&order.subject_id)
            .bind(website)
            .bind(change.principal_mobile.as_deref())
            .bind(change.principal_email.as_deref())
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
            for domain in &change.remove_domains {
                sqlx::query(
                    "update website_domains set active = 0 where domain = $2 and active = 1 and website_id = \
                     (select website_id from websites where subject_id = $1 and website_number = $3)",
                )
                .bind(&order.subject_id)
                .bind(domain)
                .bind(website)
                .execute(&mut **tx)
                .await?;
            }
        }
        OrderKind::ChangeSubject => {
            let change: SubjectChangePayload =
                serde_json::from_str(&payload_of(tx, &order.order_number).await?).map_err(Error::internal)?;
            sqlx::query(
                "update subjects set principal_name = coalesce($2, principal_name), \
                 principal_mobile = coalesce($3, principal_mobile), \
                 principal_email = coalesce($4, principal_email), \
                 principal_id_number = coalesce($6, principal_id_number), \
                 version = version + 1, updated_at_ms = $5 \
                 where subject_id = $1",
            )
            .bind(&order.subject_id)
            .bind(change.principal_name.as_deref())
            .bind(change.principal_mobile.as_deref())
            .bind(change.principal_email.as_deref())
            .bind(now_ms)
            .bind(change.principal_id_number.as_deref())
            .execute(&mut **tx)
            .await?;
        }
        OrderKind::NewWebsite => {
            let new: NewWebsitePayload =
                serde_json::from_str(&payload_of(tx, &order.order_number).await?).map_err(Error::internal)?;
            add_website(tx, order, new, now_ms).await?;
        }
    }
    Ok(())
}

/// An approved DEREGISTER_SUBJECT order: the subject goes with its websites, so its holder
/// holds it no more (and may hold another). A change of holder, so recorded as one: from the
/// holder to nobody, by whoever approved, keyed by the order.
async fn end_holding(
    tx: &mut Transaction<'_, Any>,
    order: &Order,
    decided_by: &str,
    now_ms: i64,
) -> Result<(), Error> {
    let holder = subjects::release(tx, &order.subject_id, now_ms).await?.ok_or_else(|| {
        Error::internal(format!("subject {} deregistered without a holder", order.subject_id))
    })?;
    subjects::insert_holder_change(
        tx,
        &subjects::HolderChangeRecord {
            change_id: &uuid::Uuid::new_v4().to_string(),
            subject_id: &order.subject_id,
            from_account_id: Some(&holder),
            to_account_id: None,
            actor: decided_by,
            reason: &format!("deregistration {}", order.order_number),
            idempotency_key: Some(&format!("deregister:{}", order.order_number)),
            changed_at_ms: now_ms,
        },
    )
    .await
}

/// An approved NEW_WEBSITE order: the website, ACTIVE, under the subject's next website number
/// (`<subject filing number>-<n>`, n one above the highest so far, deregistered ones included:
/// a number is never given twice) with the subject's principal; its service number used. A
/// domain filed meanwhile (another subject's new website approved) is DOMAIN_ALREADY_FILED
/// and nothing changes.
async fn add_website(
    tx: &mut Transaction<'_, Any>,
    order: &Order,
    new: NewWebsitePayload,
    now_ms: i64,
) -> Result<(), Error> {
    let subject = sqlx::query(
        "select filing_number, principal_name, principal_mobile, principal_email from subjects \
         where subject_id = $1",
    )
    .bind(&order.subject_id)
    .fetch_one(&mut **tx)
    .await?;
    let numbers: Vec<String> = sqlx::query("select website_number from websites where subject_id = $1")
        .bind(&order.subject_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get("website_number"))
        .collect::<Result<_, _>>()?;
    let last = numbers.iter().filter_map(|number| FilingNumber::parse(number).ok()?.website_index()).max();
    let filing_number: String = subject.try_get("filing_number")?;
    let website = Website {
        website_id: format!("web-{}", uuid::Uuid::new_v4()),
        website_number: format!("{filing_number}-{}", last.unwrap_or(0) + 1),
        name: new.name,
        domains: new.domains,
        state: WebsiteState::Active,
        principal_name: subject.try_get("principal_name")?,
        principal_mobile: subject.try_get("principal_mobile")?,
        principal_email: subject.try_get("principal_email")?,
    };
    subjects::insert_website(tx, &order.subject_id, &website, now_ms).await?;
    use_service_number(tx, &new.service_number, &website.website_id, now_ms).await?;
    sqlx::query("update orders set website_number = $2 where order_number = $1")
        .bind(&order.order_number)
        .bind(&website.website_number)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn principal_mobile(db: impl AnyExecutor<'_>, subject_id: &str) -> Result<String, Error> {
    Ok(sqlx::query("select principal_mobile from subjects where subject_id = $1")
        .bind(subject_id)
        .fetch_one(db)
        .await?
        .try_get("principal_mobile")?)
}

async fn payload_of(tx: &mut Transaction<'_, Any>, order_number: &str) -> Result<String, Error> {
    Ok(sqlx::query("select payload from orders where order_number = $1")
        .bind(order_number)
        .fetch_one(&mut **tx)
        .await?
        .try_get("payload")?)
}
