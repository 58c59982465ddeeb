//! The harness of the crate's integration tests: the service on 127.0.0.1:0
//! with a fresh database (SQLite in a temporary directory, or a fresh
//! PostgreSQL database when BEIAN_TEST_DATABASE=postgres), called over gRPC
//! with the suite credential; plus small fake providers (HTTP, SMTP).

#![allow(dead_code, unused_imports, reason = "each test binary uses part of the harness")]

pub mod http;
pub mod smtp;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

pub use beian_platform::testing::reason;
use beian_platform::{
    config::{HostSettings, Secret},
    host::auth::INTERNAL_TOKEN_HEADER,
    storage::{Database, DatabaseLocation},
    testing::{Engine, ScratchDatabases},
};
use beian_proto::verification_codes::v1::{
    self as pb, verification_codes_internal_service_client::VerificationCodesInternalServiceClient,
    verification_codes_service_client::VerificationCodesServiceClient,
};
use tokio::{sync::oneshot, task::JoinHandle};
use tonic::{
    Request, Status,
    metadata::{Ascii, MetadataValue},
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};
use tonic_types::StatusExt;
use verification_codes::{Application, Settings};

pub use beian_proto::common::v1::{Channel as WireChannel, Purpose as WirePurpose};

/// A fresh database and data directory for one test, removed when dropped (also
/// when the test panics).
pub struct TestDatabase {
    location: DatabaseLocation,
    scratch: ScratchDatabases,
}

impl TestDatabase {
    pub async fn fresh() -> Self {
        let engine = Engine::from_env().expect("a known engine");
        let scratch = ScratchDatabases::create(&engine, "vc_test", &[verification_codes::NAME])
            .await
            .unwrap_or_else(|e| panic!("a scratch database on {engine:?}: {e:#}"));
        let location = scratch.location(verification_codes::NAME).expect("made");
        Self { location, scratch }
    }

    pub fn data_dir(&self) -> &Path {
        self.scratch.dir()
    }

    /// Removes the database now rather than at the end of the test.
    pub async fn remove(self) {
        drop(self);
    }
}

/// Settings for tests: local defaults on an ephemeral port, a fast
/// dispatcher, a development run (the file sink is where tests read codes).
pub fn settings(db: &TestDatabase) -> Settings {
    let host = HostSettings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        request_timeout: Duration::from_secs(10),
        concurrency_limit: 64,
        internal_token: Secret::generate(),
        also_admitted_internal_token: None,
        admin_listen: None,
        metrics: beian_platform::metrics::Metrics::new(),
    };
    let mut settings = Settings::local(host, db.location.clone(), db.data_dir());
    settings.development = true;
    settings.delivery.poll_interval = Duration::from_millis(50);
    settings.delivery.retry_base = Duration::from_millis(20);
    settings
}

/// The service, serving.
pub struct TestService {
    pub addr: SocketAddr,
    pub db: Database,
    pub messages_file: PathBuf,
    token: Secret,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

pub type Authed = InterceptedService<Channel, Credential>;

/// Attaches the suite credential to every call.
#[derive(Clone)]
pub struct Credential(MetadataValue<Ascii>);

impl Interceptor for Credential {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request.metadata_mut().insert(INTERNAL_TOKEN_HEADER, self.0.clone());
        Ok(request)
    }
}

impl TestService {
    pub async fn start(db: &TestDatabase) -> Self {
        Self::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: &TestDatabase, customise: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = settings(db);
        customise(&mut settings);
        let token = settings.host.internal_token.clone();
        let messages_file = settings.delivery.file_sink.clone();
        let app = Application::build(settings).await.expect("the service starts");
        let (stop, stopped) = oneshot::channel::<()>();
        let addr = app.local_addr();
        let database = app.database().clone();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self { addr, db: database, messages_file, token, stop, task }
    }

    fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr)).expect("endpoint").connect_lazy()
    }

    fn credential(&self) -> Credential {
        Credential(self.token.expose().parse().expect("ascii token"))
    }

    pub fn public(&self) -> VerificationCodesServiceClient<Authed> {
        VerificationCodesServiceClient::with_interceptor(self.channel(), self.credential())
    }

    pub fn internal(&self) -> VerificationCodesInternalServiceClient<Authed> {
        VerificationCodesInternalServiceClient::with_interceptor(self.channel(), self.credential())
    }

    /// A client without the credential, as an outsider would call.
    pub fn public_without_credential(&self) -> VerificationCodesServiceClient<Channel> {
        VerificationCodesServiceClient::new(self.channel())
    }

    /// Stops the service and waits until it has drained and closed.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("the service task").expect("the service stops cleanly");
    }

    /// Every message the file sink holds, oldest first.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        read_messages(&self.messages_file)
    }

    /// Waits (up to 10 s) for a delivered message to `destination`, newest first.
    pub async fn message_to(&self, destination: &str) -> serde_json::Value {
        wait_for(|| self.messages().into_iter().rev().find(|m| m["destination"] == destination)).await
    }

    /// The code of the newest message to `destination`.
    pub async fn code_sent_to(&self, destination: &str) -> String {
        let message = self.message_to(destination).await;
        message["params"]["code"].as_str().expect("a code message").to_owned()
    }

    /// Sends an SMS code for account lookup from `client_ip`; answers the code id and the code.
    pub async fn send_sms(&self, mobile: &str, client_ip: &str) -> Result<pb::SendCodeResponse, Status> {
        self.public()
            .send_code(sms_request(mobile, WirePurpose::AccountLookup, client_ip))
            .await
            .map(|r| r.into_inner())
    }

    /// Sends, reads and checks a code: answers the proof.
    pub async fn proof_for(&self, mobile: &str, purpose: WirePurpose) -> String {
        let sent = self
            .public()
            .send_code(sms_request(mobile, purpose, "198.51.100.1"))
            .await
            .expect("sent")
            .into_inner();
        let code = self.code_sent_to(mobile).await;
        self.public()
            .check_code(check_request(&sent.code_id, &code))
            .await
            .expect("checked")
            .into_inner()
            .proof
    }

    /// A single value of a query with one text bind.
    pub async fn scalar_i64(&self, sql: &'static str, bind: &str) -> i64 {
        sqlx::query_scalar(sql).bind(bind).fetch_one(self.db.reader()).await.expect("query")
    }

    pub async fn scalar_text(&self, sql: &'static str, bind: &str) -> String {
        sqlx::query_scalar(sql).bind(bind).fetch_one(self.db.reader()).await.expect("query")
    }
}

/// A fresh idempotency key.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A request for an SMS code, with a fresh request id.
pub fn sms_request(mobile: &str, purpose: WirePurpose, client_ip: &str) -> pb::SendCodeRequest {
    pb::SendCodeRequest {
        request_id: request_id(),
        channel: WireChannel::Sms as i32,
        destination: mobile.into(),
        purpose: purpose as i32,
        client_ip: client_ip.into(),
        locale: String::new(),
        decoy: false,
    }
}

/// A check of `code`, with a fresh request id.
pub fn check_request(code_id: &str, code: &str) -> pb::CheckCodeRequest {
    pb::CheckCodeRequest {
        request_id: request_id(),
        code_id: code_id.into(),
        code: code.into(),
        client_ip: "198.51.100.1".into(),
    }
}

/// Caps count per fixed window aligned to Beijing time (UTC+8).
const WINDOW_ALIGNMENT: Duration = Duration::from_secs(8 * 3600);

/// How long until the current fixed window of `length` ends.
pub fn until_window_end(length: Duration) -> Duration {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    let into = (now + WINDOW_ALIGNMENT).as_millis() % length.as_millis();
    length - Duration::from_millis(u64::try_from(into).expect("fits"))
}

/// Waits, if the current window of `length` ends within 15 s, for the next
/// one: a test that fills a cap must not straddle two windows.
pub async fn fresh_window(length: Duration) {
    let left = until_window_end(length);
    if left < Duration::from_secs(15) {
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
}

pub fn read_messages(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// Polls `probe` every 20 ms until it answers, for at most 10 s.
pub async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..500 {
        if let Some(found) = probe() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("waited 10 s in vain");
}

/// The field the BadRequest names.
pub fn field(status: &Status) -> String {
    let bad = status.get_details_bad_request().unwrap_or_else(|| panic!("a BadRequest: {status:?}"));
    bad.field_violations.first().expect("a violation").field.clone()
}

pub fn retry_delay(status: &Status) -> Duration {
    status
        .get_details_retry_info()
        .and_then(|r| r.retry_delay)
        .unwrap_or_else(|| panic!("RetryInfo: {status:?}"))
}

pub fn metadata(status: &Status, key: &str) -> Option<String> {
    status.get_details_error_info()?.metadata.get(key).cloned()
}
