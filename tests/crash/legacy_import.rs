//! The import saga across real crashes: legacy-migration and filing-registry run as
//! processes of their own on SQLite files and are SIGKILLed between the saga's steps —
//! after the PENDING row, before the adoption (a stand-in holds the adoption call, then
//! legacy-migration dies), after the adoption committed (its answer held back,
//! legacy-migration killed), and with filing-registry killed while the answer is in flight. After the restarts the resume worker finishes each import, and a retry
//! by the same account answers it: each legacy filing ends as one subject with one
//! holder-change record and its migration DONE.

use std::{
    net::SocketAddr,
    path::Path,
    process::Child,
    sync::{Arc, Mutex},
    time::Duration,
};

use beian_platform::storage::DatabaseLocation;
use beian_proto::{
    filing_registry::v1::{
        self as registry,
        filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
        filing_registry_internal_service_server::{
            FilingRegistryInternalService, FilingRegistryInternalServiceServer,
        },
        filing_registry_service_client::FilingRegistryServiceClient,
    },
    legacy_migration::v1::{
        ImportLegacyFilingRequest, ImportLegacyFilingResponse,
        legacy_migration_service_client::LegacyMigrationServiceClient,
    },
};
use legacy_migration::{
    saga::{State, store as migrations},
    seed::{SeedFiling, SeedLogin},
};
use tonic::{Request, Response, Status};

use crate::{connect, credential, free_port, kill, leak, not_here, spawn, spawn_registry};

const PASSWORD: &str = "Legacy#2012pass";

fn email(i: usize) -> String {
    format!("crash-{i}@legacy.example.com")
}

fn filing_number(i: usize) -> String {
    format!("沪ICP备1200{i:04}号")
}

fn account(i: usize) -> String {
    format!("acc-import-{i}")
}

/// Three legacy logins, each with one filing of 2012 and one website.
async fn seed_legacy(dir: &Path) {
    let db = legacy_migration::Application::open_database(&DatabaseLocation::sqlite_file(
        dir,
        legacy_migration::NAME,
    ))
    .await
    .unwrap();
    let logins: Vec<SeedLogin> = (0..3)
        .map(|i| {
            let number = leak(filing_number(i));
            SeedLogin {
                legacy_login_id: leak(format!("crash-login-{i}")),
                login_email: leak(email(i)),
                password: PASSWORD,
                activated: true,
                orders_in_progress: 0,
                filings: vec![SeedFiling {
                    filing_number: number,
                    name: "孙小店",
                    nature: "INDIVIDUAL",
                    region: ["310000", "310100", "310104"],
                    certificate_type: "RESIDENT_ID_CARD",
                    certificate_number: "31010419770707777X",
                    principal_name: "孙小店",
                    principal_mobile: "13300005555",
                    principal_email: "legacy.owner@example.com",
                    submitted_on: "2012-05-20",
                    moved_away: false,
                    websites: vec![(
                        leak(format!("{number}-1")),
                        "孙小店",
                        vec![leak(format!("crash-{i}.com.cn"))],
                    )],
                    migrated: None,
                }],
            }
        })
        .collect();
    assert_eq!(legacy_migration::seed::insert_logins(&db, &logins).await.unwrap(), 3);
    db.close().await;
}

fn spawn_legacy(dir: &Path, listen: SocketAddr, registry_url: &str) -> Child {
    spawn(
        "legacy-migration",
        dir,
        listen,
        &[
            ("BEIAN_FILING_REGISTRY_URL", registry_url.to_owned()),
            ("BEIAN_PEER_TIMEOUT_MS", "30000".into()),
            ("BEIAN_MIGRATION_POLL_MS", "100".into()),
            ("BEIAN_MIGRATION_LEASE_MS", "1500".into()),
            ("BEIAN_MIGRATION_RETRY_MS", "200".into()),
        ],
    )
}

async fn import(legacy_at: SocketAddr, i: usize) -> Result<ImportLegacyFilingResponse, Status> {
    LegacyMigrationServiceClient::new(connect(legacy_at).await)
        .import_legacy_filing(credential(ImportLegacyFilingRequest {
            legacy_login_email: email(i),
            legacy_password: PASSWORD.into(),
            account_id: account(i),
            client_ip: "127.0.0.1".into(),
        }))
        .await
        .map(|r| r.into_inner())
}

/// The subject the account holds in filing-registry, if any.
async fn held(registry_at: SocketAddr, i: usize) -> Option<registry::Subject> {
    FilingRegistryServiceClient::new(connect(registry_at).await)
        .get_held_subject(credential(registry::GetHeldSubjectRequest { account_id: account(i) }))
        .await
        .ok()
        .and_then(|r| r.into_inner().subject)
}

/// The migration row of import `i` once DONE (the resume worker finished it).
async fn wait_done(dir: &Path, i: usize) -> legacy_migration::saga::Migration {
    let db = legacy_migration::Application::open_database(&DatabaseLocation::sqlite_file(
        dir,
        legacy_migration::NAME,
    ))
    .await
    .unwrap();
    for _ in 0..300 {
        let row = migrations::by_filing(db.reader(), &filing_number(i)).await.unwrap();
        if let Some(row) = row.filter(|row| row.state == State::Done) {
            db.close().await;
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {i} never finished");
}

/// One subject held by the account, with one holder change (from nobody, `import`), the
/// migration DONE with that subject, and a retry answering it.
async fn assert_imported_once(dir: &Path, legacy_at: SocketAddr, registry_at: SocketAddr, i: usize) {
    let done = wait_done(dir, i).await;
    let subject = held(registry_at, i).await.unwrap_or_else(|| panic!("import {i}: no subject held"));
    assert_eq!(subject.filing_number, filing_number(i));
    assert_eq!(done.subject_id.as_deref(), Some(subject.subject_id.as_str()));
    let history = FilingRegistryServiceClient::new(connect(registry_at).await)
        .list_holder_history(credential(registry::ListHolderHistoryRequest {
            account_id: account(i),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.changes.len(), 1, "import {i}: one holder change");
    assert_eq!(history.changes[0].reason, "import");
    let again = import(legacy_at, i).await.expect("a retry answers the import");
    assert_eq!((again.subject_id, again.migration_id), (subject.subject_id, done.migration_id));
}

/// A filing-registry stand-in that never answers an adoption (it counts it): without an
/// upstream, no account holds a subject and nothing is adopted; with one, both calls go on
/// to the real filing-registry, which adopts — the answer is what gets lost.
#[derive(Clone, Default)]
struct HoldingRegistry {
    adoptions: Arc<Mutex<usize>>,
    upstream: Option<SocketAddr>,
}

impl HoldingRegistry {
    async fn start(upstream: Option<SocketAddr>) -> (Self, SocketAddr) {
        let registry = Self { upstream, ..Self::default() };
        let listen = free_port();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(FilingRegistryInternalServiceServer::new(registry.clone()))
                .serve(listen),
        );
        (registry, listen)
    }

    fn adoptions(&self) -> usize {
        *self.adoptions.lock().unwrap()
    }
}

#[tonic::async_trait]
impl FilingRegistryInternalService for HoldingRegistry {
    async fn match_subject_details(
        &self,
        _request: Request<registry::MatchSubjectDetailsRequest>,
    ) -> Result<Response<registry::MatchSubjectDetailsResponse>, Status> {
        not_here()
    }

    async fn get_filing_contact(
        &self,
        _request: Request<registry::GetFilingContactRequest>,
    ) -> Result<Response<registry::GetFilingContactResponse>, Status> {
        not_here()
    }

    async fn get_account_filing_state(
        &self,
        request: Request<registry::GetAccountFilingStateRequest>,
    ) -> Result<Response<registry::GetAccountFilingStateResponse>, Status> {
        match self.upstream {
            Some(upstream) => {
                FilingRegistryInternalServiceClient::new(connect(upstream).await)
                    .get_account_filing_state(credential(request.into_inner()))
                    .await
            }
            None => Ok(Response::new(registry::GetAccountFilingStateResponse {
                holds_subject: false,
                order_in_progress: false,
            })),
        }
    }

    async fn adopt_legacy_subject(
        &self,
        request: Request<registry::AdoptLegacySubjectRequest>,
    ) -> Result<Response<registry::AdoptLegacySubjectResponse>, Status> {
        if let Some(upstream) = self.upstream {
            FilingRegistryInternalServiceClient::new(connect(upstream).await)
                .adopt_legacy_subject(credential(request.into_inner()))
                .await?;
        }
        *self.adoptions.lock().unwrap() += 1;
        std::future::pending().await
    }

    async fn transfer_subject_by_review(
        &self,
        _request: Request<registry::TransferSubjectByReviewRequest>,
    ) -> Result<Response<registry::TransferSubjectByReviewResponse>, Status> {
        not_here()
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

async fn wait_for_adoptions(stand_in: &HoldingRegistry, count: usize) {
    for _ in 0..300 {
        if stand_in.adoptions() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} adoptions reached the stand-in");
}

#[tokio::test]
async fn imports_interrupted_by_crashes_complete_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    seed_legacy(dir.path()).await;
    let (legacy_at, registry_at) = (free_port(), free_port());
    // filing-registry's own peers are never called by an adoption
    let (codes_at, identity_at) = (free_port(), free_port());
    let direct = format!("http://{registry_at}");

    // 1. after the PENDING row, before the adoption: legacy-migration dies while the
    // adoption call is held
    let (stand_in, stand_in_at) = HoldingRegistry::start(None).await;
    let legacy = spawn_legacy(dir.path(), legacy_at, &format!("http://{stand_in_at}"));
    let in_flight = tokio::spawn(import(legacy_at, 0));
    wait_for_adoptions(&stand_in, 1).await;
    kill(legacy);
    assert!(in_flight.await.unwrap().is_err(), "the caller never heard");
    let registry = spawn_registry(dir.path(), registry_at, codes_at, identity_at);
    let legacy = spawn_legacy(dir.path(), legacy_at, &direct);
    assert_imported_once(dir.path(), legacy_at, registry_at, 0).await;

    // 2. after the adoption committed, before DONE: its answer never comes back and
    // legacy-migration dies waiting for it
    kill(legacy);
    let (forwarder, forwarder_at) = HoldingRegistry::start(Some(registry_at)).await;
    let legacy = spawn_legacy(dir.path(), legacy_at, &format!("http://{forwarder_at}"));
    let in_flight = tokio::spawn(import(legacy_at, 1));
    wait_for_adoptions(&forwarder, 1).await;
    assert!(held(registry_at, 1).await.is_some(), "the adoption committed");
    kill(legacy);
    assert!(in_flight.await.unwrap().is_err(), "the caller never heard");
    let legacy = spawn_legacy(dir.path(), legacy_at, &direct);
    assert_imported_once(dir.path(), legacy_at, registry_at, 1).await;

    // 3. filing-registry dies after the adoption committed, its answer in flight; then
    // legacy-migration too (its call would wait for its timeout otherwise)
    kill(legacy);
    let legacy = spawn_legacy(dir.path(), legacy_at, &format!("http://{forwarder_at}"));
    let in_flight = tokio::spawn(import(legacy_at, 2));
    wait_for_adoptions(&forwarder, 2).await;
    kill(registry);
    let registry = spawn_registry(dir.path(), registry_at, codes_at, identity_at);
    kill(legacy);
    assert!(in_flight.await.unwrap().is_err(), "the caller never heard");
    let legacy = spawn_legacy(dir.path(), legacy_at, &direct);
    assert_imported_once(dir.path(), legacy_at, registry_at, 2).await;

    kill(legacy);
    kill(registry);
}
