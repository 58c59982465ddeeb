//! The outbox's parameters at rest are sealed by the platform's [`Sealer`] under a
//! key derived from the service's secret key.

pub use beian_platform::sealing::Sealer;

use crate::keys::{Keys, Use};

/// The sealer of this service's outbox; during a rotation it also opens what the
/// previous key sealed.
pub fn sealer(keys: &Keys) -> Sealer {
    let of = |keys: &Keys| Sealer::new(keys.subkey(Use::OutboxParams));
    of(keys).also_opening(keys.generations().nth(1).as_ref().map(of))
}
