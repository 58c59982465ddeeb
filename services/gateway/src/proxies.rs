//! The trusted-proxy setting: which TCP peers may tell the gateway the client's
//! address in `x-forwarded-for`. Without it the header is ignored, so nobody can
//! forge their address; with it, the client is the right-most forwarded address
//! that is not itself a trusted proxy.

use std::{fmt, net::IpAddr, str::FromStr};

/// A CIDR list (`10.0.0.0/8, 192.168.1.7, fd00::/8`); empty trusts nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses a comma- or space-separated list of CIDR blocks or single addresses.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(Cidr::from_str)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|cidr| cidr.contains(ip))
    }

    /// The client's address: the TCP `peer` unless it is a trusted proxy, in which
    /// case the right-most `x-forwarded-for` entry (over all the header's values)
    /// that is not a trusted proxy. An unreadable entry stops the walk: what lies left
    /// of it cannot be trusted.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An `x-forwarded-for` entry: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|a| a.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// One block of addresses: a network and its prefix length.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                mask_v4(u32::from(ip), self.prefix) == u32::from(network)
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                mask_v6(u128::from(ip), self.prefix) == u128::from(network)
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = text.split_once('/').map_or((text, None), |(a, p)| (a, Some(p)));
        let address: IpAddr =
            address.parse().map_err(|_| format!("{text}: not an IP address or CIDR block"))?;
        let address = address.to_canonical();
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text}: the prefix length must be 0 to {max}"))?,
        };
        let network = match address {
            IpAddr::V4(a) => IpAddr::from(mask_v4(u32::from(a), prefix).to_be_bytes()),
            IpAddr::V6(a) => IpAddr::from(mask_v6(u128::from(a), prefix).to_be_bytes()),
        };
        Ok(Self { network, prefix })
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn mask_v4(bits: u32, prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { bits & (u32::MAX << (32 - u32::from(prefix))) }
}

fn mask_v6(bits: u128, prefix: u8) -> u128 {
    if prefix == 0 { 0 } else { bits & (u128::MAX << (128 - u32::from(prefix))) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_blocks_and_single_addresses() {
        let proxies = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.7 fd00::/8,").unwrap();
        assert!(proxies.trusts(ip("10.200.3.4")));
        assert!(proxies.trusts(ip("192.168.1.7")));
        assert!(!proxies.trusts(ip("192.168.1.8")));
        assert!(proxies.trusts(ip("fd12::1")));
        assert!(!proxies.trusts(ip("fe80::1")));
        // an IPv4 peer seen over an IPv6 socket is still that IPv4 address
        assert!(proxies.trusts(ip("::ffff:10.1.2.3")));
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("203.0.113.9")));
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
    }

    #[test]
    fn refuses_malformed_blocks() {
        for bad in ["10.0.0.0/33", "fd00::/129", "10.0.0/8", "proxy.local", "10.0.0.0/x"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let peer = ip("10.0.0.2");
        assert_eq!(proxies.client_address(peer, ["203.0.113.5"]), ip("203.0.113.5"));
        // what the client wrote itself (left) is not believed past the first untrusted hop
        assert_eq!(proxies.client_address(peer, ["1.1.1.1, 203.0.113.5, 10.0.0.9"]), ip("203.0.113.5"));
        // several header values read as one list, in order
        assert_eq!(proxies.client_address(peer, ["1.1.1.1", "198.51.100.2:4431"]), ip("198.51.100.2"));
        assert_eq!(proxies.client_address(peer, ["[2001:db8::7]:443"]), ip("2001:db8::7"));
        // no header, or only proxies: the left-most proxy known
        assert_eq!(proxies.client_address(peer, []), peer);
        assert_eq!(proxies.client_address(peer, ["10.9.9.9"]), ip("10.9.9.9"));
        // garbage stops the walk at the last good hop
        assert_eq!(proxies.client_address(peer, ["203.0.113.5, junk"]), peer);
    }

    #[test]
    fn an_untrusted_peer_cannot_forge_its_address() {
        let peer = ip("198.51.100.77");
        assert_eq!(TrustedProxies::default().client_address(peer, ["203.0.113.5"]), peer);
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client_address(peer, ["203.0.113.5"]), peer);
    }
}
