//! What a code, and the proof it yields, is for. A proof for one purpose
//! never serves another.

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    AccountLookup,
    PasswordReset,
    LegacyPasswordReset,
    FilingTransfer,
    CancelAccess,
    FilingChange,
}

impl Purpose {
    pub const ALL: [Self; 6] = [
        Self::AccountLookup,
        Self::PasswordReset,
        Self::LegacyPasswordReset,
        Self::FilingTransfer,
        Self::CancelAccess,
        Self::FilingChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountLookup => "ACCOUNT_LOOKUP",
            Self::PasswordReset => "PASSWORD_RESET",
            Self::LegacyPasswordReset => "LEGACY_PASSWORD_RESET",
            Self::FilingTransfer => "FILING_TRANSFER",
            Self::CancelAccess => "CANCEL_ACCESS",
            Self::FilingChange => "FILING_CHANGE",
        }
    }
}

impl FromStr for Purpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown purpose {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for purpose in Purpose::ALL {
            assert_eq!(purpose.as_str().parse(), Ok(purpose));
        }
        assert!("LOOKUP".parse::<Purpose>().is_err());
    }
}
