//! Who is asking, as far as the gateway can tell: the client's address (for
//! per-client limits) and the language of messages and notices. Made once per
//! request at the wire boundary (`grpc::caller`), from the TCP peer and, behind
//! a trusted proxy, `x-forwarded-for`.

use std::net::IpAddr;

use beian_common::locale::Locale;

/// The request's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub locale: Locale,
}
