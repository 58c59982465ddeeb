//! The service under test: built on 127.0.0.1:0 with a fresh database of the engine
//! `BEIAN_TEST_DATABASE` names (`sqlite`, the default, or `postgres`: a database created
//! on `BEIAN_TEST_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/postgres,
//! and dropped afterwards), called over gRPC with the suite's credential.

use std::{net::SocketAddr, time::Duration};

use beian_common::calendar::BusinessCalendar;
use beian_platform::{
    config::{HostSettings, PeerSettings, Secret},
    host::auth::INTERNAL_TOKEN_HEADER,
    status::reason_of,
    storage::{Database, DatabaseLocation},
};
use beian_proto::identity_recovery::v1::identity_recovery_service_client::IdentityRecoveryServiceClient;
use identity_recovery::{Application, Settings};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};
use tokio::{sync::oneshot, task::JoinHandle};
use tonic::{Status, transport::Channel};
use tonic_types::StatusExt;

/// Larger than any review request or document answer.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// A port nothing listens on: verification-codes for tests that never reach it.
pub const NOWHERE: &str = "http://127.0.0.1:1";

/// identity-recovery, serving.
pub struct TestApp {
    address: SocketAddr,
    token: Secret,
    database: Database,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<anyhow::Result<()>>>,
    _storage: Storage,
}

impl TestApp {
    /// With the shipped PRC calendar and a fresh credential.
    pub async fn start(verification_codes_url: &str) -> Self {
        Self::start_with(verification_codes_url, Secret::generate(), BusinessCalendar::china_default()).await
    }

    pub async fn start_with(verification_codes_url: &str, token: Secret, calendar: BusinessCalendar) -> Self {
        let storage = Storage::fresh().await;
        let settings = Settings {
            host: HostSettings {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                request_timeout: Duration::from_secs(10),
                concurrency_limit: 64,
                internal_token: token.clone(),
            },
            database: storage.location.clone(),
            peers: PeerSettings {
                verification_codes: verification_codes_url.to_owned(),
                filing_registry: NOWHERE.to_owned(),
                identity_recovery: NOWHERE.to_owned(),
                legacy_migration: NOWHERE.to_owned(),
                timeout_ms: 2_000,
            },
            calendar,
        };
        let application = Application::build(settings).await.expect("identity-recovery builds");
        let (stop, stopped) = oneshot::channel::<()>();
        let address = application.local_addr();
        let database = application.database().clone();
        let served = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Self { address, token, database, stop: Some(stop), served: Some(served), _storage: storage }
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    pub async fn client(&self) -> IdentityRecoveryServiceClient<Channel> {
        let channel = Channel::from_shared(format!("http://{}", self.address))
            .expect("endpoint")
            .connect()
            .await
            .expect("connects");
        IdentityRecoveryServiceClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }

    /// `message` with the suite's credential, as the gateway sends it.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(INTERNAL_TOKEN_HEADER, self.token.expose().parse().expect("ascii"));
        request
    }

    /// Drains and closes the database (then the PostgreSQL database is dropped).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("joins").expect("stops cleanly");
        }
    }
}

/// Where the test's database lives; a PostgreSQL one is dropped with this value, even
/// when the test fails.
struct Storage {
    location: DatabaseLocation,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Storage {
    async fn fresh() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        match std::env::var("BEIAN_TEST_DATABASE").as_deref() {
            Ok("postgres") => {
                let admin_url = std::env::var("BEIAN_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                sqlx::any::install_default_drivers();
                let name = format!("beian_test_ir_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
                let mut admin = AnyConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is needed: {e}"));
                sqlx::raw_sql(AssertSqlSafe(format!("create database {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let base = &admin_url[..admin_url.rfind('/').expect("a database URL has a path")];
                Self {
                    location: DatabaseLocation::url(Secret::new(format!("{base}/{name}"))),
                    postgres: Some((admin_url.clone(), name)),
                    _dir: dir,
                }
            }
            Ok("sqlite") | Err(_) => Self {
                location: DatabaseLocation::sqlite_file(dir.path(), identity_recovery::NAME),
                postgres: None,
                _dir: dir,
            },
            Ok(other) => panic!("BEIAN_TEST_DATABASE={other}: expected sqlite or postgres"),
        }
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime, which must not block: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let mut admin = AnyConnection::connect(&admin_url).await?;
                sqlx::raw_sql(AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                    .execute(&mut admin)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a test database: {dropped:?}");
        }
    }
}

/// The ErrorInfo reason of a suite status, without prefix (`ACCOUNT_NOT_FOUND`).
pub fn reason(status: &Status) -> String {
    reason_of(status).map(|r| beian_platform::status::reason_name(r).to_owned()).unwrap_or_default()
}

/// The fields a status's BadRequest names.
pub fn fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// A value of the status's ErrorInfo metadata.
pub fn metadata(status: &Status, key: &str) -> Option<String> {
    status.get_details_error_info().and_then(|info| info.metadata.get(key).cloned())
}
