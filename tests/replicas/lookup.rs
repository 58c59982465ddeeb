//! Account lookups through both gateways alternately — a flow started on one gateway goes
//! on on the other — then one replica of every service killed while codes are being
//! sent. Every flow still completes through the survivors; every message is delivered
//! exactly once by message id (the outbox rows the dead replica held are taken over when
//! their lease runs out); every flow got one code per send and one pair of notices.
//!
//! A send cut by the kill is retried on the survivor. If the dead gateway had recorded
//! the send in the flow before its answer was lost, the retry is a resend (the next send
//! key, a second code, the first one dead), as the gateway documents: this test's zero
//! cooldown lets it through where a real one would refuse it as too soon.

use std::{path::Path, time::Duration};

use beian_load::seed::{self, Filing};
use beian_platform::storage::Database;
use beian_proto::gateway::v1::{
    SendAccountLookupCodeRequest, StartAccountLookupRequest, VerifyAccountLookupCodeRequest,
    account_lookup_service_client::AccountLookupServiceClient,
};
use sqlx::Row;
use tonic::transport::Channel;

use crate::{ONE_AT_A_TIME, Replicas, distinct, human_check_token, messages_file};

/// Lookups in all: the first `BEFORE_KILL` run while both replica sets live.
const FLOWS: usize = 16;
const BEFORE_KILL: usize = 6;

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

/// Flow `flow_id`'s codes as verification-codes holds them, by send key: (key, state, the
/// id of the message that carries it).
async fn codes_of(codes_db: &Database, flow_id: &str) -> Vec<(String, String, String)> {
    sqlx::query(
        "select c.request_id, c.state, o.message_id from codes c \
         join outbox o on o.idempotency_key = 'code:' || c.code_id \
         where c.request_id like $1 order by c.request_id",
    )
    .bind(format!("{flow_id}:send:%"))
    .fetch_all(codes_db.reader())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("request_id"), row.get("state"), row.get("message_id")))
    .collect()
}

/// The digits message `message_id` carried, once delivered (waits up to 20 s).
async fn delivered_code(replicas: &Replicas, message_id: &str) -> String {
    for _ in 0..400 {
        let delivered = replicas.delivered().into_iter().find(|m| m["message_id"] == message_id);
        if let Some(code) = delivered.as_ref().and_then(|m| m["params"]["code"].as_str()) {
            return code.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {message_id} never delivered");
}

fn lines(dir: &Path, label: &str) -> usize {
    std::fs::read_to_string(messages_file(dir, label)).unwrap_or_default().lines().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_every_service_lose_nothing_and_deliver_once_when_one_of_each_is_killed() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(mut replicas) = Replicas::start("beian_replicas").await else { return };
    let filings: Vec<Filing> = seed::load(&replicas.databases, FLOWS).await.expect("seeded");
    let codes_db = replicas.codes_db().await;
    let gateways = replicas.gateways.clone();

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
            .unwrap_or_else(|e| {
                panic!("flow {i} starts on set {}: {e:?}", [replicas.a.label, replicas.b.label][i % 2])
            })
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
    replicas.a.kill();
    let mut retried = Vec::new();
    for send in sends {
        retried.push(send.await.expect("the send task"));
    }
    let retried = |i: usize| i >= BEFORE_KILL && retried[i - BEFORE_KILL];

    // every flow completes on the survivors, whichever gateway it started on, with the code
    // it holds
    let mut code_messages = Vec::new();
    let mut resends = 0;
    for (i, flow_id) in flows.iter().enumerate() {
        let codes = codes_of(&codes_db, flow_id).await;
        let keys: Vec<String> = codes.iter().map(|(key, ..)| key.clone()).collect();
        let expected: Vec<String> = (1..=keys.len()).map(|n| format!("{flow_id}:send:{n}")).collect();
        assert!(keys.len() == 1 || (retried(i) && keys.len() == 2), "flow {i}: {keys:?}");
        assert_eq!(keys, expected, "flow {i}: one code per send");
        resends += keys.len() - 1;
        let (.., live) = codes.iter().find(|(_, state, _)| state == "LIVE").expect("a live code");
        let code = delivered_code(&replicas, live).await;
        let done = AccountLookupServiceClient::new(gateways[1].clone())
            .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: flow_id.clone(), code })
            .await
            .unwrap_or_else(|e| panic!("flow {i} verifies: {e:?}"))
            .into_inner();
        assert_eq!(done.masked_login_name, beian_common::masking::mask_login_name(&seed::login_name(i)));
        code_messages.push(codes.into_iter().map(|(.., message_id)| message_id).collect::<Vec<_>>());
    }

    // every message once by id: each flow's codes and two notices, nothing else
    let expected = FLOWS * 3 + resends;
    let messages = replicas.settled_messages(expected).await;
    let distinct = distinct(&messages);
    for (i, filing) in filings.iter().enumerate() {
        let to_flow = |m: &&&serde_json::Value| {
            m["destination"] == filing.mobile.as_str()
                || m["destination"] == format!("load-{i}@example.cn").as_str()
        };
        let mut codes: Vec<String> = distinct
            .iter()
            .filter(to_flow)
            .filter(|m| m["template"].as_str().is_some_and(|t| t.starts_with("CODE_")))
            .filter_map(|m| m["message_id"].as_str().map(str::to_owned))
            .collect();
        codes.sort();
        let mut owed = code_messages[i].clone();
        owed.sort();
        let notices = distinct
            .iter()
            .filter(to_flow)
            .filter(|m| m["text"].as_str().is_some_and(|t| t.contains(&seed::login_name(i))))
            .count();
        assert_eq!((codes, notices), (owed, 2), "flow {i}: {messages:#?}");
    }
    assert_eq!(distinct.len(), expected, "nothing else was sent");
    let by_a = lines(&replicas.dir, "a");
    eprintln!(
        "sends retried on the survivor: {}, of which resends after a lost answer: {resends}; messages \
         delivered by a: {by_a}, by b: {}, repeated under their id: {}",
        (0..FLOWS).filter(|i| retried(*i)).count(),
        messages.len() - by_a,
        messages.len() - distinct.len()
    );
    codes_db.close().await;
}
