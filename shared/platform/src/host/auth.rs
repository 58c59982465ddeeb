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
/// During a rotation a service admits a second credential, which it never sends
/// (README, "Rotate the internal token").
#[derive(Debug, Clone)]
pub struct RequireInternalToken {
    admitted: Vec<Secret>,
}

impl RequireInternalToken {
    pub fn new(token: Secret, also: Option<Secret>) -> Self {
        Self { admitted: std::iter::once(token).chain(also).collect() }
    }
}

impl<S> Layer<S> for RequireInternalToken {
    type Service = RequireInternalTokenService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireInternalTokenService { inner, admitted: self.admitted.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct RequireInternalTokenService<S> {
    inner: S,
    admitted: Vec<Secret>,
}

impl<S> RequireInternalTokenService<S> {
    fn admits(&self, request: &http::Request<Body>) -> bool {
        if is_open_path(request.uri().path()) {
            return true;
        }
        let Some(given) = request.headers().get(INTERNAL_TOKEN_HEADER) else { return false };
        // every credential compared, in constant time each, whichever matches
        self.admitted.iter().fold(false, |admitted, token| {
            admitted | bool::from(given.as_bytes().ct_eq(token.expose().as_bytes()))
        })
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn request(token: Option<&str>) -> http::Request<Body> {
        let mut request = http::Request::builder().uri("/beian.x.v1.S/Do");
        if let Some(token) = token {
            request = request.header(INTERNAL_TOKEN_HEADER, token);
        }
        request.body(Body::empty()).unwrap()
    }

    fn service(also: Option<&str>) -> RequireInternalTokenService<()> {
        RequireInternalToken::new(Secret::new("new-token"), also.map(Secret::new)).layer(())
    }

    #[test]
    fn during_a_rotation_a_second_credential_is_admitted_too() {
        let rotating = service(Some("old-token"));
        assert!(rotating.admits(&request(Some("new-token"))));
        assert!(rotating.admits(&request(Some("old-token"))));
        assert!(!rotating.admits(&request(Some("other"))));
        assert!(!rotating.admits(&request(None)));

        let rotated = service(None);
        assert!(rotated.admits(&request(Some("new-token"))));
        assert!(!rotated.admits(&request(Some("old-token"))), "once rotated, the old one is refused");
    }
}
