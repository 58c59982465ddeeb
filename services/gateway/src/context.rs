//! Who is asking, as far as the gateway can tell: the client's address (for
//! per-client limits) and the language of messages and notices.

use beian_common::locale::Locale;

/// The request's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub ip: String,
    pub locale: Locale,
}

impl Client {
    pub fn of<T>(request: &tonic::Request<T>) -> Self {
        Self {
            // a TCP peer always has an address; 0.0.0.0 marks "none" (in-memory transports)
            ip: request.remote_addr().map_or_else(|| "0.0.0.0".into(), |a| a.ip().to_string()),
            locale: Locale::from_accept_language(
                request.metadata().get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or_default(),
            ),
        }
    }
}
