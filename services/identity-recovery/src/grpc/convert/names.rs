//! Domain enumerations ↔ `beian.common.v1` enumerations. Domain values are stored under
//! the contract's names without prefix, so each mapping goes through the name; a test
//! checks every value both ways, so a renamed value fails the build's tests, not a call.

use beian_proto::common::v1 as common;

use crate::reviews::{CertificateType, DocumentKind, Nature, ReviewKind, ReviewState};

/// Says a wire number is none of the enumeration's values.
pub const UNKNOWN_VALUE: &str = "is not a known value";

macro_rules! wire_enum {
    ($to_wire:ident, $from_wire:ident, $domain:ty, $wire:ty, $prefix:literal) => {
        pub fn $to_wire(value: $domain) -> i32 {
            <$wire>::from_str_name(&format!(concat!($prefix, "{}"), value.as_str()))
                .map_or(0, |wire| wire as i32)
        }

        /// `Ok(None)` for the unspecified value; `Err` for a number the contract lacks.
        pub fn $from_wire(value: i32) -> Result<Option<$domain>, &'static str> {
            if value == 0 {
                return Ok(None);
            }
            <$wire>::try_from(value)
                .ok()
                .and_then(|wire| <$domain>::parse(wire.as_str_name().strip_prefix($prefix)?))
                .map(Some)
                .ok_or(UNKNOWN_VALUE)
        }
    };
}

wire_enum!(review_kind_to_wire, review_kind_from_wire, ReviewKind, common::ReviewKind, "REVIEW_KIND_");
wire_enum!(review_state_to_wire, review_state_from_wire, ReviewState, common::ReviewState, "REVIEW_STATE_");
wire_enum!(
    document_kind_to_wire,
    document_kind_from_wire,
    DocumentKind,
    common::DocumentKind,
    "DOCUMENT_KIND_"
);
wire_enum!(nature_to_wire, nature_from_wire, Nature, common::SubjectNature, "SUBJECT_NATURE_");
wire_enum!(
    certificate_type_to_wire,
    certificate_type_from_wire,
    CertificateType,
    common::CertificateType,
    "CERTIFICATE_TYPE_"
);

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! round_trips {
        ($domain:ty, $to_wire:ident, $from_wire:ident) => {
            for value in <$domain>::ALL {
                let wire = $to_wire(*value);
                assert_ne!(wire, 0, "{value:?} has no wire value");
                assert_eq!($from_wire(wire), Ok(Some(*value)));
            }
            assert_eq!($from_wire(0), Ok(None));
            assert_eq!($from_wire(999), Err(UNKNOWN_VALUE));
        };
    }

    #[test]
    fn every_value_maps_both_ways() {
        round_trips!(ReviewKind, review_kind_to_wire, review_kind_from_wire);
        round_trips!(ReviewState, review_state_to_wire, review_state_from_wire);
        round_trips!(DocumentKind, document_kind_to_wire, document_kind_from_wire);
        round_trips!(Nature, nature_to_wire, nature_from_wire);
        round_trips!(CertificateType, certificate_type_to_wire, certificate_type_from_wire);
    }
}
