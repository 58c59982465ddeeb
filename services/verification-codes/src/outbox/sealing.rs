//! The outbox's parameters at rest are sealed by the platform's [`Sealer`] under a
//! key derived from the service's secret key.

pub use beian_platform::sealing::Sealer;

use crate::keys::{Keys, Use};

/// The sealer of this service's outbox.
pub fn sealer(keys: &Keys) -> Sealer {
    Sealer::new(keys.subkey(Use::OutboxParams))
}
