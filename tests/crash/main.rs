//! Real crashes between a staff decision and its effect: identity-recovery or
//! verification-codes runs as a process of its own and is killed (SIGKILL, no drain),
//! then started again on the same SQLite file. The approved case's login-name notices
//! reach the file sink exactly once per channel, and the case ends COMPLETED. An approved
//! offline transfer moves the subject exactly once in a filing-registry stand-in that
//! records its calls by case number, however often identity-recovery died on the way.
//!
//! An online transfer (TransferSubject) survives filing-registry killed while transfers
//! are in flight: after the restart and a retry of each, every subject is held by exactly
//! its target, each transfer recorded once, and each side told once.
//!
//! The processes are this test binary started again (`service_child`, ignored unless
//! `BEIAN_CRASH_CHILD` names a service), running what each service's `main` runs: its
//! settings from the environment, `Application::build`, `run_until(shutdown signal)`.
//! (Cargo hands a test the path of its own package's binaries only.)
//!
//! The legacy import saga survives legacy-migration and filing-registry killed between
//! its steps (`legacy_import.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

mod legacy_import;

use std::{
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use beian_platform::storage::DatabaseLocation;
use beian_proto::{
    common::v1::{Applicant, Document, DocumentKind, ReviewKind, ReviewState, SubjectNature},
    filing_registry::v1::{
        self as registry,
        filing_registry_internal_service_server::{
            FilingRegistryInternalService, FilingRegistryInternalServiceServer,
        },
    },
    identity_recovery::v1::{
        DecideReviewCaseRequest, GetReviewStatusRequest, OpenReviewCaseRequest, ReviewSubject,
        identity_recovery_service_client::IdentityRecoveryServiceClient,
    },
};
use beian_proto::{
    common::v1::{Channel as ProtoChannel, Purpose},
    filing_registry::v1::filing_registry_service_client::FilingRegistryServiceClient,
    verification_codes::v1::{
        CheckCodeRequest, SendCodeRequest, verification_codes_service_client::VerificationCodesServiceClient,
    },
};
use filing_registry::{
    seed::{SeedSubject, SeedWebsite},
    subjects::{CertificateType, Nature, WebsiteState},
};
use identity_recovery::{accounts::Site, seed::SeedAccount};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};
use tonic::{Request, Response, Status, transport::Channel};

const TOKEN: &str = "crash-test-internal-token";
const SECRET_KEY: &str = "crash-test-secret-key-0123456789abcdef";
const CHILD: &str = "BEIAN_CRASH_CHILD";
const HOLDER: &str = "acc-holder";
/// The holder account's bound contacts: where an approved lookup sends its login name.
const HOLDER_MOBILE: &str = "15212341234";
const HOLDER_EMAIL: &str = "holder@example.com";
const APPLICANT_MOBILE: &str = "13912340000";
const APPLICANT_EMAIL: &str = "applicant@example.net";

/// A service process: what its binary's `main` does, configured by the environment.
#[test]
#[ignore = "a child process of the crash tests, not a test"]
fn service_child() {
    let Ok(service) = std::env::var(CHILD) else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(beian_tests::child::run_service(&service)).unwrap();
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn spawn(service: &str, dir: &Path, listen: SocketAddr, extra: &[(&str, String)]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "service_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env(CHILD, service)
        .env("BEIAN_LISTEN_ADDR", listen.to_string())
        .env("BEIAN_DATA_DIR", dir)
        .env("BEIAN_INTERNAL_TOKEN", TOKEN)
        .env("BEIAN_LOG", "warn")
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts")
}

/// verification-codes in a development run: messages go to `<dir>/messages.jsonl`.
fn spawn_codes(dir: &Path, listen: SocketAddr) -> Child {
    spawn(
        "verification-codes",
        dir,
        listen,
        &[
            ("BEIAN_SECRET_KEY", SECRET_KEY.into()),
            ("BEIAN_DEVELOPMENT", "true".into()),
            ("BEIAN_OUTBOX_POLL_MS", "100".into()),
        ],
    )
}

/// identity-recovery calling verification-codes at `codes`; effects leased for 1.5 s.
fn spawn_identity(dir: &Path, listen: SocketAddr, codes: SocketAddr) -> Child {
    spawn_identity_with_registry(dir, listen, codes, "http://127.0.0.1:1")
}

/// The same, calling filing-registry at `registry_url`.
fn spawn_identity_with_registry(
    dir: &Path,
    listen: SocketAddr,
    codes: SocketAddr,
    registry_url: &str,
) -> Child {
    spawn(
        "identity-recovery",
        dir,
        listen,
        &[
            ("BEIAN_VERIFICATION_CODES_URL", format!("http://{codes}")),
            ("BEIAN_FILING_REGISTRY_URL", registry_url.to_owned()),
            ("BEIAN_PEER_TIMEOUT_MS", "30000".into()),
            ("BEIAN_REVIEW_EFFECT_POLL_MS", "100".into()),
            ("BEIAN_REVIEW_EFFECT_LEASE_MS", "1500".into()),
            ("BEIAN_REVIEW_EFFECT_RETRY_MS", "200".into()),
        ],
    )
}

fn kill(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

/// The holder's account, loaded into identity-recovery's file before it starts.
async fn seed_holder(dir: &Path) {
    let db = identity_recovery::Application::open_database(&DatabaseLocation::sqlite_file(
        dir,
        identity_recovery::NAME,
    ))
    .await
    .unwrap();
    let holder = SeedAccount {
        account_id: HOLDER,
        login_name: "holder2019",
        site: Site::Cn,
        mobile: HOLDER_MOBILE,
        email: HOLDER_EMAIL,
        password: "Demo#2026pass",
        staff: false,
    };
    identity_recovery::seed::insert_accounts(&db, &[holder]).await.unwrap();
    db.close().await;
}

async fn identity(listen: SocketAddr) -> IdentityRecoveryServiceClient<Channel> {
    for _ in 0..300 {
        if let Ok(channel) =
            tonic::transport::Endpoint::from_shared(format!("http://{listen}")).unwrap().connect().await
        {
            return IdentityRecoveryServiceClient::new(channel);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("identity-recovery never listened on {listen}");
}

fn credential<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("x-beian-internal-token", TOKEN.parse().unwrap());
    request
}

/// Opens an account lookup case for the holder's filing and approves it.
async fn open_and_approve(listen: SocketAddr) -> String {
    let mut client = identity(listen).await;
    let case = client
        .open_review_case(credential(OpenReviewCaseRequest {
            kind: ReviewKind::AccountLookup as i32,
            applicant: Some(Applicant {
                name: "张伟".into(),
                mobile: APPLICANT_MOBILE.into(),
                email: APPLICANT_EMAIL.into(),
                ..Applicant::default()
            }),
            subject: Some(ReviewSubject {
                domain: "crash.example.cn".into(),
                account_id: HOLDER.into(),
                ..ReviewSubject::default()
            }),
            documents: vec![],
            locale: "zh-CN".into(),
            request_id: "crash-review-1".into(),
        }))
        .await
        .expect("opened")
        .into_inner()
        .review_case
        .unwrap();
    client
        .decide_review_case(credential(DecideReviewCaseRequest {
            case_number: case.case_number.clone(),
            staff_id: "reviewer01".into(),
            approve: true,
            note: String::new(),
        }))
        .await
        .expect("approved");
    case.case_number
}

async fn state(listen: SocketAddr, case_number: &str) -> i32 {
    identity(listen)
        .await
        .get_review_status(credential(GetReviewStatusRequest {
            case_number: case_number.into(),
            applicant_mobile: APPLICANT_MOBILE.into(),
        }))
        .await
        .expect("status")
        .into_inner()
        .status
        .unwrap()
        .state
}

async fn wait_for_completed(listen: SocketAddr, case_number: &str) {
    for _ in 0..300 {
        if state(listen, case_number).await == ReviewState::Completed as i32 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{case_number} never completed");
}

/// The login-name notices in the file sink, as (destination, message id).
fn login_name_messages(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("messages.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|m| m["template"] == "LOGIN_NAME")
        .map(|m| {
            (m["destination"].as_str().unwrap().to_owned(), m["message_id"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn wait_for_messages(dir: &Path, count: usize) -> Vec<(String, String)> {
    for _ in 0..300 {
        let found = login_name_messages(dir);
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} login-name messages: {:?}", login_name_messages(dir));
}

/// Exactly one notice per channel, to the holder's bound contacts, however often the
/// effect was tried.
async fn assert_sent_once(dir: &Path) {
    wait_for_messages(dir, 2).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let mut sent = login_name_messages(dir);
    sent.sort();
    let destinations: Vec<&str> = sent.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(destinations, [HOLDER_MOBILE, HOLDER_EMAIL], "once per channel: {sent:?}");
    assert_ne!(sent[0].1, sent[1].1);
}

/// A TCP relay to `upstream` that passes requests on and drops every answer: the peer
/// acts on the call, the caller never hears back (a lost answer).
async fn answer_dropping_relay(upstream: SocketAddr) -> (SocketAddr, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let relayed = Arc::new(Mutex::new(0usize));
    let count = relayed.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await else { continue };
            let count = count.clone();
            tokio::spawn(async move {
                let (mut in_read, _in_write) = inbound.split();
                let (mut out_read, mut out_write) = outbound.split();
                let mut up = [0u8; 16 * 1024];
                let mut down = [0u8; 16 * 1024];
                loop {
                    tokio::select! {
                        n = in_read.read(&mut up) => match n {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                *count.lock().unwrap() += n;
                                if out_write.write_all(&up[..n]).await.is_err() { break; }
                            }
                        },
                        // the answers are read and thrown away
                        n = out_read.read(&mut down) => if matches!(n, Ok(0) | Err(_)) { break },
                    }
                }
            });
        }
    });
    (address, relayed)
}

#[tokio::test]
async fn identity_recovery_killed_after_the_effect_reached_verification_codes_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    seed_holder(dir.path()).await;
    let codes_listen = free_port();
    let codes = spawn_codes(dir.path(), codes_listen);
    let (relay, _) = answer_dropping_relay(codes_listen).await;

    // the first identity-recovery queues the notices but never hears that it did
    let identity_listen = free_port();
    let first = spawn_identity(dir.path(), identity_listen, relay);
    let case_number = open_and_approve(identity_listen).await;
    wait_for_messages(dir.path(), 1).await;
    assert_eq!(state(identity_listen, &case_number).await, ReviewState::Approved as i32);
    kill(first);

    let second = spawn_identity(dir.path(), identity_listen, codes_listen);
    wait_for_completed(identity_listen, &case_number).await;
    assert_sent_once(dir.path()).await;
    kill(second);
    kill(codes);
}

#[tokio::test]
async fn identity_recovery_killed_before_the_effect_applies_it_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    seed_holder(dir.path()).await;
    let codes_listen = free_port();
    let codes = spawn_codes(dir.path(), codes_listen);
    // a peer that accepts the connection and never answers: the effect hangs in flight
    let black_hole = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let black_hole_address = black_hole.local_addr().unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    let holding = held.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = black_hole.accept().await {
            holding.lock().unwrap().push(stream);
        }
    });

    let identity_listen = free_port();
    let first = spawn_identity(dir.path(), identity_listen, black_hole_address);
    let case_number = open_and_approve(identity_listen).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(login_name_messages(dir.path()).is_empty());
    kill(first);

    let second = spawn_identity(dir.path(), identity_listen, codes_listen);
    wait_for_completed(identity_listen, &case_number).await;
    assert_sent_once(dir.path()).await;
    kill(second);
    kill(codes);
}

#[tokio::test]
async fn verification_codes_killed_between_the_decision_and_the_effect_delays_it_without_doubling() {
    let dir = tempfile::tempdir().unwrap();
    seed_holder(dir.path()).await;
    let codes_listen = free_port();
    let codes = spawn_codes(dir.path(), codes_listen);
    let identity_listen = free_port();
    let recovery = spawn_identity(dir.path(), identity_listen, codes_listen);
    // verification-codes dies before the decision: the effect fails and is retried
    identity(identity_listen).await;
    kill(codes);
    let case_number = open_and_approve(identity_listen).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(state(identity_listen, &case_number).await, ReviewState::Approved as i32);

    let codes = spawn_codes(dir.path(), codes_listen);
    wait_for_completed(identity_listen, &case_number).await;
    assert_sent_once(dir.path()).await;
    kill(recovery);
    kill(codes);
}

/// filing-registry's TransferSubjectByReview as these tests need it: a subject moves once
/// per case number (a retry answers the first change); while `hold` is set a call moves
/// it and is then never answered (the answer is lost in flight). Every call recorded.
#[derive(Clone, Default)]
struct TransferRegistry {
    state: Arc<Mutex<Transfers>>,
}

#[derive(Default)]
struct Transfers {
    /// The case number of every call, in order.
    calls: Vec<String>,
    /// The case numbers whose subject moved.
    moved: Vec<String>,
    hold: bool,
}

impl TransferRegistry {
    async fn start(hold: bool) -> (Self, SocketAddr) {
        let registry = Self::default();
        registry.state.lock().unwrap().hold = hold;
        let listen = free_port();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(FilingRegistryInternalServiceServer::new(registry.clone()))
                .serve(listen),
        );
        (registry, listen)
    }

    fn release(&self) {
        self.state.lock().unwrap().hold = false;
    }

    fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    fn moved(&self) -> Vec<String> {
        self.state.lock().unwrap().moved.clone()
    }

    async fn wait_for_calls(&self, count: usize) {
        for _ in 0..300 {
            if self.calls().len() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {count} transfer calls: {:?}", self.calls());
    }
}

fn not_here<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("not part of the stand-in"))
}

#[tonic::async_trait]
impl FilingRegistryInternalService for TransferRegistry {
    async fn get_filing_contact(
        &self,
        _request: Request<registry::GetFilingContactRequest>,
    ) -> Result<Response<registry::GetFilingContactResponse>, Status> {
        not_here()
    }

    async fn get_account_filing_state(
        &self,
        _request: Request<registry::GetAccountFilingStateRequest>,
    ) -> Result<Response<registry::GetAccountFilingStateResponse>, Status> {
        not_here()
    }

    async fn match_subject_details(
        &self,
        _request: Request<registry::MatchSubjectDetailsRequest>,
    ) -> Result<Response<registry::MatchSubjectDetailsResponse>, Status> {
        not_here()
    }

    async fn adopt_legacy_subject(
        &self,
        _request: Request<registry::AdoptLegacySubjectRequest>,
    ) -> Result<Response<registry::AdoptLegacySubjectResponse>, Status> {
        not_here()
    }

    async fn transfer_subject_by_review(
        &self,
        request: Request<registry::TransferSubjectByReviewRequest>,
    ) -> Result<Response<registry::TransferSubjectByReviewResponse>, Status> {
        let case_number = request.into_inner().case_number;
        let hold = {
            let mut state = self.state.lock().unwrap();
            state.calls.push(case_number.clone());
            if !state.moved.contains(&case_number) {
                state.moved.push(case_number.clone());
            }
            state.hold
        };
        if hold {
            std::future::pending::<()>().await;
        }
        Ok(Response::new(registry::TransferSubjectByReviewResponse {
            change_id: format!("change-{case_number}"),
        }))
    }

    async fn check_filing_password(
        &self,
        _request: Request<registry::CheckFilingPasswordRequest>,
    ) -> Result<Response<registry::CheckFilingPasswordResponse>, Status> {
        not_here()
    }

    async fn decide_order(
        &self,
        _request: Request<registry::DecideOrderRequest>,
    ) -> Result<Response<registry::DecideOrderResponse>, Status> {
        not_here()
    }

    async fn issue_filing_password_by_review(
        &self,
        _request: Request<registry::IssueFilingPasswordByReviewRequest>,
    ) -> Result<Response<registry::IssueFilingPasswordByReviewResponse>, Status> {
        not_here()
    }
}

/// Opens an offline transfer of 浙ICP备19012345号 to the holder's account and approves it.
async fn open_and_approve_transfer(listen: SocketAddr) -> String {
    let png = |kind: DocumentKind| Document {
        kind: kind as i32,
        content_type: "image/png".into(),
        content: vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
    };
    let mut client = identity(listen).await;
    let case = client
        .open_review_case(credential(OpenReviewCaseRequest {
            kind: ReviewKind::OfflineTransfer as i32,
            applicant: Some(Applicant {
                name: "张伟".into(),
                mobile: APPLICANT_MOBILE.into(),
                ..Applicant::default()
            }),
            subject: Some(ReviewSubject {
                filing_number: "浙ICP备19012345号".into(),
                nature: SubjectNature::Individual as i32,
                target_account_id: HOLDER.into(),
                ..ReviewSubject::default()
            }),
            documents: vec![
                png(DocumentKind::IdCardFront),
                png(DocumentKind::IdCardBack),
                png(DocumentKind::HalfBodyWithIdCard),
            ],
            locale: "zh-CN".into(),
            request_id: "crash-transfer-1".into(),
        }))
        .await
        .expect("opened")
        .into_inner()
        .review_case
        .unwrap();
    client
        .decide_review_case(credential(DecideReviewCaseRequest {
            case_number: case.case_number.clone(),
            staff_id: "reviewer01".into(),
            approve: true,
            note: String::new(),
        }))
        .await
        .expect("approved");
    case.case_number
}

#[tokio::test]
async fn identity_recovery_killed_while_the_transfer_is_in_flight_moves_the_subject_once() {
    let dir = tempfile::tempdir().unwrap();
    seed_holder(dir.path()).await;
    let (registry, registry_listen) = TransferRegistry::start(true).await;
    let registry_url = format!("http://{registry_listen}");
    let nowhere = "127.0.0.1:1".parse().unwrap();

    // the first identity-recovery asks for the transfer, which happens, but never hears so
    let identity_listen = free_port();
    let first = spawn_identity_with_registry(dir.path(), identity_listen, nowhere, &registry_url);
    let case_number = open_and_approve_transfer(identity_listen).await;
    registry.wait_for_calls(1).await;
    assert_eq!(state(identity_listen, &case_number).await, ReviewState::Approved as i32);
    kill(first);

    registry.release();
    let second = spawn_identity_with_registry(dir.path(), identity_listen, nowhere, &registry_url);
    wait_for_completed(identity_listen, &case_number).await;
    let calls = registry.calls();
    assert!(calls.len() >= 2 && calls.iter().all(|c| *c == case_number), "retried under the case: {calls:?}");
    assert_eq!(registry.moved(), [case_number], "exactly one effective transfer");
    kill(second);
}

#[tokio::test]
async fn identity_recovery_killed_before_the_transfer_reached_filing_registry_makes_it_once_after_the_restart()
 {
    let dir = tempfile::tempdir().unwrap();
    seed_holder(dir.path()).await;
    let nowhere = "127.0.0.1:1".parse().unwrap();

    // filing-registry is down while the first identity-recovery approves: nothing moves
    let identity_listen = free_port();
    let first = spawn_identity_with_registry(dir.path(), identity_listen, nowhere, "http://127.0.0.1:1");
    let case_number = open_and_approve_transfer(identity_listen).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(state(identity_listen, &case_number).await, ReviewState::Approved as i32);
    kill(first);

    let (registry, registry_listen) = TransferRegistry::start(false).await;
    let second = spawn_identity_with_registry(
        dir.path(),
        identity_listen,
        nowhere,
        &format!("http://{registry_listen}"),
    );
    wait_for_completed(identity_listen, &case_number).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(registry.calls(), std::slice::from_ref(&case_number), "one call once the owner is up");
    assert_eq!(registry.moved(), [case_number]);
    kill(second);
}

/// Transfers raced against a kill: holder `i` moves its subject to target `i`.
const TRANSFERS: usize = 5;
/// The later transfers start this far apart, and the kill comes after the first of them
/// had about the time one takes here (~25 ms).
const STAGGER_MS: u64 = 8;
const KILL_AFTER_MS: u64 = 30;

fn holder_id(i: usize) -> String {
    format!("acc-h{i}")
}

fn target_id(i: usize) -> String {
    format!("acc-t{i}")
}

fn holder_mobile(i: usize) -> String {
    format!("1521234100{i}")
}

fn target_mobile(i: usize) -> String {
    format!("1391234100{i}")
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The holders and targets in identity-recovery's file, the holders' subjects in
/// filing-registry's, before either starts.
async fn seed_transfers(dir: &Path) {
    let db = identity_recovery::Application::open_database(&DatabaseLocation::sqlite_file(
        dir,
        identity_recovery::NAME,
    ))
    .await
    .unwrap();
    let accounts: Vec<SeedAccount> = (0..TRANSFERS)
        .flat_map(|i| [(holder_id(i), holder_mobile(i)), (target_id(i), target_mobile(i))])
        .map(|(id, mobile)| SeedAccount {
            account_id: leak(id.clone()),
            login_name: leak(format!("login-{id}")),
            site: Site::Cn,
            mobile: leak(mobile),
            email: leak(format!("{id}@example.com")),
            password: "Demo#2026pass",
            staff: false,
        })
        .collect();
    identity_recovery::seed::insert_accounts(&db, &accounts).await.unwrap();
    db.close().await;

    let db = filing_registry::Application::open_database(&DatabaseLocation::sqlite_file(
        dir,
        filing_registry::NAME,
    ))
    .await
    .unwrap();
    let subjects: Vec<SeedSubject> = (0..TRANSFERS)
        .map(|i| SeedSubject {
            subject_id: leak(format!("sub-{i}")),
            filing_number: leak(format!("浙ICP备1901234{i}号")),
            name: "张伟",
            nature: Nature::Individual,
            region: ["330000", "330100", "330106"],
            certificate_type: CertificateType::ResidentIdCard,
            certificate_number: leak(format!("3301061990010112{i}X")),
            principal_name: "张伟",
            principal_mobile: leak(holder_mobile(i)),
            principal_email: "zhang.wei@example.com",
            principal_id_number: None,
            filing_password: "483920",
            holder_account_id: leak(holder_id(i)),
            websites: vec![SeedWebsite {
                website_id: leak(format!("web-{i}")),
                website_number: leak(format!("浙ICP备1901234{i}号-1")),
                name: "网站",
                domains: vec![leak(format!("crash{i}.cn"))],
                state: WebsiteState::Active,
                service_number: leak(format!("CRASH2026A0000{i}")),
            }],
            order_in_progress: None,
        })
        .collect();
    assert_eq!(filing_registry::seed::insert_subjects(&db, &subjects).await.unwrap(), TRANSFERS);
    db.close().await;
}

fn spawn_registry(dir: &Path, listen: SocketAddr, codes: SocketAddr, identity: SocketAddr) -> Child {
    spawn(
        "filing-registry",
        dir,
        listen,
        &[
            ("BEIAN_SECRET_KEY", SECRET_KEY.into()),
            ("BEIAN_VERIFICATION_CODES_URL", format!("http://{codes}")),
            ("BEIAN_IDENTITY_RECOVERY_URL", format!("http://{identity}")),
            ("BEIAN_PEER_TIMEOUT_MS", "30000".into()),
        ],
    )
}

async fn connect(listen: SocketAddr) -> Channel {
    for _ in 0..300 {
        if let Ok(channel) =
            tonic::transport::Endpoint::from_shared(format!("http://{listen}")).unwrap().connect().await
        {
            return channel;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listened on {listen}");
}

fn messages(dir: &Path, template: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("messages.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|m| m["template"] == template)
        .collect()
}

/// A proof of a FILING_TRANSFER code to holder `i`'s mobile, as the gateway would get one.
async fn transfer_proof(codes: SocketAddr, dir: &Path, i: usize) -> String {
    let mut client = VerificationCodesServiceClient::new(connect(codes).await);
    let sent = client
        .send_code(credential(SendCodeRequest {
            channel: ProtoChannel::Sms as i32,
            destination: holder_mobile(i),
            purpose: Purpose::FilingTransfer as i32,
            client_ip: "127.0.0.1".into(),
            locale: String::new(),
            request_id: format!("send-{i}"),
            decoy: false,
        }))
        .await
        .expect("a code")
        .into_inner();
    let mut code = None;
    for _ in 0..300 {
        code = messages(dir, "CODE_FILING_TRANSFER")
            .iter()
            .filter(|m| m["destination"] == holder_mobile(i).as_str())
            .find_map(|m| beian_tests::six_digits(m["text"].as_str().unwrap_or_default()));
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let checked = client
        .check_code(credential(CheckCodeRequest {
            code_id: sent.code_id,
            code: code.expect("the code reached the file sink"),
            client_ip: "127.0.0.1".into(),
            request_id: format!("check-{i}"),
        }))
        .await
        .expect("the code is right")
        .into_inner();
    checked.proof
}

fn transfer_request(i: usize, proof: &str) -> registry::TransferSubjectRequest {
    registry::TransferSubjectRequest {
        from_account_id: holder_id(i),
        to_account_id: target_id(i),
        proof: proof.to_owned(),
        reason: "online transfer".into(),
        request_id: format!("flow-{i}"),
        locale: String::new(),
    }
}

#[tokio::test]
async fn filing_registry_killed_while_transfers_are_in_flight_moves_each_subject_once() {
    let dir = tempfile::tempdir().unwrap();
    seed_transfers(dir.path()).await;
    let (codes_at, identity_at, registry_at) = (free_port(), free_port(), free_port());
    let codes = spawn_codes(dir.path(), codes_at);
    let identity =
        spawn_identity_with_registry(dir.path(), identity_at, codes_at, &format!("http://{registry_at}"));
    let registry = spawn_registry(dir.path(), registry_at, codes_at, identity_at);
    let mut proofs = Vec::new();
    for i in 0..TRANSFERS {
        proofs.push(transfer_proof(codes_at, dir.path(), i).await);
    }

    // the first transfer answered, the others in flight, then SIGKILL: some committed
    // without an answer, some not at all
    let channel = connect(registry_at).await;
    let mut client = FilingRegistryServiceClient::new(channel.clone());
    client.transfer_subject(credential(transfer_request(0, &proofs[0]))).await.expect("the first moves");
    let in_flight: Vec<_> = (1..TRANSFERS)
        .map(|i| {
            let mut client = FilingRegistryServiceClient::new(channel.clone());
            let request = transfer_request(i, &proofs[i]);
            // started one after another, so the kill finds them at different steps
            let start = Duration::from_millis(STAGGER_MS * (i as u64 - 1));
            tokio::spawn(async move {
                tokio::time::sleep(start).await;
                client.transfer_subject(credential(request)).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(KILL_AFTER_MS)).await;
    kill(registry);
    let first: Vec<bool> =
        futures::future::join_all(in_flight).await.into_iter().map(|r| r.unwrap().is_ok()).collect();

    // restarted on the same file, each transfer retried until it answers
    let registry = spawn_registry(dir.path(), registry_at, codes_at, identity_at);
    let mut client = FilingRegistryServiceClient::new(connect(registry_at).await);
    let mut changes = Vec::new();
    for (i, proof) in proofs.iter().enumerate() {
        let mut answer = Err(Status::unavailable("not tried"));
        for _ in 0..100 {
            answer = client.transfer_subject(credential(transfer_request(i, proof))).await;
            if answer.as_ref().is_err_and(|s| s.code() == tonic::Code::Unavailable) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            break;
        }
        let change = answer.unwrap_or_else(|e| panic!("transfer {i} (first answered: {first:?}): {e:?}"));
        changes.push(change.into_inner().change.expect("a change"));
    }
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(
            (change.from_account_id.as_str(), change.to_account_id.as_str()),
            (holder_id(i).as_str(), target_id(i).as_str())
        );
        let history = client
            .list_holder_history(credential(registry::ListHolderHistoryRequest {
                subject_id: format!("sub-{i}"),
                ..Default::default()
            }))
            .await
            .expect("history")
            .into_inner()
            .changes;
        let moves: Vec<(&str, &str)> =
            history.iter().map(|c| (c.from_account_id.as_str(), c.to_account_id.as_str())).collect();
        assert_eq!(
            moves,
            [("", holder_id(i).as_str()), (holder_id(i).as_str(), target_id(i).as_str())],
            "one change"
        );
        assert_eq!(history[1].change_id, change.change_id, "the retry answers the recorded change");
        let held = client
            .get_held_subject(credential(registry::GetHeldSubjectRequest { account_id: target_id(i) }))
            .await
            .expect("the target holds it")
            .into_inner();
        assert_eq!(held.subject.expect("a subject").subject_id, format!("sub-{i}"));
        let gone = client
            .get_held_subject(credential(registry::GetHeldSubjectRequest { account_id: holder_id(i) }))
            .await
            .expect_err("the old holder holds nothing");
        assert_eq!(beian_tests::reason(&gone), "NO_SUBJECT_HELD");
    }

    // each side told once
    for _ in 0..200 {
        if messages(dir.path(), "TRANSFER_COMPLETED").len() >= 2 * TRANSFERS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let mut told: Vec<String> = messages(dir.path(), "TRANSFER_COMPLETED")
        .iter()
        .map(|m| m["destination"].as_str().unwrap().to_owned())
        .collect();
    told.sort();
    let mut expected: Vec<String> =
        (0..TRANSFERS).flat_map(|i| [holder_mobile(i), target_mobile(i)]).collect();
    expected.sort();
    assert_eq!(told, expected, "each side once (first answers: {first:?})");
    for child in [registry, identity, codes] {
        kill(child);
    }
}
