//! Who asks, for per-client limits: the end user's address as the gateway
//! saw it, reduced to the unit a person controls.

use std::net::IpAddr;

/// The end user's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    /// `None` when `input` is not an IP address.
    pub fn parse(input: &str) -> Option<Self> {
        let ip: IpAddr = input.trim().parse().ok()?;
        Some(Self(match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        }))
    }

    /// The address itself, e.g. for a captcha vendor.
    pub fn ip(&self) -> IpAddr {
        self.0
    }

    /// The key per-client limits count by: an IPv4 address, or the /64
    /// network of an IPv6 address (one subscriber gets a whole /64, so
    /// counting single IPv6 addresses would let anyone rotate past every cap).
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_reduce_to_their_key() {
        let key = |s: &str| ClientAddress::parse(s).map(|a| a.key());
        assert_eq!(key(" 203.0.113.7 ").as_deref(), Some("203.0.113.7"));
        assert_eq!(key("::ffff:203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(key("2001:db8:1:2:3:4:5:6").as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(key("2001:db8:1:2::ffff"), key("2001:0db8:0001:0002:aaaa::1"));
        assert_eq!(key("unknown"), None);
        assert_eq!(key(""), None);
        assert_eq!(key("203.0.113.7:443"), None);
        let mapped = ClientAddress::parse("::ffff:203.0.113.7").expect("valid");
        assert_eq!(mapped.ip().to_string(), "203.0.113.7");
    }
}
