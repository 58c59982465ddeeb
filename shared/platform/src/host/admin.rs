//! The admin port: `GET /metrics` in the Prometheus text format, on a listener of its
//! own so scrapes never compete with the gRPC port's limits, and so a network policy
//! can open one to Prometheus and the other to callers.

use std::{convert::Infallible, future::Future, time::Duration};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode, body::Incoming, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::metrics::{Metrics, Sampler};

/// A sampler that has not answered by then is skipped: the scrape still answers.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(2);

/// Answers scrapes until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    sampler: Sampler,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "admin port: accept failed");
                    continue;
                }
            },
        };
        let (metrics, sampler) = (metrics.clone(), sampler.clone());
        tokio::spawn(async move {
            let answer = service_fn(move |request| answer(request, metrics.clone(), sampler.clone()));
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), answer)
                .await
            {
                tracing::debug!(%error, "admin port: connection ended");
            }
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    metrics: Metrics,
    sampler: Sampler,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != hyper::Method::GET || request.uri().path() != "/metrics" {
        return Ok(plain(StatusCode::NOT_FOUND, "GET /metrics\n".to_owned()));
    }
    if tokio::time::timeout(SAMPLE_TIMEOUT, sampler(metrics.clone())).await.is_err() {
        tracing::warn!("admin port: sampling gauges timed out; answering the last figures");
    }
    Ok(plain(StatusCode::OK, metrics.render()))
}

fn plain(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain; version=0.0.4"));
    response
}
