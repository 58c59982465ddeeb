//! The service under test: built on 127.0.0.1:0 with a fresh database of the engine
//! `BEIAN_TEST_DATABASE` names (see `beian_platform::testing::Engine`), dropped with the
//! test, called over gRPC with the suite's credential.

use std::{net::SocketAddr, time::Duration};

use beian_common::calendar::BusinessCalendar;
pub use beian_platform::testing::reason;
use beian_platform::{
    config::{HostSettings, PeerSettings, Secret},
    host::auth::INTERNAL_TOKEN_HEADER,
    storage::Database,
    testing::{Engine, ScratchDatabases},
};
use beian_proto::identity_recovery::v1::identity_recovery_service_client::IdentityRecoveryServiceClient;
use identity_recovery::{Application, EffectPace, LoginSettings, SessionPolicy, Settings};
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
    /// Dropped last, also when a test panics: the database goes with the test.
    _scratch: ScratchDatabases,
}

impl TestApp {
    /// With the shipped PRC calendar and a fresh credential.
    pub async fn start(verification_codes_url: &str) -> Self {
        Self::start_with(verification_codes_url, Secret::generate(), BusinessCalendar::china_default()).await
    }

    pub async fn start_with(verification_codes_url: &str, token: Secret, calendar: BusinessCalendar) -> Self {
        Self::start_configured(verification_codes_url, token, |settings| settings.calendar = calendar).await
    }

    /// With the defaults, changed by `customise` (login rules, session lifetimes).
    pub async fn start_configured(
        verification_codes_url: &str,
        token: Secret,
        customise: impl FnOnce(&mut Settings),
    ) -> Self {
        Self::start_full(verification_codes_url, NOWHERE, token, customise).await
    }

    /// With filing-registry at `filing_registry_url` too; decided effects are polled for
    /// every 50 ms and retried after 50 ms, 100 ms, … so tests see them quickly.
    pub async fn start_full(
        verification_codes_url: &str,
        filing_registry_url: &str,
        token: Secret,
        customise: impl FnOnce(&mut Settings),
    ) -> Self {
        let engine = Engine::from_env().expect("a known engine");
        let scratch = ScratchDatabases::create(&engine, "beian_test_ir", &[identity_recovery::NAME])
            .await
            .unwrap_or_else(|e| panic!("a scratch database on {engine:?}: {e:#}"));
        let mut settings = Settings {
            host: HostSettings {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                request_timeout: Duration::from_secs(10),
                concurrency_limit: 64,
                internal_token: token.clone(),
                also_admitted_internal_token: None,
                admin_listen: None,
                metrics: beian_platform::metrics::Metrics::new(),
            },
            database: scratch.location(identity_recovery::NAME).expect("made"),
            peers: PeerSettings {
                verification_codes: verification_codes_url.to_owned(),
                filing_registry: filing_registry_url.to_owned(),
                identity_recovery: NOWHERE.to_owned(),
                legacy_migration: NOWHERE.to_owned(),
                timeout_ms: 2_000,
            },
            calendar: BusinessCalendar::china_default(),
            effects: EffectPace {
                poll_interval: Duration::from_millis(50),
                lease: Duration::from_secs(5),
                retry_base: Duration::from_millis(50),
            },
            login: LoginSettings::default(),
            sessions: SessionPolicy::default(),
        };
        customise(&mut settings);
        let application = Application::build(settings).await.expect("identity-recovery builds");
        let (stop, stopped) = oneshot::channel::<()>();
        let address = application.local_addr();
        let database = application.database().clone();
        let served = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Self { address, token, database, stop: Some(stop), served: Some(served), _scratch: scratch }
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
