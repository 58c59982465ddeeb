//! Rate, errors and duration of every RPC a service answers, outermost in the stack
//! so shed and timed-out requests count too. The code is the response's `grpc-status`
//! header (a refusal travels trailers-only, so its status is there) or OK; an
//! answer that fails later in a stream would count as OK, and none of the suite's
//! RPCs streams its answer.

use std::{
    collections::HashSet,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use tonic::Status;
use tower::{BoxError, Layer, Service};

use crate::metrics::Metrics;

/// The `rpc` label of a path the port does not serve.
const UNKNOWN_METHOD: &str = "unknown";

#[derive(Debug, Clone)]
pub struct RecordRpcsLayer {
    metrics: Metrics,
    methods: Arc<HashSet<String>>,
}

impl RecordRpcsLayer {
    /// `methods`: the paths the port serves. Any other path is labelled `unknown`, so a
    /// caller inventing paths cannot add series to the registry without end.
    pub fn new(metrics: Metrics, methods: HashSet<String>) -> Self {
        Self { metrics, methods: Arc::new(methods) }
    }
}

impl<S> Layer<S> for RecordRpcsLayer {
    type Service = RecordRpcs<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RecordRpcs { inner, metrics: self.metrics.clone(), methods: self.methods.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct RecordRpcs<S> {
    inner: S,
    metrics: Metrics,
    methods: Arc<HashSet<String>>,
}

impl<S, B, R> Service<http::Request<B>> for RecordRpcs<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path();
        // probes and reflection are not traffic
        let rpc = match path {
            _ if path.starts_with("/grpc.") => None,
            _ if self.methods.contains(path) => Some(path.to_owned()),
            _ => Some(UNKNOWN_METHOD.to_owned()),
        };
        let started = Instant::now();
        let answer = self.inner.call(request);
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let result = answer.await;
            if let Some(rpc) = rpc {
                let code = match &result {
                    Ok(response) => crate::metrics::answered_code(response.headers()),
                    Err(error) => error.downcast_ref::<Status>().map_or(tonic::Code::Unknown, Status::code),
                };
                metrics.rpc_served(&rpc, code, started.elapsed());
            }
            result
        })
    }
}
