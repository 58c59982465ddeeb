//! The domain operations of verification-codes, free of any wire format. The
//! operations live beside their data (`human_check::ops`, `codes::send`,
//! `codes::check`, `proofs::redeem`, `outbox::notice`); this is what they share.

use std::sync::Arc;

use beian_platform::{metrics::Metrics, storage::Database};

use crate::{
    codes::WriteQueue,
    human_check::vendor::Vendor,
    keys::Keys,
    outbox::{Doorbell, sealing::Sealer},
    settings::Policy,
};

/// How this deployment answers human checks.
#[derive(Debug, Clone)]
pub enum HumanCheckMode {
    Slider,
    Vendor(Vendor),
}

#[derive(Debug, Clone)]
pub struct VerificationCodes {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub db: Database,
    pub keys: Keys,
    /// Seals the parameters of queued messages.
    pub sealer: Sealer,
    pub policy: Policy,
    pub human_check: HumanCheckMode,
    /// Rung after a commit that queued a message, so delivery starts at once.
    pub doorbell: Doorbell,
    /// Codes sent and failed checks, per purpose.
    pub metrics: Metrics,
    /// SQLite: sends and checks waiting for the one writer, run in batches.
    pub write_queue: WriteQueue,
}

impl VerificationCodes {
    pub fn new(
        db: Database,
        keys: Keys,
        sealer: Sealer,
        policy: Policy,
        human_check: HumanCheckMode,
        doorbell: Doorbell,
        metrics: Metrics,
    ) -> Self {
        metrics.describe("beian_codes_sent_total", "Codes sent, by purpose and channel");
        metrics.describe("beian_code_checks_failed_total", "Wrong codes entered, by purpose");
        Self {
            inner: Arc::new(Inner {
                db,
                keys,
                sealer,
                policy,
                human_check,
                doorbell,
                metrics,
                write_queue: WriteQueue::default(),
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}
