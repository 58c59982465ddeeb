//! Two replicas of every service against one PostgreSQL, as a Kubernetes deployment
//! runs them: ten processes on distinct ports, each replica set calling its own peers,
//! both started at once (their migrations meet under PostgreSQL's advisory lock). Each
//! test drives its work through both gateways alternately, SIGKILLs one replica of every
//! service while work is in flight or queued, and checks that the survivors finish it,
//! each piece exactly once:
//!
//! - `lookup.rs`: account lookups (codes and login-name notices through the outbox, flows
//!   moving between gateways);
//! - `workers.rs`: the background workers — staff approvals' effects (identity-recovery),
//!   filing-registry's notice relay and a transfer by review, and legacy imports
//!   (legacy-migration's saga and its resume worker);
//! - `decisions.rs`: legacy claims and legacy login resets decided by staff, rejections of
//!   every kind, orders decided by the regulator's review on either filing-registry
//!   replica, and online transfers, their last steps cut by the kill.
//!
//! PostgreSQL only (SQLite is one process's embedded file): on the SQLite pass of the
//! test command each test says so and returns; CI runs them in the PostgreSQL pass.
//!
//! The processes are this test binary started again (`replica_child`, ignored unless
//! `BEIAN_REPLICA_CHILD` names a service), running what each service's `main` runs.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

mod decisions;
mod imports;
mod legacy_cases;
mod lookup;
mod orders;
mod reviews;
mod transfers;
mod workers;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use beian::{Databases, SERVICES};
use beian_platform::{
    config::Secret,
    storage::{Database, DatabaseLocation},
    testing::{Engine, ScratchDatabases},
};
use beian_proto::gateway::v1::{
    AnswerHumanCheckRequest, CreateHumanCheckRequest, LoginRequest, SliderAnswer,
    account_service_client::AccountServiceClient, answer_human_check_request::Answer,
    human_check_service_client::HumanCheckServiceClient,
};
use sqlx::Row;
use tokio::sync::Mutex;
use tonic::{
    Request,
    transport::{Channel, Endpoint},
};

const CHILD: &str = "BEIAN_REPLICA_CHILD";
const TOKEN: &str = "replica-test-internal-token";
const CODES_KEY: &str = "replica-test-codes-secret-key-0123456789";
const REGISTRY_KEY: &str = "replica-test-registry-secret-key-012345";
/// Far above anything a run does: the tests are about replicas, not limits.
const NO_CAP: &str = "100000";
/// How long a killed replica's leases (outbox, effects, migrations) hold its work.
const LEASE_MS: &str = "1500";
/// How long a login or legacy password check waits for a hashing permit: a batch of them at
/// once on a loaded machine waits rather than being shed with OVERLOADED.
const HASH_WAIT_MS: &str = "10000";

/// One test at a time: each runs ten processes on a 2-core machine, and its kill is timed
/// against work in flight.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A service process: what its binary's `main` does, configured by the environment.
#[test]
#[ignore = "a child process of the replica test, not a test"]
fn replica_child() {
    let Ok(service) = std::env::var(CHILD) else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(beian_tests::child::run_service(&service)).unwrap();
}

/// One replica of each of the five services, calling each other.
struct ReplicaSet {
    label: &'static str,
    children: Vec<Child>,
    gateway: SocketAddr,
    /// filing-registry's internal port, where the regulator's review decides orders.
    registry: SocketAddr,
}

impl ReplicaSet {
    fn spawn(label: &'static str, urls: &HashMap<&'static str, String>, dir: &Path) -> Self {
        let ports: HashMap<&str, std::net::TcpListener> = SERVICES
            .iter()
            .map(|service| (*service, std::net::TcpListener::bind("127.0.0.1:0").unwrap()))
            .collect();
        let address = |service: &str| ports[service].local_addr().unwrap();
        let peers = [
            ("BEIAN_VERIFICATION_CODES_URL", format!("http://{}", address("verification-codes"))),
            ("BEIAN_FILING_REGISTRY_URL", format!("http://{}", address("filing-registry"))),
            ("BEIAN_IDENTITY_RECOVERY_URL", format!("http://{}", address("identity-recovery"))),
            ("BEIAN_LEGACY_MIGRATION_URL", format!("http://{}", address("legacy-migration"))),
        ];
        let own: HashMap<&str, Vec<(&str, String)>> = HashMap::from([
            (
                "gateway",
                vec![
                    ("BEIAN_REVIEW_REQUESTS_PER_CLIENT_PER_DAY", NO_CAP.to_owned()),
                    ("BEIAN_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY", NO_CAP.to_owned()),
                    ("BEIAN_LEGACY_IMPORTS_PER_CLIENT_PER_DAY", NO_CAP.to_owned()),
                ],
            ),
            (
                "verification-codes",
                vec![
                    ("BEIAN_SECRET_KEY", CODES_KEY.to_owned()),
                    ("BEIAN_DEVELOPMENT", "true".to_owned()),
                    ("BEIAN_MESSAGES_FILE", messages_file(dir, label).display().to_string()),
                    ("BEIAN_OUTBOX_POLL_MS", "100".to_owned()),
                    ("BEIAN_OUTBOX_LEASE_MS", LEASE_MS.to_owned()),
                    ("BEIAN_CODE_RESEND_COOLDOWN_SECS", "0".to_owned()),
                    ("BEIAN_CODE_DESTINATION_PER_HOUR", NO_CAP.to_owned()),
                    ("BEIAN_CODE_DESTINATION_PER_DAY", NO_CAP.to_owned()),
                    ("BEIAN_CODE_CLIENT_PER_HOUR", NO_CAP.to_owned()),
                    ("BEIAN_CODE_CLIENT_PER_DAY", NO_CAP.to_owned()),
                    ("BEIAN_CODE_MOBILE_PREFIX_PER_HOUR", NO_CAP.to_owned()),
                    ("BEIAN_CODE_EMAIL_DOMAIN_PER_HOUR", NO_CAP.to_owned()),
                    ("BEIAN_HUMAN_CHECK_CLIENT_PER_MINUTE", NO_CAP.to_owned()),
                ],
            ),
            ("filing-registry", vec![("BEIAN_SECRET_KEY", REGISTRY_KEY.to_owned())]),
            (
                "identity-recovery",
                vec![
                    ("BEIAN_REVIEW_EFFECT_POLL_MS", "100".to_owned()),
                    ("BEIAN_REVIEW_EFFECT_LEASE_MS", LEASE_MS.to_owned()),
                    ("BEIAN_REVIEW_EFFECT_RETRY_MS", "200".to_owned()),
                    // exactly-once is the subject here, not shedding: batches of logins wait
                    ("BEIAN_PASSWORD_HASH_WAIT_MS", HASH_WAIT_MS.to_owned()),
                ],
            ),
            (
                "legacy-migration",
                vec![
                    ("BEIAN_MIGRATION_POLL_MS", "100".to_owned()),
                    ("BEIAN_MIGRATION_LEASE_MS", LEASE_MS.to_owned()),
                    ("BEIAN_MIGRATION_RETRY_MS", "200".to_owned()),
                    ("BEIAN_PASSWORD_HASH_WAIT_MS", HASH_WAIT_MS.to_owned()),
                ],
            ),
        ]);
        let (gateway, registry) = (address("gateway"), address("filing-registry"));
        let mut children = Vec::new();
        // each port is let go just before its process binds it
        for (service, listener) in ports {
            let listen = listener.local_addr().unwrap();
            drop(listener);
            let log = std::fs::File::create(dir.join(format!("{label}-{service}.log"))).unwrap();
            let child = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "replica_child", "--ignored", "--nocapture", "--test-threads=1"])
                .env_clear()
                .env(CHILD, service)
                .env("BEIAN_LISTEN_ADDR", listen.to_string())
                .env("BEIAN_DATABASE_URL", &urls[service])
                .env("BEIAN_DATA_DIR", dir)
                .env("BEIAN_INTERNAL_TOKEN", TOKEN)
                .env("BEIAN_LOG", "warn")
                .env("BEIAN_PEER_TIMEOUT_MS", "3000")
                .envs(peers.iter().map(|(k, v)| (*k, v.as_str())))
                .envs(own.get(service).into_iter().flatten().map(|(k, v)| (*k, v.as_str())))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("the child starts");
            children.push(child);
        }
        Self { label, children, gateway, registry }
    }

    /// SIGKILL: no drain, no goodbye; leases held die with the process.
    fn kill(&mut self) {
        for child in &mut self.children {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
        self.children.clear();
    }
}

impl Drop for ReplicaSet {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Both replica sets on fresh databases of their own, a channel to each gateway.
struct Replicas {
    a: ReplicaSet,
    b: ReplicaSet,
    /// Set a's gateway, then set b's.
    gateways: [Channel; 2],
    databases: Databases,
    dir: PathBuf,
    /// Dropped last: the processes die before their databases go.
    _scratch: ScratchDatabases,
}

impl Replicas {
    /// Both sets at once: ten processes migrating five databases in pairs. None on SQLite
    /// (said on stderr).
    async fn start(prefix: &str) -> Option<Self> {
        let engine = Engine::from_env().expect("a known engine");
        let Engine::Postgres { admin_url } = &engine else {
            eprintln!(
                "skipped: replicas share PostgreSQL; this test runs in the BEIAN_TEST_DATABASE=postgres pass"
            );
            return None;
        };
        let scratch = ScratchDatabases::create(&engine, prefix, &SERVICES).await.expect("scratch databases");
        let base = &admin_url[..admin_url.rfind('/').unwrap()];
        let urls: HashMap<&'static str, String> = SERVICES
            .iter()
            .zip(scratch.postgres_names())
            .map(|(service, name)| (*service, format!("{base}/{name}")))
            .collect();
        let dir = scratch.dir().to_path_buf();
        let a = ReplicaSet::spawn("a", &urls, &dir);
        let b = ReplicaSet::spawn("b", &urls, &dir);
        let databases =
            Databases::try_from_fn(|service| Ok(DatabaseLocation::url(Secret::new(urls[service].clone()))))
                .unwrap();
        let gateways = [connect(a.gateway).await, connect(b.gateway).await];
        Some(Self { a, b, gateways, databases, dir, _scratch: scratch })
    }

    /// verification-codes' database, where the slider answers are.
    async fn codes_db(&self) -> Database {
        verification_codes::Application::open_database(&self.databases.verification_codes).await.unwrap()
    }

    /// Every message either replica delivered, in the order each wrote them.
    fn delivered(&self) -> Vec<serde_json::Value> {
        ["a", "b"]
            .iter()
            .flat_map(|label| {
                std::fs::read_to_string(messages_file(&self.dir, label))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .map(|line| serde_json::from_str(&line).expect("a JSON line"))
            .collect()
    }

    /// The one code delivered to `mobile`, by whichever replica delivered it (waits up to
    /// 20 s; two codes fail the test).
    async fn code_sent_to(&self, mobile: &str) -> String {
        for _ in 0..400 {
            let codes: Vec<String> = self
                .delivered()
                .into_iter()
                .filter(|m| {
                    m["destination"] == mobile
                        && m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))
                })
                .filter_map(|m| m["params"]["code"].as_str().map(str::to_owned))
                .collect();
            if let [code] = codes.as_slice() {
                return code.clone();
            }
            assert!(codes.len() < 2, "two codes went to one flow's mobile: {codes:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no code reached {mobile}");
    }

    /// Waits (up to 20 s) until `count` messages arrived, then a lease and more: a
    /// message delivered twice would show by then.
    async fn settled_messages(&self, count: usize) -> Vec<serde_json::Value> {
        for _ in 0..400 {
            if self.delivered().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.delivered()
    }
}

/// `sql`'s one row's `n`.
async fn count(db: &Database, sql: &'static str) -> i64 {
    sqlx::query(sql).fetch_one(db.reader()).await.unwrap().get("n")
}

/// A message as (template, destination, what it is about: the case, order or filing number
/// among its parameters, empty for a code).
type Owed = (&'static str, String, String);

/// `messages` once per message id: a dispatcher killed between delivering a message and
/// recording it repeats it under the same id, which the provider drops.
fn distinct(messages: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    let mut distinct: Vec<&serde_json::Value> = Vec::new();
    for message in messages {
        if !distinct.iter().any(|m| m["message_id"] == message["message_id"]) {
            distinct.push(message);
        }
    }
    distinct
}

/// A delivered message in the terms of [`Owed`], sorted so lists compare as multisets.
fn sorted_as_owed(messages: &[&serde_json::Value]) -> Vec<(String, String, String)> {
    let mut owed: Vec<(String, String, String)> = messages
        .iter()
        .map(|m| {
            let params = &m["params"];
            let about = ["case_number", "order_number", "filing_number"]
                .iter()
                .find_map(|key| params[key].as_str())
                .unwrap_or_default();
            (
                m["template"].as_str().unwrap_or_default().to_owned(),
                m["destination"].as_str().unwrap_or_default().to_owned(),
                about.to_owned(),
            )
        })
        .collect();
    owed.sort();
    owed
}

fn messages_file(dir: &Path, label: &str) -> PathBuf {
    dir.join(format!("messages-{label}.jsonl"))
}

async fn connect(address: SocketAddr) -> Channel {
    for _ in 0..600 {
        if let Ok(channel) = Endpoint::from_shared(format!("http://{address}")).unwrap().connect().await {
            return channel;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listened on {address}");
}

/// A human-check pass: challenge from one gateway, answer through the other.
async fn human_check_token(from: &Channel, to: &Channel, codes_db: &Database) -> String {
    let challenge = HumanCheckServiceClient::new(from.clone())
        .create_human_check(CreateHumanCheckRequest {})
        .await
        .expect("a challenge")
        .into_inner();
    let x = verification_codes::dev::slider_answer(codes_db, &challenge.challenge_id).await.unwrap().unwrap();
    HumanCheckServiceClient::new(to.clone())
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

/// A session of the synthetic account `login_name` (every one has the load seed's password).
async fn log_in(gateway: Channel, login_name: String) -> String {
    AccountServiceClient::new(gateway)
        .login(LoginRequest { login_name, password: beian_load::seed::PASSWORD.into() })
        .await
        .expect("a synthetic login")
        .into_inner()
        .session_token
}

/// A request carrying a session.
fn bearer<T>(message: T, session: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {session}").parse().unwrap());
    request
}
