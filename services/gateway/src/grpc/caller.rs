//! Who is calling, resolved once per request at the wire boundary: the client
//! (address and language) by an interceptor every service of the gateway runs,
//! and the session from `authorization: Bearer <token>`.

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
};

use beian_common::locale::Locale;
use tonic::{Request, Status, service::Interceptor};

use crate::{
    error::Error,
    model::{account::SessionToken, client::Client},
    proxies::TrustedProxies,
};

/// Puts the request's [`Client`] in its extensions: the TCP peer's address, or behind a
/// trusted proxy the forwarded client's; the language from `accept-language`.
#[derive(Debug, Clone)]
pub struct ResolveClient {
    proxies: Arc<TrustedProxies>,
}

impl ResolveClient {
    pub fn new(proxies: TrustedProxies) -> Self {
        Self { proxies: Arc::new(proxies) }
    }
}

impl Interceptor for ResolveClient {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        // a TCP peer always has an address; 0.0.0.0 marks "none" (in-memory transports)
        let peer = request.remote_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        let metadata = request.metadata();
        let forwarded = metadata.get_all("x-forwarded-for").into_iter().filter_map(|v| v.to_str().ok());
        let ip = self.proxies.client_address(peer, forwarded);
        let locale = Locale::from_accept_language(
            metadata.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or_default(),
        );
        request.extensions_mut().insert(Client { ip, locale });
        Ok(request)
    }
}

/// The client [`ResolveClient`] found for this request.
pub fn client<T>(request: &Request<T>) -> Result<Client, Error> {
    request
        .extensions()
        .get::<Client>()
        .copied()
        .ok_or_else(|| Error::internal("the client was not resolved: a route lacks ResolveClient"))
}

/// The session token of `authorization: Bearer <token>`; SESSION_REQUIRED without one.
pub fn session<T>(request: &Request<T>) -> Result<SessionToken, Error> {
    request
        .metadata()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .map(SessionToken::new)
        .ok_or(Error::SessionRequired)
}
