//! Orders on a subject (备案订单): at most one in progress per subject (the partial
//! unique index `orders_one_in_progress` decides, also between concurrent requests),
//! started only while the caller still holds the subject (the order's transaction takes
//! the subject row first, as a transfer does, so the two never both succeed),
//! abandoned by the holder or decided by the regulator's review (`DecideOrder`), whose
//! approval applies the order's effect and whose every decision notifies the holder.
//!
//! A new website (新增网站) carries a server filing service number (备案服务号), single use
//! (seed 002 §3–§4): reserved while its order is in progress (the partial unique index
//! `orders_service_number_in_progress`), free again when the order is abandoned or rejected
//! (the regulator never filed anything with it), and used for ever once approved (a row of
//! `service_numbers`, never deleted: cancel access and deregistration leave it used).

mod lists;

pub use lists::verifies_changes_by_sms as changes_need_sms;
pub mod store;

use std::{collections::BTreeMap, fmt};

use beian_common::{
    locale::Locale,
    masking::{MaskedEmail, MaskedIdNumber, MaskedMobile, mask_name},
    vocabulary::{Channel, Nature, Purpose},
};
use beian_platform::storage::now_millis;
use beian_proto::verification_codes::v1::NoticeTemplate;
use rand::Rng;

use crate::{
    error::Error,
    notices::NewNotice,
    service::FilingRegistry,
    subjects::{Subject, Website, WebsiteState, store as subjects},
};

/// What an order does to the subject once approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    NewWebsite,
    ChangeSubject,
    ChangeWebsite,
    CancelAccess,
    DeregisterSubject,
    DeregisterWebsite,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewWebsite => "NEW_WEBSITE",
            Self::ChangeSubject => "CHANGE_SUBJECT",
            Self::ChangeWebsite => "CHANGE_WEBSITE",
            Self::CancelAccess => "CANCEL_ACCESS",
            Self::DeregisterSubject => "DEREGISTER_SUBJECT",
            Self::DeregisterWebsite => "DEREGISTER_WEBSITE",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::NewWebsite,
            Self::ChangeSubject,
            Self::ChangeWebsite,
            Self::CancelAccess,
            Self::DeregisterSubject,
            Self::DeregisterWebsite,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    InProgress,
    Approved,
    Rejected,
    Abandoned,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Abandoned => "ABANDONED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::InProgress, Self::Approved, Self::Rejected, Self::Abandoned]
            .into_iter()
            .find(|state| state.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order_number: String,
    pub subject_id: String,
    pub kind: OrderKind,
    pub state: OrderState,
    pub website_number: Option<String>,
    pub decision_note: Option<String>,
    pub created_at_ms: i64,
}

/// The regulator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// An order just started, and the domains it would make unfileable for good (their TLD
/// is not approved by the regulator): the holder is warned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub order: Order,
    pub unapproved_tld_domains: Vec<String>,
}

/// A validated DecideOrder.
#[derive(Debug, Clone)]
pub struct Deciding {
    pub order_number: String,
    pub decision: Decision,
    pub note: String,
    pub decided_by: String,
    pub locale: Locale,
}

/// A validated CancelAccess: the proof is redeemed before the order starts.
#[derive(Clone)]
pub struct CancelAccess {
    pub account_id: String,
    pub website_number: String,
    pub proof: String,
    pub filing_password: String,
    /// Names the request: a retry answers the order it started.
    pub request_id: Option<String>,
}

/// A validated Deregister: the whole subject when `website_number` is None.
#[derive(Clone)]
pub struct Deregistration {
    pub account_id: String,
    pub website_number: Option<String>,
    pub filing_password: String,
    pub request_id: Option<String>,
}

/// A validated website change (CreateOrder of kind CHANGE_WEBSITE). No `Debug`: contacts.
#[derive(Clone)]
pub struct WebsiteChange {
    pub account_id: String,
    pub website_number: String,
    /// Normalised; None keeps the current one.
    pub principal_mobile: Option<String>,
    pub principal_email: Option<String>,
    /// Normalised domains to remove.
    pub remove_domains: Vec<String>,
    /// Domains the caller asked to add or alter: any is refused.
    pub add_domains: Vec<String>,
    pub request_id: Option<String>,
}

/// A validated subject change (CreateOrder of kind CHANGE_SUBJECT). No `Debug`: contacts.
#[derive(Clone)]
pub struct SubjectChange {
    pub account_id: String,
    /// None keeps the current value; mobile and email normalised.
    pub principal_name: Option<String>,
    pub principal_mobile: Option<String>,
    pub principal_email: Option<String>,
    /// A new principal's resident ID number, normalised and checked (an organisation's only).
    pub principal_id_number: Option<String>,
    /// Must be the subject's province if given.
    pub province_code: Option<String>,
    /// Last six characters of the principal's ID number (SMS-verifying provinces): of
    /// `principal_id_number` if given, else of the one on file.
    pub principal_id_suffix: String,
    /// Proof of a FILING_CHANGE code to the (new) principal mobile (SMS-verifying provinces).
    pub proof: Option<String>,
    pub request_id: Option<String>,
}

/// A validated CreateOrder of kind NEW_WEBSITE: domains normalised and without repeats,
/// the service number canonical.
#[derive(Debug, Clone)]
pub struct NewWebsite {
    pub account_id: String,
    pub name: String,
    pub domains: Vec<String>,
    pub service_number: String,
    /// See [`order_key`].
    pub request_id: Option<String>,
}

/// What an approved NEW_WEBSITE order adds, kept in the order's payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewWebsitePayload {
    pub name: String,
    pub domains: Vec<String>,
    pub service_number: String,
}

/// What an approved CHANGE_SUBJECT order changes, kept in the order's payload.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubjectChangePayload {
    pub principal_name: Option<String>,
    pub principal_mobile: Option<String>,
    pub principal_email: Option<String>,
    /// Absent from payloads stored before it was part of the change.
    #[serde(default)]
    pub principal_id_number: Option<String>,
}

impl fmt::Debug for SubjectChangePayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubjectChangePayload")
            .field("principal_name", &self.principal_name.as_deref().map(mask_name))
            .field("principal_mobile", &self.principal_mobile.as_deref().map(MaskedMobile))
            .field("principal_email", &self.principal_email.as_deref().map(MaskedEmail))
            .field("principal_id_number", &self.principal_id_number.as_deref().map(MaskedIdNumber))
            .finish()
    }
}

/// What an approved CHANGE_WEBSITE order changes, kept in the order's payload.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebsiteChangePayload {
    pub principal_mobile: Option<String>,
    pub principal_email: Option<String>,
    pub remove_domains: Vec<String>,
}

impl fmt::Debug for WebsiteChangePayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebsiteChangePayload")
            .field("principal_mobile", &self.principal_mobile.as_deref().map(MaskedMobile))
            .field("principal_email", &self.principal_email.as_deref().map(MaskedEmail))
            .field("remove_domains", &self.remove_domains)
            .finish()
    }
}

/// An order about to start.
struct NewOrder<'a> {
    account_id: &'a str,
    /// See [`order_key`].
    key: Option<&'a str>,
    subject_id: &'a str,
    kind: OrderKind,
    website_number: Option<&'a str>,
}

/// `BA` and 16 digits from the thread's CSPRNG: not guessable from another order's number.
fn new_order_number() -> String {
    let mut rng = rand::rng();
    format!("BA{:08}{:08}", rng.random_range(0..100_000_000_u32), rng.random_range(0..100_000_000_u32))
}

/// `orders.idempotency_key` of a request with an id: scoped to the account, so one
/// account's id never answers another's order.
fn order_key(account_id: &str, request_id: Option<&str>) -> Option<String> {
    request_id.map(|id| format!("{account_id}:{id}"))
}

/// The order with the domains it would make unfileable for good (those of its website,
/// or of every website when it names none).
fn started(subject: &Subject, order: Order) -> Started {
    let domains = subject
        .websites
        .iter()
        .filter(|website| {
            order.website_number.as_ref().is_none_or(|number| website.website_number == *number)
        })
        .flat_map(|website| &website.domains);
    Started { unapproved_tld_domains: lists::unapproved(domains), order }
}

/// The caller's website of that number, if its state is one of `allowed`.
fn website_of<'a>(
    subject: &'a Subject,
    number: &str,
    allowed: &[WebsiteState],
) -> Result<&'a Website, Error> {
    subject
        .websites
        .iter()
        .find(|website| website.website_number == number && allowed.contains(&website.state))
        .ok_or(Error::WebsiteNotFound)
}

impl FilingRegistry {
    /// The caller's subject with its websites, refused early when an order runs, so
    /// a filing password is not spent on a request that cannot go ahead.
    async fn subject_for_order(&self, account_id: &str) -> Result<Subject, Error> {
        let subject = self.held_subject(account_id).await?;
        if subject.order_in_progress {
            return Err(Error::OrderInProgress);
        }
        Ok(subject)
    }

    /// CancelAccess: an order that, once approved, leaves the website ACCESS_CANCELLED
    /// (its number stays with the regulator).
    pub async fn cancel_access(&self, request: CancelAccess) -> Result<Started, Error> {
        let key = order_key(&request.account_id, request.request_id.as_deref());
        if let Some(order) = self.order_by_key(key.as_deref()).await? {
            return Ok(started(&self.held_subject(&request.account_id).await?, order));
        }
        let subject = self.subject_for_order(&request.account_id).await?;
        let website = website_of(&subject, &request.website_number, &[WebsiteState::Active])?;
        self.check_filing_password(&subject.subject_id, &request.filing_password).await?;
        // the gateway sends the code to the holder account's bound mobile, as for a transfer
        let holder = self.identity.account(&request.account_id).await?.ok_or_else(|| {
            Error::internal(format!("the holder of subject {} is no account", subject.subject_id))
        })?;
        let redemption = format!("cancel-access:{}:{}", request.account_id, website.website_number);
        self.codes
            .redeem_proof(&request.proof, Purpose::CancelAccess, Some(&holder.mobile), &redemption)
            .await?;
        let order = NewOrder {
            account_id: &request.account_id,
            key: key.as_deref(),
            subject_id: &subject.subject_id,
            kind: OrderKind::CancelAccess,
            website_number: Some(&website.website_number),
        };
        let order = self.start_order(order, "{}").await?;
        Ok(started(&subject, order))
    }

    /// Deregister: an order that, once approved, deregisters the subject's websites
    /// (or the one named) and frees their domains; the whole subject's also ends its
    /// holding (recorded as a holder change to nobody), so the account may hold another.
    pub async fn deregister(&self, request: Deregistration) -> Result<Started, Error> {
        let key = order_key(&request.account_id, request.request_id.as_deref());
        if let Some(order) = self.order_by_key(key.as_deref()).await? {
            return Ok(started(&self.held_subject(&request.account_id).await?, order));
        }
        let subject = self.subject_for_order(&request.account_id).await?;
        let (kind, website_number) = match &request.website_number {
            Some(number) => {
                let allowed = [WebsiteState::Active, WebsiteState::AccessCancelled];
                (
                    OrderKind::DeregisterWebsite,
                    Some(website_of(&subject, number, &allowed)?.website_number.as_str()),
                )
            }
            None => (OrderKind::DeregisterSubject, None),
        };
        self.check_filing_password(&subject.subject_id, &request.filing_password).await?;
        let order = NewOrder {
            account_id: &request.account_id,
            key: key.as_deref(),
            subject_id: &subject.subject_id,
            kind,
            website_number,
        };
        let order = self.start_order(order, "{}").await?;
        Ok(started(&subject, order))
    }

    /// ChangeFiling of a website: contacts may change; since 2019-04-22 domains may only be
    /// removed (adding or altering one is DOMAIN_CHANGE_NOT_ALLOWED), and a website keeps
    /// at least one. Applied when the order is approved.
    pub async fn change_website(&self, change: WebsiteChange) -> Result<Order, Error> {
        if !change.add_domains.is_empty() {
            return Err(Error::DomainChangeNotAllowed);
        }
        let key = order_key(&change.account_id, change.request_id.as_deref());
        if let Some(order) = self.order_by_key(key.as_deref()).await? {
            return Ok(order);
        }
        let subject = self.subject_for_order(&change.account_id).await?;
        let website = website_of(&subject, &change.website_number, &[WebsiteState::Active])?;
        if let Some(index) = change.remove_domains.iter().position(|domain| !website.domains.contains(domain))
        {
            return Err(Error::invalid(
                format!("remove_domains[{index}]"),
                "is not a domain of this website",
            ));
        }
        let mut removing = change.remove_domains.clone();
        removing.sort();
        removing.dedup();
        if removing.len() >= website.domains.len() {
            return Err(Error::invalid("remove_domains", "a website keeps at least one domain"));
        }
        if removing.is_empty() && change.principal_mobile.is_none() && change.principal_email.is_none() {
            return Err(Error::invalid("website_change", "changes nothing"));
        }
        let payload = WebsiteChangePayload {
            principal_mobile: change.principal_mobile,
            principal_email: change.principal_email,
            remove_domains: removing,
        };
        let payload = serde_json::to_string(&payload).map_err(Error::internal)?;
        let number = website.website_number.clone();
        let order = NewOrder {
            account_id: &change.account_id,
            key: key.as_deref(),
            subject_id: &subject.subject_id,
            kind: OrderKind::ChangeWebsite,
            website_number: Some(&number),
        };
        self.start_order(order, &payload).await
    }

    /// ChangeFiling of the subject: the province never changes (PROVINCE_CHANGE_NOT_ALLOWED).
    /// Only an organisation's principal changes person, and a new one comes with their ID
    /// number (seed 002: name, ID number, phone and email change together); an individual's
    /// principal is the subject itself. Where the province verifies changes by SMS, the change
    /// needs the proof of a code sent to the (new) principal mobile and the last six characters
    /// of the (new) principal's ID number (PRINCIPAL_ID_SUFFIX_INCORRECT). Applied when the
    /// order is approved.
    pub async fn change_subject(&self, change: SubjectChange) -> Result<Order, Error> {
        let key = order_key(&change.account_id, change.request_id.as_deref());
        if let Some(order) = self.order_by_key(key.as_deref()).await? {
            return Ok(order);
        }
        let subject = self.subject_for_order(&change.account_id).await?;
        if change.province_code.as_ref().is_some_and(|code| *code != subject.region.province_code) {
            return Err(Error::ProvinceChangeNotAllowed);
        }
        match subject.nature {
            Nature::Individual if change.principal_id_number.is_some() => {
                return Err(Error::invalid(
                    "principal_id_number",
                    "an individual's principal is the subject itself: its ID number is the certificate's",
                ));
            }
            Nature::Organisation
                if change.principal_name.is_some() && change.principal_id_number.is_none() =>
            {
                return Err(Error::invalid("principal_id_number", "a new principal needs their ID number"));
            }
            _ => {}
        }
        if change.principal_name.is_none()
            && change.principal_mobile.is_none()
            && change.principal_email.is_none()
            && change.principal_id_number.is_none()
        {
            return Err(Error::invalid("subject_change", "changes nothing"));
        }
        if lists::verifies_changes_by_sms(&subject.region.province_code) {
            let proof = change.proof.as_deref().ok_or_else(|| {
                Error::invalid(
                    "proof",
                    "this province verifies changes with an SMS code to the principal mobile",
                )
            })?;
            // the person the change makes principal answers for it: the new one if it names one
            let id_number = match (subject.nature, &change.principal_id_number) {
                (_, Some(new)) => Some(new.clone()),
                (Nature::Individual, None) => Some(subject.certificate_number.clone()),
                (Nature::Organisation, None) => {
                    subjects::principal_id_number(self.db.reader(), &subject.subject_id).await?
                }
            };
            let Some(id_number) = id_number else {
                // no suffix can match a number not on file; the data needs fixing, not the user
                tracing::warn!(subject_id = %subject.subject_id, "principal's ID number not on file");
                return Err(Error::PrincipalIdSuffixIncorrect);
            };
            let id_number = beian_common::contact::normalise_certificate_number(&id_number);
            let suffix = id_number.get(id_number.len().saturating_sub(6)..).unwrap_or_default();
            if change.principal_id_suffix.to_ascii_uppercase() != suffix {
                return Err(Error::PrincipalIdSuffixIncorrect);
            }
            let mobile = change.principal_mobile.as_deref().unwrap_or(&subject.principal_mobile);
            let redemption = format!("change-subject:{}", change.account_id);
            self.codes.redeem_proof(proof, Purpose::FilingChange, Some(mobile), &redemption).await?;
        }
        let payload = SubjectChangePayload {
            principal_name: change.principal_name,
            principal_mobile: change.principal_mobile,
            principal_email: change.principal_email,
            principal_id_number: change.principal_id_number,
        };
        let payload = serde_json::to_string(&payload).map_err(Error::internal)?;
        let order = NewOrder {
            account_id: &change.account_id,
            key: key.as_deref(),
            subject_id: &subject.subject_id,
            kind: OrderKind::ChangeSubject,
            website_number: None,
        };
        self.start_order(order, &payload).await
    }

    /// CreateOrder of kind NEW_WEBSITE (新增网站): refused when a domain's TLD is not approved
    /// by the regulator (DOMAIN_TLD_NOT_APPROVED), a live filing holds a domain
    /// (DOMAIN_ALREADY_FILED; a deregistered website's domains may be filed again), or a domain
    /// fails verification against its registrar's record (域名核验: DOMAIN_NOT_REAL_NAME_VERIFIED,
    /// DOMAIN_EXPIRED, DOMAIN_HOLDER_MISMATCH; see `crate::domains`). Then one
    /// transaction whose writes decide: the order (ORDER_IN_PROGRESS), its hold on the service
    /// number (SERVICE_NUMBER_USED while another order in progress holds it), and only then
    /// the read of the used numbers, which an approval writes in the same transaction that
    /// ends its hold — so of two requests racing with one number, one order starts.
    pub async fn add_website(&self, request: NewWebsite) -> Result<Order, Error> {
        let key = order_key(&request.account_id, request.request_id.as_deref());
        if let Some(order) = self.order_by_key(key.as_deref()).await? {
            return Ok(order);
        }
        let subject = self.subject_for_order(&request.account_id).await?;
        if let Some(domain) = lists::unapproved(&request.domains).into_iter().next() {
            return Err(Error::DomainTldNotApproved { domain });
        }
        for domain in &request.domains {
            if subjects::find_by_domain(self.db.reader(), domain).await?.is_some() {
                return Err(Error::DomainAlreadyFiled { domain: domain.clone() });
            }
        }
        self.verify_domains(&subject, &request.domains).await?;
        let payload = NewWebsitePayload {
            name: request.name,
            domains: request.domains,
            service_number: request.service_number,
        };
        let order = Order {
            order_number: new_order_number(),
            subject_id: subject.subject_id.clone(),
            kind: OrderKind::NewWebsite,
            state: OrderState::InProgress,
            website_number: None,
            decision_note: None,
            created_at_ms: now_millis(),
        };
        let json = serde_json::to_string(&payload).map_err(Error::internal)?;
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !subjects::take_for_order(&mut tx, &subject.subject_id, &request.account_id).await? {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::NoSubjectHeld);
        }
        if let Err(error) = store::insert_in_progress(&mut *tx, &order, key.as_deref(), &json).await {
            tx.rollback().await?;
            drop(writer);
            return match (error, self.order_by_key(key.as_deref()).await?) {
                (Error::OrderInProgress, Some(first)) => Ok(first),
                (error, _) => Err(error),
            };
        }
        store::hold_service_number(&mut tx, &order.order_number, &payload.service_number).await?;
        if store::service_number_used(&mut *tx, &payload.service_number).await? {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::ServiceNumberUsed);
        }
        tx.commit().await?;
        drop(writer);
        tracing::info!(order = %order.order_number, subject_id = %subject.subject_id, "new website order started");
        Ok(order)
    }

    /// The order a request with this key started, if any.
    async fn order_by_key(&self, key: Option<&str>) -> Result<Option<Order>, Error> {
        match key {
            Some(key) => store::find_by_key(self.db.reader(), key).await,
            None => Ok(None),
        }
    }

    /// One transaction: first the subject's row, taken only if the caller still holds it
    /// (NO_SUBJECT_HELD once a transfer moved it), then the insert, where the partial unique
    /// index refuses a second order in progress (ORDER_IN_PROGRESS), whichever of two
    /// concurrent requests comes second; when the second is the same request (its key),
    /// it answers the first one's order.
    async fn start_order(&self, new: NewOrder<'_>, payload: &str) -> Result<Order, Error> {
        let order = Order {
            order_number: new_order_number(),
            subject_id: new.subject_id.to_owned(),
            kind: new.kind,
            state: OrderState::InProgress,
            website_number: new.website_number.map(str::to_owned),
            decision_note: None,
            created_at_ms: now_millis(),
        };
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !subjects::take_for_order(&mut tx, new.subject_id, new.account_id).await? {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::NoSubjectHeld);
        }
        if let Err(error) = store::insert_in_progress(&mut *tx, &order, new.key, payload).await {
            tx.rollback().await?;
            drop(writer);
            return match (error, self.order_by_key(new.key).await?) {
                (Error::OrderInProgress, Some(first)) => Ok(first),
                (error, _) => Err(error),
            };
        }
        tx.commit().await?;
        drop(writer);
        tracing::info!(
            order = %order.order_number,
            subject_id = new.subject_id,
            kind = new.kind.as_str(),
            "order started"
        );
        Ok(order)
    }

    /// AbandonOrder: ends the caller's own order in progress; a retry answers the
    /// abandoned order. A decided order, or another subject's, is ORDER_NOT_FOUND.
    pub async fn abandon_order(&self, account_id: &str, order_number: &str) -> Result<Order, Error> {
        let subject =
            subjects::find_by_holder(self.db.reader(), account_id).await?.ok_or(Error::NoSubjectHeld)?;
        store::abandon(&mut *self.db.writer().await?, order_number, &subject.subject_id, now_millis())
            .await?;
        match store::find(self.db.reader(), order_number).await? {
            Some(order) if order.subject_id == subject.subject_id && order.state == OrderState::Abandoned => {
                Ok(order)
            }
            _ => Err(Error::OrderNotFound),
        }
    }

    /// DecideOrder: one transaction whose first statement decides (so two reviewers, or
    /// a retry, decide once), then the effect of an approval and the holder's notice.
    /// A second decision answers the order as it stands and changes nothing.
    pub async fn decide_order(&self, deciding: Deciding) -> Result<Order, Error> {
        let now = now_millis();
        let state = match deciding.decision {
            Decision::Approve => OrderState::Approved,
            Decision::Reject => OrderState::Rejected,
        };
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        if !store::decide(&mut tx, &deciding, state, now).await? {
            tx.rollback().await?;
            drop(writer);
            return store::find(self.db.reader(), &deciding.order_number).await?.ok_or(Error::OrderNotFound);
        }
        let vanished = || Error::internal(format!("decided order {} vanished", deciding.order_number));
        let mut order = store::find(&mut *tx, &deciding.order_number).await?.ok_or_else(vanished)?;
        if state == OrderState::Approved {
            store::apply(&mut tx, &order, &deciding.decided_by, now).await?;
            // a new website's number is given by the approval
            order = store::find(&mut *tx, &deciding.order_number).await?.ok_or_else(vanished)?;
        }
        let mobile = store::principal_mobile(&mut *tx, &order.subject_id).await?;
        let mut params = BTreeMap::from([
            ("order_number".to_owned(), order.order_number.clone()),
            ("order_kind".to_owned(), order.kind.as_str().to_owned()),
        ]);
        let template = match deciding.decision {
            Decision::Approve => NoticeTemplate::OrderApproved,
            Decision::Reject => {
                params.insert("note".to_owned(), deciding.note.clone());
                NoticeTemplate::OrderRejected
            }
        };
        let notice = NewNotice {
            notice_id: format!("order-decided:{}:sms", order.order_number),
            channel: Channel::Sms,
            destination: &mobile,
            template,
            locale: deciding.locale,
            params,
        };
        self.outbox.enqueue(&mut tx, &notice, now).await?;
        tx.commit().await?;
        drop(writer);
        self.outbox.wake_relay();
        tracing::info!(order = %order.order_number, decision = state.as_str(), "order decided");
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_change_stored_before_it_carried_an_id_number_still_reads() {
        let stored = r#"{"principal_name":null,"principal_mobile":"13912345678","principal_email":null}"#;
        let payload: SubjectChangePayload = serde_json::from_str(stored).expect("readable");
        assert_eq!(payload.principal_id_number, None);
    }

    #[test]
    fn a_subject_change_shows_its_principal_masked() {
        let payload = SubjectChangePayload {
            principal_name: Some("李娜娜".into()),
            principal_mobile: Some("13912345678".into()),
            principal_email: Some("li.na@example.com".into()),
            principal_id_number: Some("11010519491231002X".into()),
        };
        let debug = format!("{payload:?}");
        for clear in ["娜娜", "13912345678", "li.na", "11010519491231002X"] {
            assert!(!debug.contains(clear), "{debug}");
        }
    }

    #[test]
    fn a_website_change_shows_its_principal_masked() {
        let payload = WebsiteChangePayload {
            principal_mobile: Some("13912345678".into()),
            principal_email: Some("li.na@example.com".into()),
            remove_domains: vec!["old.example.cn".into()],
        };
        let debug = format!("{payload:?}");
        assert!(!debug.contains("13912345678") && !debug.contains("li.na"), "{debug}");
        assert!(debug.contains("old.example.cn"), "{debug}");
    }
}
