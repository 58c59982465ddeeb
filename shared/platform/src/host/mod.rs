//! Serving a service: one builder every service uses for health, reflection,
//! the shared tower stack (timeout, global concurrency limit with load
//! shedding, tracing, internal credential), gRPC-Web for the public gateway,
//! and a graceful drain on shutdown.

mod admin;
pub mod auth;
mod bare_status;
mod guard;
mod observe;
mod reflection;

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::{net::TcpListener, sync::Semaphore};
use tonic::{
    service::Routes,
    transport::{Server, server::TcpIncoming},
};
use tonic_health::ServingStatus;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::cors::CorsLayer;

use crate::{config::HostSettings, metrics::Sampler};

/// Who may call a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// The gateway: anyone, over gRPC or gRPC-Web (HTTP/1.1, CORS).
    Public,
    /// Every other service: only callers holding the suite's credential.
    Internal,
}

/// Sockets bound ahead of their service, held until it binds: a suite in one process tells
/// a peer a service's address before building that service, and a port merely found free
/// could meanwhile be taken by anything else binding port 0 (another test's suite).
static RESERVED: Mutex<Vec<std::net::TcpListener>> = Mutex::new(Vec::new());

/// Binds `address` now (port 0: any free port) and keeps the socket for the service that
/// will listen on the address answered.
pub fn reserve(address: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(address)?;
    let bound = listener.local_addr()?;
    RESERVED.lock().unwrap_or_else(PoisonError::into_inner).push(listener);
    Ok(bound)
}

fn take_reserved(address: SocketAddr) -> Option<std::net::TcpListener> {
    let mut reserved = RESERVED.lock().unwrap_or_else(PoisonError::into_inner);
    let index = reserved.iter().position(|l| l.local_addr().is_ok_and(|bound| bound == address))?;
    Some(reserved.swap_remove(index))
}

/// A service's listening socket, bound before it serves so tests can use port 0.
#[derive(Debug)]
pub struct Host {
    name: &'static str,
    listener: TcpListener,
    /// The admin port's, when one was asked for.
    admin: Option<TcpListener>,
    settings: HostSettings,
    exposure: Exposure,
}

impl Host {
    pub async fn bind(
        name: &'static str,
        settings: HostSettings,
        exposure: Exposure,
    ) -> anyhow::Result<Self> {
        let listener = match take_reserved(settings.listen) {
            Some(reserved) => reserved.set_nonblocking(true).and_then(|()| TcpListener::from_std(reserved)),
            None => TcpListener::bind(settings.listen).await,
        }
        .map_err(|e| anyhow::anyhow!("{name}: cannot listen on {}: {e}", settings.listen))?;
        let admin = match settings.admin_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|e| anyhow::anyhow!("{name}: cannot listen on {address} (admin): {e}"))?,
            ),
            None => None,
        };
        Ok(Self { name, listener, admin, settings, exposure })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.settings.listen)
    }

    /// Where `GET /metrics` answers, if anywhere.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().and_then(|admin| admin.local_addr().ok())
    }

    /// Serves `routes` until `shutdown` resolves, then stops accepting and
    /// drains requests in flight. Health answers SERVING for `services` (and
    /// the server as a whole) from the start: callers build a host only after
    /// their migrations have run. The admin port, if any, answers scrapes (after
    /// `sampler` has set the gauges read at scrape time) until the server has stopped.
    pub async fn serve(
        self,
        routes: Routes,
        services: &[&str],
        sampler: Sampler,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self { name, listener, admin, settings, exposure } = self;
        let (admin_stop, admin_stopped) = tokio::sync::oneshot::channel::<()>();
        let admin = admin.map(|admin| {
            tokio::spawn(admin::serve(admin, settings.metrics.clone(), sampler, async move {
                let _ = admin_stopped.await;
            }))
        });
        let (health, health_service) = tonic_health::server::health_reporter();
        for service in services.iter().copied().chain([""]) {
            health.set_service_status(service, ServingStatus::Serving).await;
        }
        let routes = reflection::add(routes.add_service(health_service), services)?;

        let draining = {
            let health = health.clone();
            let names: Vec<String> = services.iter().map(|s| (*s).to_owned()).collect();
            async move {
                shutdown.await;
                for service in names.iter().map(String::as_str).chain([""]) {
                    health.set_service_status(service, ServingStatus::NotServing).await;
                }
                tracing::info!(service = name, "draining requests in flight");
            }
        };

        let stack = tower::ServiceBuilder::new()
            .layer(observe::RecordRpcsLayer::new(
                settings.metrics.clone(),
                reflection::served_methods(beian_proto::FILE_DESCRIPTOR_SET, services)?,
            ))
            .map_err(guard::stack_error_to_status)
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::with_semaphore(Arc::new(Semaphore::new(
                settings.concurrency_limit,
            ))))
            .timeout(settings.request_timeout)
            .layer(
                tonic_tracing_opentelemetry::middleware::server::OtelGrpcLayer::default()
                    .filter(is_traced_path),
            )
            .layer(bare_status::ExplainBareStatusesLayer)
            .into_inner();
        // small gRPC replies must not wait for the peer's delayed ACK (Nagle): ~40 ms each
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        tracing::info!(service = name, address = %settings.listen, ?exposure, "serving");
        let served = match exposure {
            Exposure::Public => {
                Server::builder()
                    .accept_http1(true)
                    .layer(CorsLayer::very_permissive().expose_headers(grpc_web_exposed_headers()))
                    .layer(tonic_web::GrpcWebLayer::new())
                    .layer(stack)
                    .add_routes(routes)
                    .serve_with_incoming_shutdown(incoming, draining)
                    .await
            }
            Exposure::Internal => {
                Server::builder()
                    .layer(stack)
                    .layer(auth::RequireInternalToken::new(
                        settings.internal_token.clone(),
                        settings.also_admitted_internal_token.clone(),
                    ))
                    .add_routes(routes)
                    .serve_with_incoming_shutdown(incoming, draining)
                    .await
            }
        }
        .map_err(|e| anyhow::anyhow!("{name}: server failed: {e}"));
        let _ = admin_stop.send(());
        if let Some(admin) = admin {
            let _ = admin.await;
        }
        served?;
        tracing::info!(service = name, "stopped");
        Ok(())
    }
}

/// Health probes are not worth a span each.
fn is_traced_path(path: &str) -> bool {
    !path.starts_with("/grpc.health.v1.")
}

fn grpc_web_exposed_headers() -> [http::HeaderName; 3] {
    [
        http::HeaderName::from_static("grpc-status"),
        http::HeaderName::from_static("grpc-message"),
        http::HeaderName::from_static("grpc-status-details-bin"),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use super::*;
    use crate::config::Secret;

    #[tokio::test]
    async fn a_reserved_port_stays_taken_until_its_service_binds_it() {
        let address = reserve("127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(std::net::TcpListener::bind(address).is_err(), "held for the service");
        let settings = HostSettings {
            listen: address,
            request_timeout: Duration::from_secs(1),
            concurrency_limit: 1,
            internal_token: Secret::new("t".repeat(32)),
            also_admitted_internal_token: None,
            admin_listen: None,
            metrics: crate::metrics::Metrics::new(),
        };
        let host = Host::bind("test", settings, Exposure::Internal).await.unwrap();
        assert_eq!(host.local_addr(), address);
    }
}
