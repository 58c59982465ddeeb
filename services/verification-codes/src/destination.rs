//! Where a code or notice goes: a channel and a normalised address, with the
//! keys limits and proofs are bound to.

use std::fmt;

use beian_common::{
    ContactError,
    masking::{MaskedEmail, MaskedMobile, mask_email, mask_mobile},
    normalise_email, normalise_mobile,
    vocabulary::Channel,
};

/// Digits of a mobile number that name its number block: what SMS pumping
/// attacks cycle through, so the prefix cap counts by them.
const MOBILE_PREFIX_DIGITS: usize = 7;

/// A mainland mobile (11 digits) or an email address, normalised.
#[derive(Clone, PartialEq, Eq)]
pub struct Destination {
    channel: Channel,
    address: String,
    /// A decoy's: counted apart from the real address, never delivered to.
    decoy: bool,
}

impl Destination {
    /// Validates and normalises what a person typed for `channel`.
    pub fn parse(channel: Channel, input: &str) -> Result<Self, ContactError> {
        let address = match channel {
            Channel::Sms => normalise_mobile(input)?,
            Channel::Email => normalise_email(input)?,
        };
        Ok(Self { channel, address, decoy: false })
    }

    /// The same address as a decoy's (SendCode's `decoy`).
    #[must_use]
    pub fn into_decoy(self) -> Self {
        Self { decoy: true, ..self }
    }

    pub fn is_decoy(&self) -> bool {
        self.decoy
    }

    /// A destination given without its channel (RedeemProof): an email if it
    /// has an `@`, a mobile otherwise.
    pub fn parse_any(input: &str) -> Result<Self, ContactError> {
        Self::parse(if input.contains('@') { Channel::Email } else { Channel::Sms }, input)
    }

    /// Rebuilds a stored, already normalised destination.
    pub fn stored(channel: Channel, address: String) -> Self {
        Self { channel, address, decoy: false }
    }

    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The normalised address messages are sent to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// What limits and proofs are bound to: the mobile's digits, or the email
    /// lower-cased whole (mailbox case never names a different person here,
    /// and `Jane@` must not escape the caps of `jane@`).
    /// A decoy's key is apart from the real address's: probes never touch its caps.
    pub fn key(&self) -> String {
        let key = match self.channel {
            Channel::Sms => self.address.clone(),
            Channel::Email => self.address.to_lowercase(),
        };
        if self.decoy { format!("decoy:{key}") } else { key }
    }

    /// What the prefix cap counts by: the mobile's first 7 digits, or the mail domain.
    pub fn prefix(&self) -> String {
        let prefix = match self.channel {
            Channel::Sms => {
                format!("SMS:{}", self.address.get(..MOBILE_PREFIX_DIGITS).unwrap_or(&self.address))
            }
            Channel::Email => {
                let domain = self.address.rsplit_once('@').map_or("", |(_, domain)| domain);
                format!("EMAIL:{}", domain.to_lowercase())
            }
        };
        if self.decoy { format!("DECOY:{prefix}") } else { prefix }
    }

    /// For people and logs: `152****1234`, `j***@example.com`.
    pub fn masked(&self) -> String {
        match self.channel {
            Channel::Sms => mask_mobile(&self.address),
            Channel::Email => mask_email(&self.address),
        }
    }
}

impl fmt::Debug for Destination {
    /// Masked even in debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.channel.as_str(), self.masked())
    }
}

impl fmt::Display for Destination {
    /// Masked: safe in tracing fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.channel {
            Channel::Sms => MaskedMobile(&self.address).fmt(f),
            Channel::Email => MaskedEmail(&self.address).fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_normalise_key_and_prefix() {
        let d = Destination::parse(Channel::Sms, "+86 138-1234-5678").expect("valid");
        assert_eq!(d.address(), "13812345678");
        assert_eq!(d.key(), "13812345678");
        assert_eq!(d.prefix(), "SMS:1381234");
        assert_eq!(d.masked(), "138****5678");
        assert_eq!(format!("{d} {d:?}"), "138****5678 SMS:138****5678");
        assert!(Destination::parse(Channel::Sms, "12345").is_err());
    }

    #[test]
    fn emails_key_lower_case_and_prefix_by_domain() {
        let d = Destination::parse(Channel::Email, " Jane.Doe@Example.COM ").expect("valid");
        assert_eq!(d.address(), "Jane.Doe@example.com");
        assert_eq!(d.key(), "jane.doe@example.com");
        assert_eq!(d.prefix(), "EMAIL:example.com");
        assert_eq!(d.masked(), "J***@example.com");
        assert!(!format!("{d:?}").contains("Doe"));
        assert!(Destination::parse(Channel::Email, "13812345678").is_err());
    }

    #[test]
    fn destinations_without_channel_are_recognised() {
        assert_eq!(Destination::parse_any("13812345678").map(|d| d.channel()), Ok(Channel::Sms));
        assert_eq!(Destination::parse_any("a@example.com").map(|d| d.channel()), Ok(Channel::Email));
    }
}
