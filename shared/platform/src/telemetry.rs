//! Logs to stdout (pretty or JSON) and OpenTelemetry spans, each layer with
//! its own filter (a global filter would starve the span exporter). Spans are
//! always made, so W3C trace context crosses every call; they are exported over
//! OTLP/gRPC only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

use opentelemetry::{KeyValue, trace::TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing::Dispatch;
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

use crate::config::{LogFormat, TelemetrySettings};

/// Keeps the span pipelines alive; flushes them on drop.
#[derive(Debug)]
pub struct Telemetry {
    providers: Vec<SdkTracerProvider>,
    services: Vec<(&'static str, Dispatch)>,
}

impl Telemetry {
    /// The subscriber of one of the services given to [`init_suite`]: code running
    /// under it reports spans as that service.
    pub fn service(&self, name: &str) -> Option<&Dispatch> {
        self.services.iter().find(|(service, _)| *service == name).map(|(_, dispatch)| dispatch)
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        for provider in &self.providers {
            if let Err(error) = provider.shutdown() {
                eprintln!("flushing spans failed: {error}");
            }
        }
    }
}

/// Spans for the suite's own code and the gRPC middleware, whatever the log filter.
const SPAN_FILTER: &str = "info,otel::tracing=trace,h2=warn,hyper=warn,tower=warn";

/// Installs the process-wide subscriber and propagator. Call once per process.
pub fn init(service_name: &str, settings: &TelemetrySettings) -> anyhow::Result<Telemetry> {
    init_suite(service_name, &[], settings)
}

/// As [`init`] for a process that runs several services (`beian up`): the
/// process-wide subscriber names its spans `process_name`, and each of
/// `services` gets a subscriber of its own, with its own `service.name`, for
/// the threads that run that service to install ([`Telemetry::service`]).
pub fn init_suite(
    process_name: &str,
    services: &[&'static str],
    settings: &TelemetrySettings,
) -> anyhow::Result<Telemetry> {
    install_propagator();
    let (global, provider) = subscriber(process_name, settings)?;
    let mut telemetry = Telemetry { providers: vec![provider], services: Vec::new() };
    for &service in services {
        let (dispatch, provider) = subscriber(service, settings)?;
        telemetry.providers.push(provider);
        telemetry.services.push((service, dispatch));
    }
    global.try_init().map_err(|e| anyhow::anyhow!("telemetry already initialised: {e}"))?;
    Ok(telemetry)
}

fn subscriber(
    service_name: &str,
    settings: &TelemetrySettings,
) -> anyhow::Result<(Dispatch, SdkTracerProvider)> {
    let mut builder = SdkTracerProvider::builder().with_resource(
        Resource::builder().with_attributes([KeyValue::new("service.name", service_name.to_owned())]).build(),
    );
    if let Some(endpoint) = &settings.otlp_endpoint {
        let exporter =
            opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint).build()?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();
    let spans = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer(service_name.to_owned()))
        .with_filter(EnvFilter::new(SPAN_FILTER));
    let log_filter = EnvFilter::try_new(&settings.log_filter)
        .map_err(|e| anyhow::anyhow!("invalid log filter {:?}: {e}", settings.log_filter))?;
    let logs = match settings.log_format {
        LogFormat::Pretty => tracing_subscriber::fmt::layer().with_filter(log_filter).boxed(),
        LogFormat::Json => {
            tracing_subscriber::fmt::layer().json().flatten_event(true).with_filter(log_filter).boxed()
        }
    };
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(spans).with(logs));
    Ok((dispatch, provider))
}

/// W3C trace context (`traceparent`) in and out of every call.
pub fn install_propagator() {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
}
