//! Two replicas of every service against one PostgreSQL, as a Kubernetes deployment
//! runs them: ten processes on distinct ports, each replica set calling its own peers,
//! both started at once (their migrations meet under PostgreSQL's advisory lock). Account
//! lookups run through both gateways alternately — a flow started on one gateway goes on
//! on the other — then one replica of every service is killed (SIGKILL) while codes are
//! being sent. Every flow still completes through the survivors; every message is
//! delivered exactly once by message id (the outbox rows the dead replica held are taken
//! over when their lease runs out); every flow got one code and one pair of notices.
//!
//! PostgreSQL only (SQLite is one process's embedded file): on the SQLite pass of the
//! test command this test says so and returns; CI runs it in the PostgreSQL pass.
//!
//! The processes are this test binary started again (`replica_child`, ignored unless
//! `BEIAN_REPLICA_CHILD` names a service), running what each service's `main` runs.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use beian::{Databases, SERVICES};
use beian_load::seed::{self, Filing};
use beian_platform::{
    config::Secret,
    storage::DatabaseLocation,
    testing::{Engine, ScratchDatabases},
};
use beian_proto::gateway::v1::{
    AnswerHumanCheckRequest, CreateHumanCheckRequest, SendAccountLookupCodeRequest, SliderAnswer,
    StartAccountLookupRequest, VerifyAccountLookupCodeRequest,
    account_lookup_service_client::AccountLookupServiceClient, answer_human_check_request::Answer,
    human_check_service_client::HumanCheckServiceClient,
};
use tonic::transport::{Channel, Endpoint};

const CHILD: &str = "BEIAN_REPLICA_CHILD";
const TOKEN: &str = "replica-test-internal-token";
const CODES_KEY: &str = "replica-test-codes-secret-key-0123456789";
const REGISTRY_KEY: &str = "replica-test-registry-secret-key-012345";
/// Lookups in all: the first `BEFORE_KILL` run while both replica sets live.
const FLOWS: usize = 16;
const BEFORE_KILL: usize = 6;
/// Far above anything the run does: the test is about replicas, not limits.
const NO_CAP: &str = "100000";

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
    children: Vec<(&'static str, Child)>,
    gateway: SocketAddr,
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
                "verification-codes",
                vec![
                    ("BEIAN_SECRET_KEY", CODES_KEY.to_owned()),
                    ("BEIAN_DEVELOPMENT", "true".to_owned()),
                    ("BEIAN_MESSAGES_FILE", messages_file(dir, label).display().to_string()),
                    ("BEIAN_OUTBOX_POLL_MS", "100".to_owned()),
                    ("BEIAN_OUTBOX_LEASE_MS", "1500".to_owned()),
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
                    ("BEIAN_REVIEW_EFFECT_LEASE_MS", "1500".to_owned()),
                ],
            ),
        ]);
        let gateway = address("gateway");
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
            let service = SERVICES.iter().copied().find(|s| *s == service).unwrap();
            children.push((service, child));
        }
        Self { label, children, gateway }
    }

    /// SIGKILL: no drain, no goodbye; leases held die with the process.
    fn kill(&mut self) {
        for (_, child) in &mut self.children {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
        self.children.clear();
    }
}

impl Drop for ReplicaSet {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn messages_file(dir: &Path, label: &str) -> PathBuf {
    dir.join(format!("messages-{label}.jsonl"))
}

/// Every message either replica delivered.
fn delivered(dir: &Path) -> Vec<serde_json::Value> {
    ["a", "b"]
        .iter()
        .flat_map(|label| {
            std::fs::read_to_string(messages_file(dir, label))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|line| serde_json::from_str(&line).expect("a JSON line"))
        .collect()
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
async fn human_check_token(
    from: &Channel,
    to: &Channel,
    codes_db: &beian_platform::storage::Database,
) -> String {
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

/// The code delivered to `mobile`, by whichever replica delivered it.
async fn code_sent_to(dir: &Path, mobile: &str) -> String {
    for _ in 0..400 {
        let codes: Vec<String> = delivered(dir)
            .into_iter()
            .filter(|m| {
                m["destination"] == mobile && m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))
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

/// Sends flow `flow_id`'s code through `first`; if that gateway is gone (killed
/// mid-call), the same step again through `second`, as a load balancer would retry.
/// Answers whether the second was needed.
async fn send_code(first: Channel, second: Channel, flow_id: String) -> bool {
    let request = SendAccountLookupCodeRequest { flow_id };
    if AccountLookupServiceClient::new(first).send_account_lookup_code(request.clone()).await.is_ok() {
        return false;
    }
    AccountLookupServiceClient::new(second)
        .send_account_lookup_code(request)
        .await
        .expect("the survivor sends");
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_every_service_lose_nothing_and_deliver_once_when_one_of_each_is_killed() {
    let engine = Engine::from_env().expect("a known engine");
    let Engine::Postgres { admin_url } = &engine else {
        eprintln!(
            "skipped: replicas share PostgreSQL; this test runs in the BEIAN_TEST_DATABASE=postgres pass"
        );
        return;
    };
    let scratch =
        ScratchDatabases::create(&engine, "beian_replicas", &SERVICES).await.expect("scratch databases");
    let base = &admin_url[..admin_url.rfind('/').unwrap()];
    let urls: HashMap<&'static str, String> = SERVICES
        .iter()
        .zip(scratch.postgres_names())
        .map(|(service, name)| (*service, format!("{base}/{name}")))
        .collect();
    let dir = scratch.dir().to_path_buf();

    // both sets at once: ten processes migrating five databases in pairs
    let mut a = ReplicaSet::spawn("a", &urls, &dir);
    let b = ReplicaSet::spawn("b", &urls, &dir);
    let databases =
        Databases::try_from_fn(|service| Ok(DatabaseLocation::url(Secret::new(urls[service].clone()))))
            .unwrap();
    let filings: Vec<Filing> = seed::load(&databases, FLOWS).await.expect("seeded");
    let codes_db =
        verification_codes::Application::open_database(&databases.verification_codes).await.unwrap();
    let gateways = [connect(a.gateway).await, connect(b.gateway).await];

    // every flow starts on one gateway; its steps alternate
    let mut flows = Vec::new();
    for (i, filing) in filings.iter().enumerate() {
        let (one, other) = (&gateways[i % 2], &gateways[(i + 1) % 2]);
        let human_check_token = human_check_token(one, other, &codes_db).await;
        let started = AccountLookupServiceClient::new(one.clone())
            .start_account_lookup(StartAccountLookupRequest {
                domain: filing.domain.clone(),
                human_check_token,
            })
            .await
            .unwrap_or_else(|e| panic!("flow {i} starts on set {}: {e:?}", [a.label, b.label][i % 2]))
            .into_inner();
        flows.push(started.flow_id);
    }
    for i in 0..BEFORE_KILL {
        send_code(gateways[(i + 1) % 2].clone(), gateways[i % 2].clone(), flows[i].clone()).await;
    }

    // the rest of the codes go out while set a dies
    let sends: Vec<_> = (BEFORE_KILL..FLOWS)
        .map(|i| tokio::spawn(send_code(gateways[i % 2].clone(), gateways[1].clone(), flows[i].clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    a.kill();
    let mut retried = 0;
    for send in sends {
        retried += usize::from(send.await.expect("the send task"));
    }

    // every flow completes on the survivors, whichever gateway it started on
    for (i, filing) in filings.iter().enumerate() {
        let code = code_sent_to(&dir, &filing.mobile).await;
        let done = AccountLookupServiceClient::new(gateways[1].clone())
            .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: flows[i].clone(), code })
            .await
            .unwrap_or_else(|e| panic!("flow {i} verifies: {e:?}"))
            .into_inner();
        assert_eq!(done.masked_login_name, beian_common::masking::mask_login_name(&seed::login_name(i)));
    }

    // every message exactly once by id; one code and two notices per flow
    let expected = FLOWS * 3;
    let mut messages = delivered(&dir);
    for _ in 0..400 {
        if messages.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        messages = delivered(&dir);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    messages = delivered(&dir);
    let mut ids: Vec<&str> =
        messages.iter().map(|m| m["message_id"].as_str().expect("a message id")).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "a message was delivered twice");
    for (i, filing) in filings.iter().enumerate() {
        let to_flow = |m: &&serde_json::Value| {
            m["destination"] == filing.mobile.as_str()
                || m["destination"] == format!("load-{i}@example.cn").as_str()
        };
        let codes = messages
            .iter()
            .filter(to_flow)
            .filter(|m| m["template"].as_str().is_some_and(|t| t.starts_with("CODE_")))
            .count();
        let notices = messages
            .iter()
            .filter(to_flow)
            .filter(|m| m["text"].as_str().is_some_and(|t| t.contains(&seed::login_name(i))))
            .count();
        assert_eq!((codes, notices), (1, 2), "flow {i}: {messages:#?}");
    }
    assert_eq!(messages.len(), expected, "nothing else was sent");
    let by_a = std::fs::read_to_string(messages_file(&dir, "a")).unwrap_or_default().lines().count();
    eprintln!(
        "sends retried on the survivor: {retried}; messages delivered by a: {by_a}, by b: {}",
        expected - by_a
    );
    codes_db.close().await;
    drop(b);
}
