//! One service's Prometheus metrics, served on its admin port (`admin.rs`).
//!
//! Each service holds its own registry (no process-wide recorder): `beian up` runs
//! five services in one process and each still answers for itself alone. Series the
//! platform records for every service:
//! - `beian_rpc_requests_total{rpc,code}` and `beian_rpc_duration_seconds{rpc}`: every
//!   RPC served, with its gRPC code (rate, errors, duration);
//! - `beian_peer_call_duration_seconds{peer,rpc,code}`: every call to another service;
//! - `beian_db_connections{pool,state}` (sampled at scrape) and
//!   `beian_db_begin_wait_seconds`: pool use, and how long a write waited for its
//!   connection (a pooled one, and on SQLite the one writer).
//!
//! Services add their own (outbox depth and age, review cases pending and overdue,
//! codes sent and failed checks per purpose) with [`Metrics::counter`] and
//! [`Metrics::gauge`], or sampled at scrape time by a [`Sampler`].

use std::{fmt, future::Future, pin::Pin, sync::Arc, time::Duration};

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

/// Latency buckets, in seconds: 1 ms to 10 s.
const SECONDS_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const METADATA: Metadata<'static> = Metadata::new("beian", Level::INFO, None);

/// What each series means, for the `# HELP` lines.
const DESCRIPTIONS: &[(&str, Unit, &str)] = &[
    ("beian_rpc_requests_total", Unit::Count, "RPCs served, by method and gRPC code"),
    ("beian_rpc_duration_seconds", Unit::Seconds, "Time to answer an RPC, by method"),
    (
        "beian_peer_call_duration_seconds",
        Unit::Seconds,
        "Calls to another service, by peer, method and gRPC code",
    ),
    ("beian_db_connections", Unit::Count, "Database pool connections, by pool and state (idle, used)"),
    ("beian_db_begin_wait_seconds", Unit::Seconds, "Time waiting for the write connection"),
];

/// A service's registry; clones share it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(SECONDS_BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        for (name, unit, help) in DESCRIPTIONS {
            recorder.describe_counter((*name).into(), Some(*unit), (*help).into());
        }
        Self { recorder: Arc::new(recorder) }
    }

    /// Says what a service's own series means (its `# HELP` line).
    pub fn describe(&self, name: &'static str, help: &'static str) {
        self.recorder.describe_counter(name.into(), None, help.into());
    }

    pub fn counter(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Counter {
        self.recorder.register_counter(&key(name, labels), &METADATA)
    }

    pub fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Gauge {
        self.recorder.register_gauge(&key(name, labels), &METADATA)
    }

    pub fn histogram(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Histogram {
        self.recorder.register_histogram(&key(name, labels), &METADATA)
    }

    /// One RPC served.
    pub fn rpc_served(&self, rpc: &str, code: tonic::Code, took: Duration) {
        self.counter("beian_rpc_requests_total", &[("rpc", rpc), ("code", code_name(code))]).increment(1);
        self.histogram("beian_rpc_duration_seconds", &[("rpc", rpc)]).record(took.as_secs_f64());
    }

    /// One call to another service.
    pub fn peer_called(&self, peer: &str, rpc: &str, code: tonic::Code, took: Duration) {
        self.histogram(
            "beian_peer_call_duration_seconds",
            &[("peer", peer), ("rpc", rpc), ("code", code_name(code))],
        )
        .record(took.as_secs_f64());
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        self.recorder.handle().render()
    }
}

fn key(name: &'static str, labels: &[(&'static str, &str)]) -> Key {
    let labels: Vec<Label> = labels.iter().map(|(k, v)| Label::new(*k, (*v).to_owned())).collect();
    Key::from_parts(name, labels)
}

/// The code of an answer whose status came in its headers (a refusal travels
/// trailers-only) or, failing that, OK (a success's status comes in trailers).
pub fn answered_code(headers: &http::HeaderMap) -> tonic::Code {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(tonic::Code::Ok, tonic::Code::from_i32)
}

/// The gRPC code as grpc-go and Prometheus dashboards spell it (`OK`, `NOT_FOUND`…).
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// Sets a service's gauges from its database just before a scrape is answered
/// (outbox depth, cases pending…): the figure is read where it is true, and a replica
/// that never did the work still reports it.
pub type Sampler = Arc<dyn Fn(Metrics) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_answers_for_itself() {
        let (one, other) = (Metrics::new(), Metrics::new());
        one.rpc_served("/beian.x.v1.S/Do", tonic::Code::NotFound, Duration::from_millis(3));
        let text = one.render();
        assert!(
            text.contains(r#"beian_rpc_requests_total{rpc="/beian.x.v1.S/Do",code="NOT_FOUND"} 1"#),
            "{text}"
        );
        assert!(text.contains("beian_rpc_duration_seconds_bucket"), "histograms have buckets: {text}");
        assert!(!other.render().contains("beian_rpc_requests_total{"), "nothing leaks to another registry");
    }
}
