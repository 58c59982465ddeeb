//! The harness of the suite-level tests: starts all five services in-process
//! on ephemeral ports, each with a fresh database of the engine under test.
//!
//! The engine comes from `BEIAN_TEST_DATABASE` (see
//! `beian_platform::testing::Engine`); the databases are dropped with the
//! suite, also when a test panics.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test harness: a failure is a test failure")]

pub mod child;

use std::net::SocketAddr;

use beian::{Addresses, Databases, RunningSuite, SERVICES, SuiteSettings};
pub use beian_platform::testing::{Engine, reason};
use beian_platform::{
    config::Secret, host::auth::INTERNAL_TOKEN_HEADER, storage::DatabaseLocation, testing::ScratchDatabases,
};
use tonic::{
    metadata::MetadataValue,
    transport::{Channel, Endpoint},
};

/// The five services, serving, with fresh databases.
#[derive(Debug)]
pub struct TestSuite {
    running: Option<RunningSuite>,
    addresses: Addresses,
    token: Secret,
    engine: Engine,
    /// Where verification-codes keeps its challenges, for peeking at slider answers.
    verification_codes_db: DatabaseLocation,
    /// Dropped last: the services stop (or are abandoned by a panic) before their databases go.
    scratch: ScratchDatabases,
}

impl TestSuite {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the suite after `customise` adjusts its settings (limits, demo data…).
    pub async fn start_with(customise: impl FnOnce(&mut SuiteSettings)) -> Self {
        let engine = Engine::from_env().expect("a known engine");
        let scratch = ScratchDatabases::create(&engine, "beian_test", &SERVICES)
            .await
            .unwrap_or_else(|e| panic!("scratch databases on {engine:?}: {e:#}"));
        let databases = Databases::try_from_fn(|service| scratch.location(service)).expect("one per service");
        let verification_codes_db = databases.verification_codes.clone();
        let mut settings = SuiteSettings::new(Addresses::ephemeral(), databases, scratch.dir().to_path_buf());
        // tests poll GetReviewStatus while effects apply; the quota has a test of its own
        settings.review_status_lookups_per_client_per_day = 10_000;
        settings.legacy_imports_per_client_per_day = 10_000;
        customise(&mut settings);
        let token = settings.internal_token.clone();
        let running = RunningSuite::start(settings).await.expect("the suite starts");
        Self {
            addresses: running.addresses(),
            running: Some(running),
            token,
            engine,
            verification_codes_db,
            scratch,
        }
    }

    /// Every message the suite delivered so far (the file sink, one JSON object a line).
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let path = self.scratch.dir().join("messages.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// Waits (up to 10 s: delivery is asynchronous) until `count` messages match.
    pub async fn wait_for_messages(
        &self,
        count: usize,
        matches: impl Fn(&serde_json::Value) -> bool,
    ) -> Vec<serde_json::Value> {
        for _ in 0..200 {
            let found: Vec<_> = self.messages().into_iter().filter(|m| matches(m)).collect();
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("fewer than {count} matching messages arrived: {:#?}", self.messages());
    }

    /// The 6 digits of the newest code delivered to `destination`.
    pub async fn code_sent_to(&self, destination: &str, nth: usize) -> String {
        let codes = self
            .wait_for_messages(nth, |m| {
                m["destination"] == destination
                    && m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))
            })
            .await;
        let text = codes[nth - 1]["text"].as_str().expect("text");
        let code = six_digits(text).unwrap_or_else(|| panic!("no code in {text:?}"));
        assert_eq!(codes[nth - 1]["params"]["code"], code.as_str(), "the text carries the code");
        code
    }

    /// Where the slider piece fits — read from verification-codes' own
    /// database, as only a test or a developer may: it never leaves the service.
    pub async fn slider_answer(&self, challenge_id: &str) -> i32 {
        let db = verification_codes::Application::open_database(&self.verification_codes_db)
            .await
            .expect("its database");
        let answer = verification_codes::dev::slider_answer(&db, challenge_id).await;
        db.close().await;
        answer.expect("readable").expect("an unanswered challenge")
    }

    /// A fresh human-check pass, earned through the gateway like a browser would.
    pub async fn human_check_token(&self) -> String {
        use beian_proto::gateway::v1::{
            AnswerHumanCheckRequest, CreateHumanCheckRequest, SliderAnswer,
            answer_human_check_request::Answer, human_check_service_client::HumanCheckServiceClient,
        };
        let mut human = HumanCheckServiceClient::new(self.gateway().await);
        let challenge =
            human.create_human_check(CreateHumanCheckRequest {}).await.expect("challenge").into_inner();
        let x = self.slider_answer(&challenge.challenge_id).await;
        human
            .answer_human_check(AnswerHumanCheckRequest {
                answer: Some(Answer::Slider(SliderAnswer {
                    challenge_id: challenge.challenge_id,
                    x,
                    drag_millis: 900,
                })),
            })
            .await
            .expect("a right answer passes")
            .into_inner()
            .human_check_token
    }

    /// Where a service of this suite keeps its data, to open beside it (seeding, checks).
    pub fn database(&self, service: &str) -> DatabaseLocation {
        self.scratch.location(service).expect("a scratch database per service")
    }

    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    /// Each service's admin port, when the settings asked for them.
    pub fn admin_addresses(&self) -> Option<Addresses> {
        self.running.as_ref().and_then(RunningSuite::admin_addresses)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A plain channel, as a front end or an outsider would open it.
    pub async fn channel(&self, address: SocketAddr) -> Channel {
        Endpoint::from_shared(format!("http://{address}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connects")
    }

    pub async fn gateway(&self) -> Channel {
        self.channel(self.addresses.gateway).await
    }

    /// The suite's credential, as metadata for calls to internal services.
    pub fn credential(&self) -> (&'static str, MetadataValue<tonic::metadata::Ascii>) {
        (INTERNAL_TOKEN_HEADER, self.token.expose().parse().expect("ascii token"))
    }

    /// Stops every service (draining); the databases go when `self` drops.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("the suite stops cleanly");
        }
    }

    /// The scratch databases and directory of this suite.
    pub fn scratch(&self) -> &ScratchDatabases {
        &self.scratch
    }
}

/// A request carrying the suite's credential.
pub fn with_credential<T>(suite: &TestSuite, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let (key, value) = suite.credential();
    request.metadata_mut().insert(key, value);
    request
}

/// The first run of exactly six digits in `text`.
pub fn six_digits(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).enumerate().find_map(|(i, w)| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 6);
        (w.iter().all(char::is_ascii_digit)
            && !before.is_some_and(|c| c.is_ascii_digit())
            && !after.is_some_and(char::is_ascii_digit))
        .then(|| w.iter().collect())
    })
}
