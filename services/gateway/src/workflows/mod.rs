//! The user-facing workflows, one module each, composed from the peers and the
//! gateway's own tables. They see domain values only: requests arrive validated
//! from `grpc/`, peers answer model values. To add a workflow, copy
//! `account_lookup.rs` (its steps, its flow state) and its handler file in `grpc/`.

pub mod account;
pub mod account_lookup;
pub mod filing;
pub mod filing_password;
pub mod filing_transfer;
pub mod filing_type;
pub mod human_check;
pub mod legacy_claim;
pub mod legacy_import;
pub mod legacy_login_reset;
pub mod legacy_password_reset;
pub mod offline_transfer;
pub mod password_reset;
pub mod staff_review;

use beian_platform::storage::Database;

use crate::{
    flows::Flows,
    peers::Peers,
    quota::{DailyQuota, QuotaAction},
};

/// Every workflow, ready for the handlers.
#[derive(Debug, Clone)]
pub struct Workflows {
    pub account: account::Accounts,
    pub human_check: human_check::HumanCheck,
    pub account_lookup: account_lookup::AccountLookup,
    pub filing: filing::Filing,
    pub filing_password: filing_password::FilingPassword,
    pub offline_transfer: offline_transfer::OfflineTransfer,
    pub filing_transfer: filing_transfer::FilingTransfer,
    pub filing_type: filing_type::FilingTypeCheck,
    pub legacy_claim: legacy_claim::LegacyClaim,
    pub legacy_import: legacy_import::LegacyImport,
    pub password_reset: password_reset::PasswordReset,
    pub legacy_login_reset: legacy_login_reset::LegacyLoginReset,
    pub legacy_password_reset: legacy_password_reset::LegacyPasswordReset,
    pub staff_review: staff_review::StaffReview,
    pub review_status: staff_review::ReviewStatus,
}

/// The limits the workflows enforce themselves.
#[derive(Debug, Clone, Copy)]
pub struct WorkflowLimits {
    pub review_requests_per_client_per_day: u32,
    pub review_status_lookups_per_client_per_day: u32,
    pub legacy_imports_per_client_per_day: u32,
}

impl Workflows {
    /// `decoys` keys the decoy flows of password resets for unknown login names.
    pub fn new(peers: Peers, db: Database, limits: WorkflowLimits, decoys: password_reset::DecoyKey) -> Self {
        let flows = Flows::new(db.clone());
        Self {
            account: account::Accounts::new(peers.identity_recovery.clone()),
            human_check: human_check::HumanCheck::new(peers.verification_codes.clone()),
            filing: filing::Filing {
                codes: peers.verification_codes.clone(),
                registry: peers.filing_registry.clone(),
                identity: peers.identity_recovery.clone(),
                flows: flows.clone(),
            },
            filing_password: filing_password::FilingPassword {
                codes: peers.verification_codes.clone(),
                registry: peers.filing_registry.clone(),
                identity: peers.identity_recovery.clone(),
                review_quota: DailyQuota::new(
                    db.clone(),
                    QuotaAction::FilingPasswordReview,
                    limits.review_requests_per_client_per_day,
                ),
            },
            offline_transfer: offline_transfer::OfflineTransfer {
                codes: peers.verification_codes.clone(),
                identity: peers.identity_recovery.clone(),
                review_quota: DailyQuota::new(
                    db.clone(),
                    QuotaAction::OfflineTransfer,
                    limits.review_requests_per_client_per_day,
                ),
            },
            filing_transfer: filing_transfer::FilingTransfer {
                codes: peers.verification_codes.clone(),
                registry: peers.filing_registry.clone(),
                identity: peers.identity_recovery.clone(),
                flows: flows.clone(),
            },
            filing_type: filing_type::FilingTypeCheck {
                identity: peers.identity_recovery.clone(),
                registry: peers.filing_registry.clone(),
                legacy: peers.legacy_migration.clone(),
            },
            legacy_claim: legacy_claim::LegacyClaim {
                codes: peers.verification_codes.clone(),
                identity: peers.identity_recovery.clone(),
                registry: peers.filing_registry.clone(),
                legacy: peers.legacy_migration.clone(),
                flows: flows.clone(),
            },
            legacy_login_reset: legacy_login_reset::LegacyLoginReset {
                codes: peers.verification_codes.clone(),
                legacy: peers.legacy_migration.clone(),
                identity: peers.identity_recovery.clone(),
                review_quota: DailyQuota::new(
                    db.clone(),
                    QuotaAction::LegacyLoginReset,
                    limits.review_requests_per_client_per_day,
                ),
            },
            legacy_password_reset: legacy_password_reset::LegacyPasswordReset {
                codes: peers.verification_codes.clone(),
                legacy: peers.legacy_migration.clone(),
                flows: flows.clone(),
            },
            password_reset: password_reset::PasswordReset {
                codes: peers.verification_codes.clone(),
                identity: peers.identity_recovery.clone(),
                flows: flows.clone(),
                decoys,
            },
            legacy_import: legacy_import::LegacyImport {
                identity: peers.identity_recovery.clone(),
                legacy: peers.legacy_migration.clone(),
                quota: DailyQuota::new(
                    db.clone(),
                    QuotaAction::LegacyImport,
                    limits.legacy_imports_per_client_per_day,
                ),
            },
            account_lookup: account_lookup::AccountLookup {
                codes: peers.verification_codes,
                registry: peers.filing_registry.clone(),
                legacy: peers.legacy_migration,
                identity: peers.identity_recovery.clone(),
                flows,
                review_quota: DailyQuota::new(
                    db.clone(),
                    QuotaAction::AccountLookupReview,
                    limits.review_requests_per_client_per_day,
                ),
            },
            staff_review: staff_review::StaffReview::new(
                peers.identity_recovery.clone(),
                peers.filing_registry,
            ),
            review_status: staff_review::ReviewStatus::new(
                peers.identity_recovery,
                DailyQuota::new(
                    db,
                    QuotaAction::ReviewStatusLookup,
                    limits.review_status_lookups_per_client_per_day,
                ),
            ),
        }
    }
}
