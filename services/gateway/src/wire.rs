//! The `beian.common.v1` values both wire boundaries of the gateway speak (its own
//! API in `grpc/`, the other services in `peers/`), converted to and from the
//! domain once. Only those two modules use this.

use beian_proto::common::v1 as common;

use crate::model::{
    Channel, LegacyAction, MaskedContact,
    account::Site,
    reviews::{CertificateType, DocumentKind, ReviewKind, ReviewState},
};

/// Both directions between a domain enum and a `common.v1` enum, variant by variant.
macro_rules! enum_pairs {
    ($domain:ident <=> $wire:ident { $($d:ident <=> $w:ident),+ $(,)? }) => {
        impl From<$domain> for common::$wire {
            fn from(value: $domain) -> Self {
                match value { $($domain::$d => Self::$w),+ }
            }
        }
        impl TryFrom<common::$wire> for $domain {
            type Error = common::$wire;
            fn try_from(value: common::$wire) -> Result<Self, Self::Error> {
                match value { $(common::$wire::$w => Ok(Self::$d),)+ other => Err(other) }
            }
        }
    };
}

enum_pairs!(Channel <=> Channel { Sms <=> Sms, Email <=> Email });
enum_pairs!(Site <=> Site { Cn <=> Cn, Intl <=> Intl });
enum_pairs!(LegacyAction <=> LegacyAction {
    None <=> None, Claim <=> Claim, Import <=> Import,
    AlreadyMigrated <=> AlreadyMigrated, MovedAway <=> MovedAway,
});
enum_pairs!(ReviewKind <=> ReviewKind {
    AccountLookup <=> AccountLookup, LegacyLoginReset <=> LegacyLoginReset,
    FilingPassword <=> FilingPassword, LegacyClaim <=> LegacyClaim, OfflineTransfer <=> OfflineTransfer,
});
enum_pairs!(ReviewState <=> ReviewState {
    Pending <=> Pending, Approved <=> Approved, Rejected <=> Rejected, Completed <=> Completed,
});
enum_pairs!(DocumentKind <=> DocumentKind {
    IdCardFront <=> IdCardFront, IdCardBack <=> IdCardBack, HalfBodyWithIdCard <=> HalfBodyWithIdCard,
    HalfBodyWithOrganisationCertificate <=> HalfBodyWithOrganisationCertificate,
    OrganisationCertificate <=> OrganisationCertificate, AuthorisationLetter <=> AuthorisationLetter,
    Other <=> Other,
});
enum_pairs!(CertificateType <=> CertificateType {
    ResidentIdCard <=> ResidentIdCard, Passport <=> Passport, HkMacaoPermit <=> HkMacaoPermit,
    TaiwanPermit <=> TaiwanPermit, BusinessLicense <=> BusinessLicense, OrganisationCode <=> OrganisationCode,
    PublicInstitution <=> PublicInstitution, SocialOrganisation <=> SocialOrganisation,
});

/// An enum field's number as the domain value: None when unset (0); an error describing
/// the value when it is unknown (for a field violation, or a peer's broken answer).
pub fn enum_field<W, D>(value: i32) -> Result<Option<D>, String>
where
    W: TryFrom<i32>,
    D: TryFrom<W>,
{
    if value == 0 {
        return Ok(None);
    }
    W::try_from(value)
        .ok()
        .and_then(|w| D::try_from(w).ok())
        .map(Some)
        .ok_or_else(|| format!("unknown value {value}"))
}

/// A value a peer must have set: None and unknown both mean a broken answer.
pub fn required_enum<W, D>(value: i32, what: &str) -> Result<D, crate::error::Error>
where
    W: TryFrom<i32>,
    D: TryFrom<W>,
{
    enum_field::<W, D>(value)
        .ok()
        .flatten()
        .ok_or_else(|| crate::error::Error::internal(format!("a peer answered {what} {value}")))
}

/// The number of a domain enum on the wire.
pub fn number<D, W>(value: D) -> i32
where
    W: From<D> + Into<i32>,
{
    W::from(value).into()
}

pub fn masked_contact_to_wire(contact: MaskedContact) -> common::MaskedContact {
    common::MaskedContact {
        channel: number::<_, common::Channel>(contact.channel),
        masked_destination: contact.masked,
    }
}

pub fn masked_contact_from_wire(
    contact: common::MaskedContact,
) -> Result<MaskedContact, crate::error::Error> {
    Ok(MaskedContact {
        channel: required_enum::<common::Channel, Channel>(contact.channel, "channel")?,
        masked: contact.masked_destination,
    })
}
