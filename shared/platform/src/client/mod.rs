//! Channels to the other services: lazy connections with timeouts, W3C trace
//! context on every call, the suite's credential attached, and each call's
//! duration and code recorded in the caller's metrics.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use tonic::{
    service::interceptor::InterceptedService,
    transport::{Channel, Endpoint},
};
use tonic_tracing_opentelemetry::middleware::client::{OtelGrpcLayer, OtelGrpcService};
use tower::{Layer, Service};

use crate::{config::Secret, host::auth::AttachInternalToken, metrics::Metrics};

mod dns;

/// A channel to another service of the suite; generated clients wrap it.
pub type PeerChannel = InterceptedService<OtelGrpcService<RecordPeerCalls>, AttachInternalToken>;

/// Connects lazily (the peer may start later) to `url`, e.g. `http://127.0.0.1:50052`,
/// with the suite's credential, recording into the calling service's `metrics`.
/// A `dns:///name:port` url spreads calls over every address the name resolves to,
/// resolved again every few seconds (a Kubernetes headless Service: every replica).
pub fn peer_channel(
    url: &str,
    timeout: Duration,
    token: &Secret,
    metrics: &Metrics,
) -> anyhow::Result<PeerChannel> {
    let channel = match url.strip_prefix(dns::SCHEME) {
        Some(target) => {
            dns::balanced(target, move |address| endpoint(&format!("http://{address}"), timeout))?
        }
        None => endpoint(url, timeout)?.connect_lazy(),
    };
    let recorded = RecordPeerCalls { inner: channel, metrics: metrics.clone() };
    let traced = OtelGrpcLayer.layer(recorded);
    Ok(InterceptedService::new(traced, AttachInternalToken::new(token)?))
}

fn endpoint(url: &str, timeout: Duration) -> anyhow::Result<Endpoint> {
    Ok(Channel::from_shared(url.to_owned())
        .map_err(|e| anyhow::anyhow!("invalid service address {url}: {e}"))?
        .connect_timeout(Duration::from_secs(2))
        .timeout(timeout)
        .tcp_nodelay(true))
}

/// Records `beian_peer_call_duration_seconds{peer,rpc,code}`; the peer is the called
/// method's package (`beian.filing_registry.v1`), the code its `grpc-status` header
/// (a refusal comes trailers-only) or OK, UNAVAILABLE when the call never got an answer.
#[derive(Debug, Clone)]
pub struct RecordPeerCalls {
    inner: Channel,
    metrics: Metrics,
}

impl Service<http::Request<tonic::body::Body>> for RecordPeerCalls {
    type Response = http::Response<tonic::body::Body>;
    type Error = tonic::transport::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let rpc = request.uri().path().to_owned();
        let started = Instant::now();
        let answer = self.inner.call(request);
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let result = answer.await;
            let code = match &result {
                Ok(response) => crate::metrics::answered_code(response.headers()),
                Err(_) => tonic::Code::Unavailable,
            };
            let peer = rpc
                .trim_start_matches('/')
                .split('/')
                .next()
                .and_then(|s| s.rsplit_once('.'))
                .map_or("", |(package, _)| package);
            metrics.peer_called(peer, &rpc, code, started.elapsed());
            result
        })
    }
}
