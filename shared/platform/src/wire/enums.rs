//! The `beian.common.v1` enumerations ↔ the domain vocabularies of
//! `beian_common::vocabulary`, once for every service. Wire → domain refuses
//! UNSPECIFIED and numbers the contract lacks with an INVALID_ARGUMENT naming
//! the field; domain → wire always succeeds.

use std::borrow::Cow;

use beian_common::vocabulary::{
    CertificateType, Channel, DocumentKind, LegacyAction, Nature, Purpose, ReviewKind, ReviewState, Site,
};
use beian_proto::common::v1 as wire;

use crate::error::Common;

/// A domain vocabulary and the contract's enumeration of it.
pub trait WireEnum: Copy + Sized + 'static {
    type Wire: Copy + Into<i32>;

    /// Every domain value (each has its wire value).
    fn all() -> &'static [Self];

    fn to_wire(self) -> Self::Wire;

    /// `None` for UNSPECIFIED and for numbers the contract lacks.
    fn from_wire(value: i32) -> Option<Self>;

    /// The wire value's name, e.g. `CHANNEL_SMS`.
    fn wire_name(self) -> &'static str;
}

/// The wire number of a domain value.
pub fn to_wire<T: WireEnum>(value: T) -> i32 {
    value.to_wire().into()
}

/// A required enumeration field (`field` in proto path form).
pub fn required<T: WireEnum>(field: impl Into<Cow<'static, str>>, value: i32) -> Result<T, Common> {
    T::from_wire(value).ok_or_else(|| invalid::<T>(field.into()))
}

/// An optional one (a filter, say): UNSPECIFIED is `None`.
pub fn optional<T: WireEnum>(field: impl Into<Cow<'static, str>>, value: i32) -> Result<Option<T>, Common> {
    if value == 0 { Ok(None) } else { required(field, value).map(Some) }
}

/// What a refused value is told: `must be one of CHANNEL_SMS, CHANNEL_EMAIL`
/// (for a service that refuses it with a reason of its own).
pub fn expected<T: WireEnum>() -> String {
    let names: Vec<&str> = T::all().iter().map(|value| value.wire_name()).collect();
    format!("must be one of {}", names.join(", "))
}

fn invalid<T: WireEnum>(field: Cow<'static, str>) -> Common {
    Common::invalid(field, expected::<T>())
}

/// Implements [`WireEnum`] by an exhaustive match each way.
macro_rules! wire_enum {
    ($domain:ident <=> $wire:ident { $($variant:ident <=> $wire_variant:ident),+ $(,)? }) => {
        impl WireEnum for $domain {
            type Wire = wire::$wire;

            fn all() -> &'static [Self] {
                $domain::ALL
            }

            fn to_wire(self) -> wire::$wire {
                match self {
                    $($domain::$variant => wire::$wire::$wire_variant),+
                }
            }

            fn from_wire(value: i32) -> Option<Self> {
                match wire::$wire::try_from(value).ok()? {
                    $(wire::$wire::$wire_variant => Some($domain::$variant),)+
                    wire::$wire::Unspecified => None,
                }
            }

            fn wire_name(self) -> &'static str {
                self.to_wire().as_str_name()
            }
        }
    };
}

wire_enum!(Channel <=> Channel { Sms <=> Sms, Email <=> Email });
wire_enum!(Site <=> Site { Cn <=> Cn, Intl <=> Intl });
wire_enum!(Purpose <=> Purpose {
    AccountLookup <=> AccountLookup,
    PasswordReset <=> PasswordReset,
    LegacyPasswordReset <=> LegacyPasswordReset,
    FilingTransfer <=> FilingTransfer,
    CancelAccess <=> CancelAccess,
    FilingChange <=> FilingChange,
});
wire_enum!(LegacyAction <=> LegacyAction {
    None <=> None,
    Claim <=> Claim,
    Import <=> Import,
    AlreadyMigrated <=> AlreadyMigrated,
    MovedAway <=> MovedAway,
});
wire_enum!(ReviewKind <=> ReviewKind {
    AccountLookup <=> AccountLookup,
    LegacyLoginReset <=> LegacyLoginReset,
    FilingPassword <=> FilingPassword,
    LegacyClaim <=> LegacyClaim,
    OfflineTransfer <=> OfflineTransfer,
});
wire_enum!(ReviewState <=> ReviewState {
    Pending <=> Pending,
    Approved <=> Approved,
    Rejected <=> Rejected,
    Completed <=> Completed,
});
wire_enum!(DocumentKind <=> DocumentKind {
    IdCardFront <=> IdCardFront,
    IdCardBack <=> IdCardBack,
    HalfBodyWithIdCard <=> HalfBodyWithIdCard,
    HalfBodyWithOrganisationCertificate <=> HalfBodyWithOrganisationCertificate,
    OrganisationCertificate <=> OrganisationCertificate,
    AuthorisationLetter <=> AuthorisationLetter,
    Other <=> Other,
});
wire_enum!(Nature <=> SubjectNature { Individual <=> Individual, Organisation <=> Organisation });
wire_enum!(CertificateType <=> CertificateType {
    ResidentIdCard <=> ResidentIdCard,
    Passport <=> Passport,
    HkMacaoPermit <=> HkMacaoPermit,
    TaiwanPermit <=> TaiwanPermit,
    BusinessLicense <=> BusinessLicense,
    OrganisationCode <=> OrganisationCode,
    PublicInstitution <=> PublicInstitution,
    SocialOrganisation <=> SocialOrganisation,
});

#[cfg(test)]
mod tests {
    use super::*;

    /// Every domain value goes to the wire and back; every wire value but
    /// UNSPECIFIED comes from one; the wire name is the domain name with the prefix.
    fn round_trips<T: WireEnum + PartialEq + std::fmt::Debug>(prefix: &str, name: fn(T) -> &'static str) {
        for value in T::all() {
            let number = to_wire(*value);
            assert_ne!(number, 0, "{value:?}");
            assert_eq!(required::<T>("field", number).ok(), Some(*value));
            assert_eq!(value.wire_name(), format!("{prefix}{}", name(*value)));
        }
        let wire_values = (1..).take_while(|number| T::from_wire(*number).is_some()).count();
        assert_eq!(wire_values, T::all().len(), "{prefix}: the contract has values the domain lacks");
        for refused in [0, -1, 999] {
            let Err(Common::InvalidArgument { field, description }) = required::<T>("kind", refused) else {
                panic!("{prefix}: {refused} accepted");
            };
            assert_eq!(field, "kind");
            assert!(description.contains(T::all()[0].wire_name()), "{description}");
        }
        assert!(matches!(optional::<T>("kind", 0), Ok(None)));
        assert!(optional::<T>("kind", 999).is_err());
    }

    #[test]
    fn every_vocabulary_maps_both_ways() {
        round_trips::<Channel>("CHANNEL_", Channel::as_str);
        round_trips::<Site>("SITE_", Site::as_str);
        round_trips::<Purpose>("PURPOSE_", Purpose::as_str);
        round_trips::<LegacyAction>("LEGACY_ACTION_", LegacyAction::as_str);
        round_trips::<ReviewKind>("REVIEW_KIND_", ReviewKind::as_str);
        round_trips::<ReviewState>("REVIEW_STATE_", ReviewState::as_str);
        round_trips::<DocumentKind>("DOCUMENT_KIND_", DocumentKind::as_str);
        round_trips::<Nature>("SUBJECT_NATURE_", Nature::as_str);
        round_trips::<CertificateType>("CERTIFICATE_TYPE_", CertificateType::as_str);
    }
}
