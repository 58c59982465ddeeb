//! The caller's own filing as the holder may see it: masked contacts, public numbers.

use beian_common::vocabulary::Nature;
use serde::{Deserialize, Serialize};

/// The subject the caller holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyFiling {
    pub filing_number: String,
    pub name: String,
    pub nature: Nature,
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
    pub masked_principal_mobile: String,
    pub masked_principal_email: String,
    pub websites: Vec<MyWebsite>,
    pub order_in_progress: Option<MyOrder>,
    /// The province verifies a change of subject details by SMS.
    pub changes_need_sms: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyWebsite {
    pub website_number: String,
    pub name: String,
    pub domains: Vec<String>,
    /// ACTIVE, ACCESS_CANCELLED or DEREGISTERED.
    pub state: &'static str,
}

/// An order on the caller's subject (kept in a finished flow to answer its retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrder {
    pub order_number: String,
    /// NEW_WEBSITE, CHANGE_SUBJECT, CHANGE_WEBSITE, CANCEL_ACCESS, DEREGISTER_SUBJECT or DEREGISTER_WEBSITE.
    pub kind: String,
    /// IN_PROGRESS, APPROVED, REJECTED or ABANDONED.
    pub state: String,
    pub created_at_ms: i64,
    pub website_number: String,
}

/// A cancel access or deregistration just started, with the domains whose TLD the
/// regulator has not approved (they can never be filed again): the holder is warned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStarted {
    pub order: MyOrder,
    pub unapproved_tld_domains: Vec<String>,
}

/// A change of one website's details. No `Debug`: contacts in the clear.
#[derive(Clone)]
pub struct WebsiteChange {
    pub website_number: String,
    /// As typed; empty keeps the current one (filing-registry normalises and checks them).
    pub principal_mobile: String,
    pub principal_email: String,
    pub remove_domains: Vec<String>,
    /// Refused by filing-registry (DOMAIN_CHANGE_NOT_ALLOWED) when not empty.
    pub add_domains: Vec<String>,
}

/// A website to add to the caller's subject (新增网站): domains normalised and without
/// repeats, the service number canonical (filing-registry checks them again, and the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebsite {
    pub name: String,
    pub domains: Vec<String>,
    pub service_number: String,
}

/// A change of the subject's principal. No `Debug`: contacts in the clear.
#[derive(Clone)]
pub struct SubjectChange {
    /// As typed; empty keeps the current value (filing-registry normalises and checks them).
    pub principal_name: String,
    pub principal_mobile: String,
    pub principal_email: String,
    pub province_code: String,
    pub principal_id_suffix: String,
    /// A new principal's resident ID number, normalised and checked at the wire.
    pub principal_id_number: Option<String>,
}
