//! The service under test: built on 127.0.0.1:0 with a fresh database of the engine
//! `BEIAN_TEST_DATABASE` names, a fake verification-codes beside it, one seeded
//! filing, called over gRPC with the suite's credential.

use std::{net::SocketAddr, time::Duration};

pub use beian_platform::testing::reason;
use beian_platform::{
    app,
    config::{HostSettings, PeerSettings, Secret},
    host::auth::INTERNAL_TOKEN_HEADER,
    storage::Database,
    testing::{Engine, ScratchDatabases},
};
use beian_proto::{
    common::v1 as common,
    filing_registry::v1::{
        self as pb, domain_registration_internal_service_client::DomainRegistrationInternalServiceClient,
        filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
        filing_registry_service_client::FilingRegistryServiceClient,
    },
};
use filing_registry::{
    Application, PasswordPolicy, RelayPace, Settings,
    seed::{SeedDomainRegistration, SeedSubject, SeedWebsite, insert_subjects, record_domain_registrations},
    subjects::{CertificateType, Nature, WebsiteState},
};
use tokio::{sync::oneshot, task::JoinHandle};
use tonic::{Status, transport::Channel};
use tonic_types::StatusExt;

use crate::{fake_codes::FakeCodes, fake_identity::FakeIdentity};

pub const NOWHERE: &str = "http://127.0.0.1:1";
pub const SUBJECT_ID: &str = "sub-t1";
pub const FILING: &str = "浙ICP备19012345号";
pub const WEBSITE: &str = "浙ICP备19012345号-1";
pub const PROVINCE: &str = "330000";
pub const CERTIFICATE: &str = "33010619900101123X";
pub const MOBILE: &str = "15212341234";
pub const EMAIL: &str = "zhang.wei@example.com";
pub const OLD_PASSWORD: &str = "483920";
/// The server filing service number the seeded website's filing used.
pub const SERVICE_NUMBER: &str = "ZJ1901234501";

/// A policy small enough to reach in a test: 3 wrong passwords lock for 1 s; 3 recoveries
/// per filing and 5 per client a day.
pub fn test_policy() -> PasswordPolicy {
    PasswordPolicy {
        max_failures: 3,
        lock: Duration::from_secs(1),
        recoveries_per_filing_per_day: 3,
        recoveries_per_client_per_day: 5,
        ..PasswordPolicy::default()
    }
}

pub struct TestApp {
    address: SocketAddr,
    token: Secret,
    /// What it was started with, to start it again on the same database and key.
    settings: Settings,
    database: Database,
    pub codes: FakeCodes,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<anyhow::Result<()>>>,
    _scratch: ScratchDatabases,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(test_policy()).await
    }

    pub async fn start_with(policy: PasswordPolicy) -> Self {
        Self::start_with_relay(policy, Duration::from_millis(100)).await
    }

    /// With the relay polling every `poll_interval` (besides its doorbell).
    pub async fn start_with_relay(policy: PasswordPolicy, poll_interval: Duration) -> Self {
        let token = Secret::generate();
        let codes = FakeCodes::start(token.clone()).await;
        let identity = FakeIdentity::start().await;
        let engine = Engine::from_env().expect("a known engine");
        let scratch = ScratchDatabases::create(&engine, "beian_test_fr", &[filing_registry::NAME])
            .await
            .unwrap_or_else(|e| panic!("a scratch database on {engine:?}: {e:#}"));
        let settings = Settings {
            policy,
            relay: RelayPace { poll_interval, retry_base: Duration::from_millis(100) },
            ..Settings::local(
                HostSettings {
                    listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                    request_timeout: Duration::from_secs(10),
                    concurrency_limit: 64,
                    internal_token: token.clone(),
                    also_admitted_internal_token: None,
                    admin_listen: None,
                    metrics: beian_platform::metrics::Metrics::new(),
                },
                scratch.location(filing_registry::NAME).expect("made"),
                PeerSettings {
                    verification_codes: codes.url(),
                    filing_registry: NOWHERE.to_owned(),
                    identity_recovery: identity.url(),
                    legacy_migration: NOWHERE.to_owned(),
                    timeout_ms: 2_000,
                },
            )
        };
        let (address, database, stop, served) = serve(settings.clone()).await;
        insert_subjects(&database, &[seed()]).await.expect("seeds");
        Self {
            address,
            token,
            settings,
            database,
            codes,
            stop: Some(stop),
            served: Some(served),
            _scratch: scratch,
        }
    }

    /// Stops the service and starts it again on the same database and secret key, as
    /// after a crash or a deployment.
    pub async fn restart(mut self) -> Self {
        self.halt().await;
        let (address, database, stop, served) = serve(self.settings.clone()).await;
        Self { address, database, stop: Some(stop), served: Some(served), ..self }
    }

    /// As [`Self::restart`], with every queued notice due at once: the relay is
    /// stopped first, so no pass in flight moves a notice's next attempt afterwards.
    pub async fn restart_with_notices_due(mut self) -> Self {
        self.halt().await;
        let database =
            Database::open(&self.settings.database, <filing_registry::Service as app::Service>::migrator())
                .await
                .expect("opens again");
        sqlx::query("update notice_outbox set next_attempt_at_ms = 0")
            .execute(&mut *database.writer().await.unwrap())
            .await
            .expect("due");
        database.close().await;
        let (address, database, stop, served) = serve(self.settings.clone()).await;
        Self { address, database, stop: Some(stop), served: Some(served), ..self }
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.address))
            .expect("endpoint")
            .connect()
            .await
            .expect("connects")
    }

    pub async fn public(&self) -> FilingRegistryServiceClient<Channel> {
        FilingRegistryServiceClient::new(self.channel().await)
    }

    pub async fn internal(&self) -> FilingRegistryInternalServiceClient<Channel> {
        FilingRegistryInternalServiceClient::new(self.channel().await)
    }

    pub async fn registrations(&self) -> DomainRegistrationInternalServiceClient<Channel> {
        DomainRegistrationInternalServiceClient::new(self.channel().await)
    }

    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(INTERNAL_TOKEN_HEADER, self.token.expose().parse().expect("ascii"));
        request
    }

    pub async fn recover(&self, recovery: pb::RecoverFilingPasswordRequest) -> Result<Vec<String>, Status> {
        let reply = self.public().await.recover_filing_password(self.request(recovery)).await?;
        Ok(reply.into_inner().sent_to.into_iter().map(|c| c.masked_destination).collect())
    }

    pub async fn check(&self, password: &str) -> Result<(), Status> {
        self.internal()
            .await
            .check_filing_password(self.request(pb::CheckFilingPasswordRequest {
                subject_id: SUBJECT_ID.into(),
                filing_password: password.into(),
            }))
            .await
            .map(drop)
    }

    pub async fn stop(mut self) {
        self.halt().await;
    }

    async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("joins").expect("stops cleanly");
        }
    }
}

type Served = (SocketAddr, Database, oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>);

async fn serve(settings: Settings) -> Served {
    let application = Application::build(settings).await.expect("filing-registry builds");
    let database = application.database().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let address = application.local_addr();
    let served = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    (address, database, stop, served)
}

/// Inserts more subjects beside the one every test starts with.
pub async fn add_subjects(app: &TestApp, seeds: &[SeedSubject]) {
    insert_subjects(app.database(), seeds).await.expect("seeds");
}

/// A subject of one website held by `holder`, numbered by `n` (2..=9 but 5, the first subject's).
pub fn other_subject(n: u8, holder: &'static str, order_in_progress: Option<&'static str>) -> SeedSubject {
    let leak = |value: String| -> &'static str { Box::leak(value.into_boxed_str()) };
    SeedSubject {
        subject_id: leak(format!("sub-t{n}")),
        filing_number: leak(format!("浙ICP备1901234{n}号")),
        certificate_number: leak(format!("33010619900101{n}23X")),
        holder_account_id: holder,
        websites: vec![SeedWebsite {
            website_id: leak(format!("web-t{n}")),
            website_number: leak(format!("浙ICP备1901234{n}号-1")),
            name: "店",
            domains: vec![leak(format!("shop-{n}.cn"))],
            state: WebsiteState::Active,
            service_number: leak(format!("ZJ1901234{n}01")),
        }],
        order_in_progress,
        ..seed()
    }
}

/// When the registrations tests record expire: 2036-01-01, years ahead.
pub const YEARS_AHEAD_MS: i64 = 2_082_729_600_000;

/// A registrar's record of `domain`, real-name verified and live, held by subject `n` (1: the
/// first subject; else as [`other_subject`] numbers them): a new website of it passes.
pub fn registered(n: u8, domain: &str) -> SeedDomainRegistration {
    let subject = if n == 1 { seed() } else { other_subject(n, "", None) };
    SeedDomainRegistration::verified(&subject, Box::leak(domain.to_owned().into_boxed_str()), YEARS_AHEAD_MS)
}

/// Records registrars' records as their integration would, each replacing the domain's earlier one.
pub async fn register(app: &TestApp, registrations: &[SeedDomainRegistration]) {
    record_domain_registrations(app.database(), registrations).await.expect("recorded");
}

/// A recovery with every field right, from client 203.0.113.7.
pub fn recovery(request_id: &str) -> pb::RecoverFilingPasswordRequest {
    pb::RecoverFilingPasswordRequest {
        province_code: PROVINCE.into(),
        filing_number: FILING.into(),
        certificate_type: common::CertificateType::ResidentIdCard as i32,
        // typed as people do: lower-case x, spaces
        certificate_number: "330106 19900101 123x".into(),
        locale: "zh-CN".into(),
        request_id: request_id.into(),
        client_address: "203.0.113.7".into(),
    }
}

fn seed() -> SeedSubject {
    SeedSubject {
        subject_id: SUBJECT_ID,
        filing_number: FILING,
        name: "张伟",
        nature: Nature::Individual,
        region: [PROVINCE, "330100", "330106"],
        certificate_type: CertificateType::ResidentIdCard,
        certificate_number: CERTIFICATE,
        principal_name: "张伟",
        principal_mobile: MOBILE,
        principal_email: EMAIL,
        principal_id_number: None,
        filing_password: OLD_PASSWORD,
        holder_account_id: "acc-t1",
        websites: vec![SeedWebsite {
            website_id: "web-t1",
            website_number: WEBSITE,
            name: "小店",
            domains: vec!["shop-zhang.cn"],
            state: WebsiteState::Active,
            service_number: SERVICE_NUMBER,
        }],
        order_in_progress: None,
    }
}

/// A value of the status's ErrorInfo metadata.
pub fn metadata(status: &Status, key: &str) -> Option<String> {
    status.get_details_error_info().and_then(|info| info.metadata.get(key).cloned())
}

/// The status's RetryInfo delay, if any.
pub fn retry_after(status: &Status) -> Option<Duration> {
    status.get_details_retry_info().and_then(|info| info.retry_delay)
}
