//! The background workers across a kill. Review cases of three kinds are opened through
//! both gateways and legacy imports run through both; then staff approve the whole batch
//! at once, more imports start, and one replica of every service is killed straight
//! after, with effects still owed, notices queued and imports in flight. The survivors
//! apply every approval's effect once (identity-recovery's worker takes over the dead
//! one's leases), hand every queued notice on once (filing-registry's relay), deliver each
//! message once by id, and finish every import the dead replica left PENDING without
//! anybody retrying it (legacy-migration's resume worker), each landing once in
//! filing-registry; a retry of any import then answers the one recorded.

use beian_load::seed;

use crate::{
    ONE_AT_A_TIME, Replicas, count, distinct, imports, log_in,
    reviews::{self, Decision, Kind, STAFF},
};

/// Cases of each kind, each on a filing of its own.
const CASES_PER_KIND: usize = 4;
/// Imports in all: the first `IMPORTS_BEFORE_KILL` run while both replica sets live.
const IMPORTS: usize = 8;
const IMPORTS_BEFORE_KILL: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effects_notices_and_imports_left_by_a_killed_replica_are_finished_once_by_the_survivors() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(mut replicas) = Replicas::start("beian_replica_workers").await else { return };
    // filings 0..4 get lookup cases, 4..8 filing-password cases, 8..12 transfer cases;
    // the empty accounts beside filings 0..8 import the legacy filings
    seed::load(&replicas.databases, 3 * CASES_PER_KIND).await.expect("seeded");
    let databases = &replicas.databases;
    let identity_db =
        identity_recovery::Application::open_database(&databases.identity_recovery).await.unwrap();
    let registry_db = filing_registry::Application::open_database(&databases.filing_registry).await.unwrap();
    let legacy_db = legacy_migration::Application::open_database(&databases.legacy_migration).await.unwrap();
    let codes_db = replicas.codes_db().await;
    reviews::seed_staff(&identity_db).await;
    imports::seed_logins(&legacy_db, IMPORTS).await;
    let gateways = replicas.gateways.clone();
    let gateway = |turn: usize| gateways[turn % 2].clone();

    // cases opened, sessions made and the first imports done through both gateways
    let mut cases = Vec::new();
    for (k, kind) in
        [Kind::AccountLookup, Kind::FilingPassword, Kind::OfflineTransfer].into_iter().enumerate()
    {
        for filing in k * CASES_PER_KIND..(k + 1) * CASES_PER_KIND {
            cases.push(reviews::open(kind, filing, &gateway(filing), &gateway(filing + 1), &codes_db).await);
        }
    }
    let staff = log_in(gateway(0), STAFF.to_owned()).await;
    let mut sessions = Vec::new();
    for i in 0..IMPORTS {
        sessions.push(log_in(gateway(i + 1), seed::target_login_name(i)).await);
    }
    let mut first = Vec::new();
    for (i, session) in sessions.iter().enumerate().take(IMPORTS_BEFORE_KILL) {
        first.push(imports::import(gateway(i), session.clone(), i).await.expect("imported"));
    }

    // the rest of the imports start, the batch is approved, and set a dies at once
    let in_flight: Vec<_> = (IMPORTS_BEFORE_KILL..IMPORTS)
        .map(|i| tokio::spawn(imports::import(gateway(i), sessions[i].clone(), i)))
        .collect();
    futures::future::join_all(cases.iter().enumerate().map(|(n, case)| {
        reviews::decide(gateway(n), staff.clone(), case.case_number.clone(), Decision::Approve)
    }))
    .await;
    replicas.a.kill();
    let owed_at_kill = reviews::effects_owed(&identity_db).await;
    let pending_at_kill = imports::pending(&legacy_db).await;
    let queued_at_kill =
        count(&registry_db, "select count(*) as n from notice_outbox where state = 'PENDING'").await;
    let mut cut = 0;
    for (i, import) in (IMPORTS_BEFORE_KILL..IMPORTS).zip(in_flight) {
        match import.await.expect("the import task") {
            Ok(answer) => first.push(answer),
            Err(status) => {
                assert_eq!(i % 2, 0, "only set a's imports fail: import {i}: {status:?}");
                cut += 1;
            }
        }
    }
    assert!(owed_at_kill > 0, "the kill came before every effect was applied");

    // the survivors finish what set a left, nobody retrying: effects once its leases run
    // out, PENDING migrations by the resume worker
    reviews::wait_until_applied(&identity_db).await;
    imports::wait_until_none_pending(&legacy_db).await;

    // every import, retried through the survivor, answers the one recorded, landed once
    let survivor = gateways[1].clone();
    for (i, session) in sessions.iter().enumerate() {
        let answer = imports::import(survivor.clone(), session.clone(), i)
            .await
            .unwrap_or_else(|e| panic!("import {i} on the survivor: {e:?}"));
        if let Some(earlier) = first.iter().find(|a| a.filing_number == answer.filing_number) {
            assert_eq!(earlier, &answer, "import {i}: a retry answers the same");
        }
        imports::assert_imported_once(&legacy_db, &registry_db, i, &answer).await;
    }

    // every message an approval owes delivered once by message id, and nothing else (a
    // dispatcher killed between delivering and recording it repeats it under the same id,
    // which the provider drops)
    let owed: Vec<(&str, String)> = cases.iter().flat_map(reviews::Case::owed).collect();
    let messages = replicas.settled_messages(owed.len()).await;
    let distinct = distinct(&messages);
    let key = |m: &serde_json::Value| {
        (
            m["template"].as_str().unwrap_or_default().to_owned(),
            m["destination"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let mut sent: Vec<(String, String)> = distinct.iter().map(|m| key(m)).collect();
    sent.sort();
    let mut expected: Vec<(String, String)> =
        owed.iter().map(|(t, d)| ((*t).to_owned(), d.clone())).collect();
    expected.sort();
    assert_eq!(sent, expected, "each owed message once by id");

    // each approval applied once, where its effect lives
    for case in &cases {
        reviews::assert_decided_once(&identity_db, &case.case_number, Decision::Approve).await;
        let its_own = case.owed();
        let notices: Vec<&serde_json::Value> = distinct
            .iter()
            .copied()
            .filter(|m| its_own.iter().any(|(t, d)| m["template"] == *t && m["destination"] == d.as_str()))
            .collect();
        reviews::assert_applied_once(&registry_db, case, &notices).await;
    }
    let relayed =
        count(&registry_db, "select count(*) as n from notice_outbox where state = 'HANDED_OFF'").await;
    assert_eq!(relayed, 4 * i64::try_from(CASES_PER_KIND).unwrap(), "every queued notice handed on");

    eprintln!(
        "at the kill: {owed_at_kill} effects owed, {queued_at_kill} notices queued in filing-registry, \
         {pending_at_kill} migrations PENDING; imports cut: {cut}; messages repeated under their id: {}",
        messages.len() - distinct.len()
    );
    for db in [identity_db, registry_db, legacy_db, codes_db] {
        db.close().await;
    }
}
