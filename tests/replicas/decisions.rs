//! The other decisions and the online transfer across a kill. Through both gateways:
//! legacy claims and legacy login resets are submitted, review cases of three kinds
//! opened, holders add websites (orders in progress) and start transfers whose codes are
//! sent. Then staff decide every case at once — claims and resets mostly approved, the
//! rest and every other case rejected — and, while the effects are owed, the regulator's
//! decisions on the orders (on both filing-registry replicas) and the transfers' last steps
//! go out; one replica of every service is killed in the middle of them, and what it cut
//! is retried on the survivors.
//!
//! Each happens once: a claim's saga lands the subject once, a reset replaces the email
//! once, a rejection changes nothing, an order is decided and applied once, a subject moves
//! once (one holder change per operation key); each case's decision is audited once; and
//! every message — codes, TRANSFER_COMPLETED, ORDER_APPROVED/REJECTED, LEGACY_LOGIN_RESET,
//! REVIEW_DECIDED — is delivered once by message id, nothing else. A decision or last step
//! repeated afterwards answers what was done and changes nothing.

use std::time::Duration;

use beian_load::seed;
use beian_platform::storage::{Database, now_millis};
use sqlx::Row;

use crate::{
    ONE_AT_A_TIME, Owed, Replicas, count, distinct, imports,
    legacy_cases::{self, Claim, Reset},
    log_in, orders,
    reviews::{self, Decision, Kind, STAFF},
    sorted_as_owed, transfers,
};

/// Filings `0..TRANSFERS` move online to the empty accounts beside them.
const TRANSFERS: usize = 6;
/// Filings `TRANSFERS..TRANSFERS + ORDERS` add a website; the empty accounts beside them
/// claim the legacy filings.
const ORDERS: usize = 6;
/// Review cases of each kind rejected, on the filings after those.
const REJECTED_PER_KIND: usize = 2;
const CLAIMS: usize = ORDERS;
const RESETS: usize = 6;

/// Orders decided and subjects moved online.
const DONE_SQL: &str = "select (select count(*) from orders where state <> 'IN_PROGRESS') \
     + (select count(*) from holder_changes where idempotency_key like 'transfer:%') as n";

/// Whether order $1 was decided, or the move keyed $1 made, by $2.
const DECIDED_BY_SQL: &str =
    "select count(*) as n from orders where order_number = $1 and decided_at_ms <= $2";
const MOVED_BY_SQL: &str =
    "select count(*) as n from holder_changes where idempotency_key = $1 and changed_at_ms <= $2";

/// Claim or reset `i`'s decision: every third is rejected.
fn decision(i: usize) -> Decision {
    if i % 3 == 2 { Decision::Reject } else { Decision::Approve }
}

/// Waits (up to 20 s) until filing-registry's relay has handed every notice on.
async fn wait_until_relayed(registry_db: &Database) {
    let queued = || count(registry_db, "select count(*) as n from notice_outbox where state = 'PENDING'");
    for _ in 0..400 {
        if queued().await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} notices never handed on", queued().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_resets_rejections_orders_and_online_transfers_across_a_kill_each_happen_once() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(mut replicas) = Replicas::start("beian_replica_decisions").await else { return };
    let rejected_filings = TRANSFERS + ORDERS;
    seed::load(&replicas.databases, rejected_filings + 3 * REJECTED_PER_KIND).await.expect("seeded");
    let databases = &replicas.databases;
    let identity_db =
        identity_recovery::Application::open_database(&databases.identity_recovery).await.unwrap();
    let registry_db = filing_registry::Application::open_database(&databases.filing_registry).await.unwrap();
    let legacy_db = legacy_migration::Application::open_database(&databases.legacy_migration).await.unwrap();
    let codes_db = replicas.codes_db().await;
    reviews::seed_staff(&identity_db).await;
    legacy_cases::seed_filings(&legacy_db, CLAIMS, RESETS).await;
    let gateways = replicas.gateways.clone();
    let gateway = |turn: usize| gateways[turn % 2].clone();

    // everything started through both gateways, every step on the other than the last
    let mut moves = Vec::new();
    for i in 0..TRANSFERS {
        let session = log_in(gateway(i), seed::login_name(i)).await;
        moves.push(transfers::start(&replicas, i, session, &gateway(i + 1), &gateway(i)).await);
    }
    let mut order_list = Vec::new();
    let mut claims: Vec<Claim> = Vec::new();
    for (n, filing) in (TRANSFERS..TRANSFERS + ORDERS).enumerate() {
        let holder = log_in(gateway(n + 1), seed::login_name(filing)).await;
        let decided = if n % 2 == 0 { Decision::Approve } else { Decision::Reject };
        order_list.push(orders::start(gateway(n), &holder, filing, decided).await);
        let claimant = log_in(gateway(n), seed::target_login_name(filing)).await;
        claims.push(
            legacy_cases::open_claim(n, filing, &claimant, &gateway(n + 1), &gateway(n), &codes_db).await,
        );
    }
    let mut resets: Vec<Reset> = Vec::new();
    for i in 0..RESETS {
        resets.push(legacy_cases::open_reset(i, &gateway(i), &gateway(i + 1), &codes_db).await);
    }
    let mut rejected = Vec::new();
    for (k, kind) in
        [Kind::AccountLookup, Kind::FilingPassword, Kind::OfflineTransfer].into_iter().enumerate()
    {
        let first = rejected_filings + k * REJECTED_PER_KIND;
        for filing in first..first + REJECTED_PER_KIND {
            rejected
                .push(reviews::open(kind, filing, &gateway(filing), &gateway(filing + 1), &codes_db).await);
        }
    }
    let staff = log_in(gateway(1), STAFF.to_owned()).await;

    // staff decide every case at once; then the orders' decisions and the transfers' last
    // steps go out, and set a dies in the middle of them
    let case_decisions: Vec<(String, Decision)> = claims
        .iter()
        .map(|c| (c.case_number.clone(), decision(c.i)))
        .chain(resets.iter().map(|r| (r.case_number.clone(), decision(r.i))))
        .chain(rejected.iter().map(|c| (c.case_number.clone(), Decision::Reject)))
        .collect();
    futures::future::join_all(
        case_decisions
            .iter()
            .enumerate()
            .map(|(n, (case, decided))| reviews::decide(gateway(n), staff.clone(), case.clone(), *decided)),
    )
    .await;
    let registries = [replicas.a.registry, replicas.b.registry];
    let order_calls: Vec<_> = order_list
        .iter()
        .enumerate()
        .map(|(n, order)| tokio::spawn(orders::decide(registries[n % 2], registries[1], order.clone())))
        .collect();
    let last_steps: Vec<_> = moves
        .iter()
        .enumerate()
        .map(|(i, t)| tokio::spawn(transfers::complete_or_retry(gateway(i), gateway(1), t.clone())))
        .collect();
    // the first landed: the others are under way
    let mut done_at_kill = 0;
    for _ in 0..2_000 {
        done_at_kill = count(&registry_db, DONE_SQL).await;
        if done_at_kill > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let owed_at_kill = reviews::effects_owed(&identity_db).await;
    let queued_at_kill =
        count(&registry_db, "select count(*) as n from notice_outbox where state = 'PENDING'").await;
    let kill_ms = now_millis();
    replicas.a.kill();
    // (statement, key) of each call retried on the survivor: whether it had landed first
    let mut retried: Vec<(&'static str, String)> = Vec::new();
    for (order, call) in order_list.iter().zip(order_calls) {
        if call.await.expect("the decision task") {
            retried.push((DECIDED_BY_SQL, order.order_number.clone()));
        }
    }
    let mut moved = Vec::new();
    for (t, step) in moves.iter().zip(last_steps) {
        let (answer, again) = step.await.expect("the transfer task");
        moved.push(answer);
        if again {
            retried.push((MOVED_BY_SQL, format!("transfer:{}", t.flow_id)));
        }
    }
    let mut landed = 0;
    for (sql, key) in &retried {
        let row = sqlx::query(*sql).bind(key).bind(kill_ms).fetch_one(registry_db.reader()).await.unwrap();
        landed += row.get::<i64, _>("n");
    }
    assert!(owed_at_kill > 0, "the kill came before every effect was applied");

    // the survivors finish what set a left: effects once its leases run out, the claims'
    // sagas, the relay's notices
    reviews::wait_until_applied(&identity_db).await;
    imports::wait_until_none_pending(&legacy_db).await;
    wait_until_relayed(&registry_db).await;

    // repeated on the survivor, a decision answers the one made (even the other decision),
    // a last step the move made
    let survivor = gateways[1].clone();
    for order in &order_list {
        let other = match order.decision {
            Decision::Approve => Decision::Reject,
            Decision::Reject => Decision::Approve,
        };
        let answer = orders::decide_on(registries[1], order, other).await.expect("answered");
        assert_eq!(answer.state, order.state() as i32, "{order:?}: decided once");
    }
    for (t, first) in moves.iter().zip(&moved) {
        let again = transfers::complete(survivor.clone(), t).await.expect("answered");
        assert_eq!((&again, again.filing_number.clone()), (first, seed::filing_number(t.filing)), "{t:?}");
    }

    // each effect once, where it lives; each decision once in the audit
    for claim in &claims {
        reviews::assert_decided_once(&identity_db, &claim.case_number, decision(claim.i)).await;
        match decision(claim.i) {
            Decision::Approve => legacy_cases::assert_claimed_once(&legacy_db, &registry_db, claim).await,
            Decision::Reject => legacy_cases::assert_not_claimed(&legacy_db, &registry_db, claim).await,
        }
    }
    for reset in &resets {
        reviews::assert_decided_once(&identity_db, &reset.case_number, decision(reset.i)).await;
        legacy_cases::assert_reset(&legacy_db, reset, decision(reset.i) == Decision::Approve).await;
    }
    for case in &rejected {
        reviews::assert_decided_once(&identity_db, &case.case_number, Decision::Reject).await;
        reviews::assert_nothing_applied(&registry_db, case).await;
    }
    for order in &order_list {
        orders::assert_decided_once(&registry_db, order).await;
    }
    for t in &moves {
        transfers::assert_moved_once(&registry_db, t).await;
    }
    let relayed =
        count(&registry_db, "select count(*) as n from notice_outbox where state = 'HANDED_OFF'").await;
    assert_eq!(relayed, i64::try_from(2 * TRANSFERS + ORDERS).unwrap(), "every queued notice handed on");

    // every message owed delivered once by message id, and nothing else
    let mut owed: Vec<Owed> = moves.iter().flat_map(transfers::Transfer::owed).collect();
    owed.extend(order_list.iter().map(orders::Order::owed));
    for claim in claims.iter().filter(|c| decision(c.i) == Decision::Reject) {
        owed.extend(claim.rejection_owed());
    }
    for reset in &resets {
        owed.extend(match decision(reset.i) {
            Decision::Approve => reset.approval_owed(),
            Decision::Reject => reset.rejection_owed(),
        });
    }
    owed.extend(rejected.iter().flat_map(reviews::Case::rejection_owed));
    let mut expected: Vec<(String, String, String)> =
        owed.into_iter().map(|(template, to, about)| (template.to_owned(), to, about)).collect();
    expected.sort();
    let messages = replicas.settled_messages(expected.len()).await;
    let distinct = distinct(&messages);
    assert_eq!(sorted_as_owed(&distinct), expected, "each owed message once by id, nothing else");

    eprintln!(
        "at the kill: {done_at_kill} of {} orders decided and transfers made, {owed_at_kill} effects \
         owed, {queued_at_kill} notices queued in filing-registry; \
         order decisions and transfers' last steps retried on the survivor: {} ({landed} had landed \
         before the kill, their answers lost); messages repeated under their id: {}",
        ORDERS + TRANSFERS,
        retried.len(),
        messages.len() - distinct.len()
    );
    for db in [identity_db, registry_db, legacy_db, codes_db] {
        db.close().await;
    }
}
