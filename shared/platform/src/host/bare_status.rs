//! Statuses tonic answers before a handler runs (a request it cannot decode, an
//! unknown method, a message over the size limit, the caller's own `grpc-timeout`)
//! carry no details. They are given a reason and both messages here, so a caller
//! always finds the suite's error shape; a request that does not decode is the
//! caller's fault (INVALID_ARGUMENT naming `request`), where tonic says INTERNAL.
//! Other codes (health's NOT_FOUND for a service it does not know) pass unchanged.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use http::HeaderMap;
use tonic::{Code, Status};
use tower::{Layer, Service};

use crate::status::{ErrorReason, Failure};

const STATUS: &str = "grpc-status";
const DETAILS: &str = "grpc-status-details-bin";

#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainBareStatusesLayer;

impl<S> Layer<S> for ExplainBareStatusesLayer {
    type Service = ExplainBareStatuses<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ExplainBareStatuses { inner }
    }
}

#[derive(Debug, Clone)]
pub struct ExplainBareStatuses<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for ExplainBareStatuses<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let answer = self.inner.call(request);
        Box::pin(async move {
            let mut response = answer.await?;
            explain(response.headers_mut());
            Ok(response)
        })
    }
}

/// Rewrites a trailers-only refusal without details (a refusal sent later, in
/// trailers, comes from the suite's own handlers, which always send details).
fn explain(headers: &mut HeaderMap) {
    let Some(code) = headers.get(STATUS).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    if code == 0 || headers.contains_key(DETAILS) {
        return;
    }
    let failure = match Code::from_i32(code) {
        // tonic's decoding of the request: bad protobuf, a missing message, a broken frame
        Code::Internal | Code::InvalidArgument => {
            Failure::invalid_field("request", "is not a valid message of this method")
        }
        Code::OutOfRange => Failure::invalid_field("request", "is larger than this method accepts"),
        Code::Unimplemented => Failure::new(ErrorReason::NotImplemented),
        Code::DeadlineExceeded => Failure::new(ErrorReason::DeadlineExceeded),
        // the standard services' own answers (health's NOT_FOUND for an unknown service)
        // keep the meaning their clients expect
        _ => return,
    };
    headers.remove("grpc-message");
    // only fails for a message that is not a valid header value, which ours never are
    let _ = Status::from(failure).add_header(headers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::reason_of;

    fn explained(status: Status) -> Status {
        let mut headers = HeaderMap::new();
        status.add_header(&mut headers).expect("a valid header");
        explain(&mut headers);
        Status::from_header_map(&headers).expect("a status")
    }

    #[test]
    fn what_tonic_answers_bare_gets_a_reason() {
        let cases = [
            (Status::internal("failed to decode Protobuf message: invalid string"), Code::InvalidArgument),
            (Status::internal("Missing request message."), Code::InvalidArgument),
            (Status::out_of_range("Error, decoded message length too large"), Code::InvalidArgument),
            (Status::unimplemented(""), Code::Unimplemented),
            (Status::deadline_exceeded("Timeout expired"), Code::DeadlineExceeded),
        ];
        for (bare, code) in cases {
            let status = explained(bare.clone());
            assert_eq!(status.code(), code, "{bare:?}");
            assert!(reason_of(&status).is_some(), "{bare:?} → {status:?}");
            assert!(!status.message().contains("Protobuf"), "tonic's text is not sent on: {status:?}");
        }
    }

    #[test]
    fn the_suites_own_refusals_and_successes_pass_unchanged() {
        let own = Status::from(Failure::new(ErrorReason::SessionRequired));
        let status = explained(own.clone());
        assert_eq!((status.code(), status.details()), (own.code(), own.details()));

        // health's answer for a service it does not know, as its clients expect it
        let unknown_service = explained(Status::not_found("service not registered"));
        assert_eq!((unknown_service.code(), unknown_service.details().is_empty()), (Code::NotFound, true));

        let mut ok = HeaderMap::new();
        ok.insert(STATUS, http::HeaderValue::from_static("0"));
        explain(&mut ok);
        assert_eq!(ok.len(), 1);
    }
}
