//! The suite's service-to-service credential: internal services refuse any
//! caller that does not present it; clients attach it to every call.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use subtle::ConstantTimeEq;
use tonic::{Status, body::Body, metadata::MetadataValue, service::Interceptor};
use tower::{Layer, Service};

use crate::{
    config::Secret,
    status::{ErrorReason, Failure},
};

/// Metadata key carrying the credential.
pub const INTERNAL_TOKEN_HEADER: &str = "x-beian-internal-token";

/// Paths open without the credential: probes and tooling.
fn is_open_path(path: &str) -> bool {
    path.starts_with("/grpc.health.v1.") || path.starts_with("/grpc.reflection.")
}

/// Refuses requests without the credential (UNAUTHENTICATED, CALLER_UNAUTHENTICATED).
#[derive(Debug, Clone)]
pub struct RequireInternalToken {
    token: Secret,
}

impl RequireInternalToken {
    pub fn new(token: Secret) -> Self {
        Self { token }
    }
}

impl<S> Layer<S> for RequireInternalToken {
    type Service = RequireInternalTokenService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireInternalTokenService { inner, token: self.token.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct RequireInternalTokenService<S> {
    inner: S,
    token: Secret,
}

impl<S> RequireInternalTokenService<S> {
    fn admits(&self, request: &http::Request<Body>) -> bool {
        if is_open_path(request.uri().path()) {
            return true;
        }
        request
            .headers()
            .get(INTERNAL_TOKEN_HEADER)
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(self.token.expose().as_bytes())))
    }
}

impl<S> Service<http::Request<Body>> for RequireInternalTokenService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if self.admits(&request) {
            Box::pin(self.inner.call(request))
        } else {
            tracing::warn!(path = request.uri().path(), "refused a caller without the internal credential");
            let status = Status::from(Failure::new(ErrorReason::CallerUnauthenticated));
            Box::pin(async move { Ok(status.into_http()) })
        }
    }
}

/// Attaches the credential to every outgoing call.
#[derive(Debug, Clone)]
pub struct AttachInternalToken {
    value: MetadataValue<tonic::metadata::Ascii>,
}

impl AttachInternalToken {
    pub fn new(token: &Secret) -> anyhow::Result<Self> {
        let value = token
            .expose()
            .parse()
            .map_err(|_| anyhow::anyhow!("the internal credential must be printable ASCII"))?;
        Ok(Self { value })
    }
}

impl Interceptor for AttachInternalToken {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        request.metadata_mut().insert(INTERNAL_TOKEN_HEADER, self.value.clone());
        Ok(request)
    }
}
