//! The closed vocabularies of review cases, stored as the `beian.common.v1` value names
//! without their prefix (`LEGACY_CLAIM`, `ID_CARD_FRONT`), so rows read like the contract.

/// Defines an enum with its stored name per variant, `as_str` and `parse`.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    };
}

stored_enum!(
    /// What a case asks staff to do.
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

stored_enum!(
    /// Where a case stands.
    ReviewState {
        Pending => "PENDING",
        Approved => "APPROVED",
        Rejected => "REJECTED",
        Completed => "COMPLETED",
    }
);

stored_enum!(
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

stored_enum!(
    /// The nature of a filed subject (主办单位性质).
    Nature {
        Individual => "INDIVIDUAL",
        Organisation => "ORGANISATION",
    }
);

stored_enum!(
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

    #[test]
    fn stored_names_round_trip() {
        for kind in ReviewKind::ALL {
            assert_eq!(ReviewKind::parse(kind.as_str()), Some(*kind));
        }
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(ReviewState::parse("PENDING"), Some(ReviewState::Pending));
        assert_eq!(CertificateType::parse("PASSPORT"), Some(CertificateType::Passport));
        assert_eq!(Nature::parse("individual"), None);
    }

    #[test]
    fn deadlines_follow_the_seeds() {
        let days: Vec<u32> = ReviewKind::ALL.iter().map(|kind| kind.business_days()).collect();
        assert_eq!(days, [1, 2, 2, 1, 3]);
    }
}
