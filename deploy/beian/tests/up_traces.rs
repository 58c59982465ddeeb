//! `beian up`, the real binary, exporting spans over OTLP to a collector the test
//! runs: each of the five services names itself in `service.name`, as it does when
//! deployed alone, and one login is still one trace across them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
};

use beian_proto::gateway::v1::{LoginRequest, account_service_client::AccountServiceClient};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::any_value::Value,
    trace::v1::span::SpanKind,
};
use tonic::{Request, Response, Status};

/// What the collector received: (service.name, span name, kind, trace id).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Received {
    service: String,
    name: String,
    kind: i32,
    trace_id: Vec<u8>,
}

#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<Received>>>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut received = self.0.lock().unwrap();
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|resource| &resource.attributes)
                .find(|attribute| attribute.key == "service.name")
                .and_then(|attribute| match attribute.value.as_ref()?.value.as_ref()? {
                    Value::StringValue(name) => Some(name.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in resource_spans.scope_spans.into_iter().flat_map(|scope| scope.spans) {
                received.push(Received {
                    service: service.clone(),
                    name: span.name,
                    kind: span.kind,
                    trace_id: span.trace_id,
                });
            }
        }
        Ok(Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_service_of_beian_up_names_itself_in_its_spans() {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );

    let dir = tempfile::tempdir().unwrap();
    let mut up = Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(["up", "--any-ports", "--data-dir"])
        .arg(dir.path())
        .env_clear()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("BEIAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // read the banner for the gateway's address, then keep draining stdout
    let stdout = up.stdout.take().unwrap();
    let (address, gateway) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut address = Some(address);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.first() == Some(&"gateway")
                && let Some(address) = address.take()
            {
                let _ = address.send(format!("http://{}", words[1]));
            }
        }
    });
    let gateway = gateway.await.expect("beian up printed the gateway's address");

    let mut accounts = AccountServiceClient::connect(gateway).await.unwrap();
    let login = LoginRequest { login_name: "nobody".into(), password: "whatever".into() };
    accounts.login(login).await.expect_err("no such login");
    let terminated = Command::new("kill").args(["-TERM", &up.id().to_string()]).status().unwrap();
    assert!(terminated.success());
    let exit = tokio::task::spawn_blocking(move || up.wait().unwrap()).await.unwrap();
    assert!(exit.success(), "beian up stopped cleanly on SIGTERM: {exit}");

    let received = collector.0.lock().unwrap().clone();
    let server_span = |rpc: &str| {
        received
            .iter()
            .find(|span| span.kind == SpanKind::Server as i32 && span.name.ends_with(rpc))
            .unwrap_or_else(|| panic!("no server span for {rpc} among {received:?}"))
    };
    let gateway_login = server_span("beian.gateway.v1.AccountService/Login");
    let identity_login = server_span("beian.identity_recovery.v1.IdentityRecoveryService/Login");
    assert_eq!(gateway_login.service, "gateway");
    assert_eq!(identity_login.service, "identity-recovery");
    assert_eq!(gateway_login.trace_id, identity_login.trace_id, "one login, one trace");
    assert!(
        received.iter().any(|span| span.kind == SpanKind::Client as i32
            && span.service == "gateway"
            && span.trace_id == gateway_login.trace_id),
        "the gateway's call to identity-recovery is the gateway's span: {received:?}"
    );
}
