//! Channels to the other services: lazy connections with timeouts, W3C trace
//! context on every call, and the suite's credential attached.

use std::time::Duration;

use tonic::{service::interceptor::InterceptedService, transport::Channel};
use tonic_tracing_opentelemetry::middleware::client::{OtelGrpcLayer, OtelGrpcService};
use tower::Layer;

use crate::{config::Secret, host::auth::AttachInternalToken};

/// A channel to another service of the suite; generated clients wrap it.
pub type PeerChannel = InterceptedService<OtelGrpcService<Channel>, AttachInternalToken>;

/// Connects lazily (the peer may start later) to `url`, e.g. `http://127.0.0.1:50052`.
pub fn peer_channel(url: &str, timeout: Duration, token: &Secret) -> anyhow::Result<PeerChannel> {
    let endpoint = Channel::from_shared(url.to_owned())
        .map_err(|e| anyhow::anyhow!("invalid service address {url}: {e}"))?
        .connect_timeout(Duration::from_secs(2))
        .timeout(timeout)
        .tcp_nodelay(true);
    let traced = OtelGrpcLayer.layer(endpoint.connect_lazy());
    Ok(InterceptedService::new(traced, AttachInternalToken::new(token)?))
}
