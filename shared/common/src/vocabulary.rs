//! The closed vocabularies several services share, as domain values (no wire
//! types here). Each value's name is its `beian.common.v1` name without the
//! prefix (`SMS`, `LEGACY_CLAIM`), which is also how services store it, so rows
//! read like the contract. `beian_platform::wire::enums` converts them to and
//! from the wire. Their serde form is the variant name (`Sms`, `AccountLookup`):
//! the gateway's stored flow states hold them so.

use std::str::FromStr;

/// Defines an enum with its name per value: `ALL`, `as_str`, `parse` and `FromStr`.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(text: &str) -> Result<Self, UnknownName> {
                Self::parse(text).ok_or(UnknownName { vocabulary: stringify!($name) })
            }
        }
    };
}

/// A name that is none of a vocabulary's values (a stored row the code does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a known {vocabulary} name")]
pub struct UnknownName {
    pub vocabulary: &'static str,
}

vocabulary!(
    /// Where a message or a code is delivered.
    Channel {
        Sms => "SMS",
        Email => "EMAIL",
    }
);

vocabulary!(
    /// Which site of the agent an account belongs to; transfers stay within CN.
    Site {
        /// The China site (中国站).
        Cn => "CN",
        /// The international site (国际站).
        Intl => "INTL",
    }
);

vocabulary!(
    /// What a verification code, and the proof it yields, is for. A proof for one
    /// purpose never serves another.
    Purpose {
        /// Find the account that holds a filing (SPEC §1).
        AccountLookup => "ACCOUNT_LOOKUP",
        /// Reset the password of a current account.
        PasswordReset => "PASSWORD_RESET",
        /// Reset the password of a legacy login (SPEC §2).
        LegacyPasswordReset => "LEGACY_PASSWORD_RESET",
        /// Move a filing to another account (SPEC §5).
        FilingTransfer => "FILING_TRANSFER",
        /// Cancel access of a website (SPEC §6).
        CancelAccess => "CANCEL_ACCESS",
        /// Confirm a change of filing details where the province asks for SMS verification.
        FilingChange => "FILING_CHANGE",
    }
);

vocabulary!(
    /// What a legacy filing needs before it can be managed on the current platform
    /// (SPEC §4, by submission date).
    LegacyAction {
        /// Submitted after 2017-01-31 (or not on the legacy platform): nothing to do.
        None => "NONE",
        /// Submitted before 2010-06-01, never moved, never migrated: claim it.
        Claim => "CLAIM",
        /// Submitted 2010-06-01 through 2017-01-31: import it with the legacy login.
        Import => "IMPORT",
        /// Imported or claimed already.
        AlreadyMigrated => "ALREADY_MIGRATED",
        /// Submitted before 2010-06-01 but moved to another provider: not claimable here.
        MovedAway => "MOVED_AWAY",
    }
);

vocabulary!(
    /// What a review case asks staff to do.
    ReviewKind {
        /// Customer-service lookup of the account holding a filing (SPEC §1).
        AccountLookup => "ACCOUNT_LOOKUP",
        /// Replace a legacy login email (SPEC §2).
        LegacyLoginReset => "LEGACY_LOGIN_RESET",
        /// Recover a filing password without mobile or email (SPEC §3).
        FilingPassword => "FILING_PASSWORD",
        /// Claim a pre-2010-06-01 legacy filing (SPEC §4).
        LegacyClaim => "LEGACY_CLAIM",
        /// Offline transfer for a holder who cannot log in (SPEC §5).
        OfflineTransfer => "OFFLINE_TRANSFER",
    }
);

impl ReviewKind {
    /// Business days staff have, as the seeds promise them (001, 002 §5–§6).
    pub fn business_days(self) -> u32 {
        match self {
            Self::AccountLookup | Self::LegacyClaim => 1,
            Self::LegacyLoginReset | Self::FilingPassword => 2,
            Self::OfflineTransfer => 3,
        }
    }
}

vocabulary!(
    /// Where a review case stands.
    ReviewState {
        Pending => "PENDING",
        Approved => "APPROVED",
        Rejected => "REJECTED",
        Completed => "COMPLETED",
    }
);

vocabulary!(
    /// Kinds of identity documents.
    DocumentKind {
        IdCardFront => "ID_CARD_FRONT",
        IdCardBack => "ID_CARD_BACK",
        HalfBodyWithIdCard => "HALF_BODY_WITH_ID_CARD",
        HalfBodyWithOrganisationCertificate => "HALF_BODY_WITH_ORGANISATION_CERTIFICATE",
        OrganisationCertificate => "ORGANISATION_CERTIFICATE",
        AuthorisationLetter => "AUTHORISATION_LETTER",
        Other => "OTHER",
    }
);

vocabulary!(
    /// The nature of a filed subject (主办单位性质).
    Nature {
        Individual => "INDIVIDUAL",
        Organisation => "ORGANISATION",
    }
);

vocabulary!(
    /// Type of a certificate (证件类型).
    CertificateType {
        ResidentIdCard => "RESIDENT_ID_CARD",
        Passport => "PASSPORT",
        HkMacaoPermit => "HK_MACAO_PERMIT",
        TaiwanPermit => "TAIWAN_PERMIT",
        BusinessLicense => "BUSINESS_LICENSE",
        OrganisationCode => "ORGANISATION_CODE",
        PublicInstitution => "PUBLIC_INSTITUTION",
        SocialOrganisation => "SOCIAL_ORGANISATION",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! names_round_trip {
        ($($vocabulary:ty),+) => {$(
            for value in <$vocabulary>::ALL {
                assert_eq!(<$vocabulary>::parse(value.as_str()), Some(*value));
                assert_eq!(value.as_str().parse::<$vocabulary>(), Ok(*value));
            }
            assert_eq!(<$vocabulary>::parse(""), None);
        )+};
    }

    #[test]
    fn stored_names_round_trip() {
        names_round_trip!(
            Channel,
            Site,
            Purpose,
            LegacyAction,
            ReviewKind,
            ReviewState,
            DocumentKind,
            Nature,
            CertificateType
        );
        assert_eq!(Nature::parse("individual"), None);
        assert_eq!("LOOKUP".parse::<Purpose>(), Err(UnknownName { vocabulary: "Purpose" }));
    }

    #[test]
    fn deadlines_follow_the_seeds() {
        let days: Vec<u32> = ReviewKind::ALL.iter().map(|kind| kind.business_days()).collect();
        assert_eq!(days, [1, 2, 2, 1, 3]);
    }
}
