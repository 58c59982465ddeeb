//! One user request is one trace across the suite: W3C trace context crosses
//! every inter-service call. Its own test binary: it installs a span exporter.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use beian_proto::gateway::v1::{LoginRequest, account_service_client::AccountServiceClient};
use beian_tests::TestSuite;
use opentelemetry::trace::{SpanKind, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporterBuilder, SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

// current_thread: every service runs on this thread, under this test's subscriber
#[tokio::test(flavor = "current_thread")]
async fn a_gateway_call_and_the_call_it_makes_share_one_trace() {
    let exporter = InMemorySpanExporterBuilder::new().build();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    beian_platform::telemetry::install_propagator();
    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("test"))
            .with_filter(EnvFilter::new("info,otel::tracing=trace")),
    );
    let _guard = tracing::subscriber::set_default(subscriber);

    let suite = TestSuite::start().await;
    let mut gateway = AccountServiceClient::new(suite.gateway().await);
    let mut request =
        tonic::Request::new(LoginRequest { login_name: "nobody".into(), password: "whatever".into() });
    request
        .metadata_mut()
        .insert("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01").parse().unwrap());
    gateway.login(request).await.expect_err("unknown login");
    suite.stop().await;
    provider.force_flush().expect("flush");

    let spans = exporter.get_finished_spans().expect("spans");
    let server_spans: Vec<_> = spans.iter().filter(|s| s.span_kind == SpanKind::Server).collect();
    let names: Vec<String> = server_spans.iter().map(|s| s.name.to_string()).collect();
    let gateway_span = server_spans
        .iter()
        .find(|s| s.name.contains("beian.gateway.v1.AccountService/Login"))
        .unwrap_or_else(|| panic!("no gateway server span among {names:?}"));
    let identity_span = server_spans
        .iter()
        .find(|s| s.name.contains("beian.identity_recovery.v1.IdentityRecoveryService/Login"))
        .unwrap_or_else(|| panic!("no identity-recovery server span among {names:?}"));

    let expected = TraceId::from_hex(TRACE_ID).unwrap();
    assert_eq!(gateway_span.span_context.trace_id(), expected);
    assert_eq!(identity_span.span_context.trace_id(), expected);
    assert!(
        spans.iter().any(|s| s.span_kind == SpanKind::Client && s.span_context.trace_id() == expected),
        "the gateway's outgoing call is in the trace"
    );
}
