//! Account lookups through both gateways alternately — a flow started on one gateway goes
//! on on the other — then one replica of every service killed while codes are being
//! sent. Every flow still completes through the survivors; every message is delivered
//! exactly once by message id (the outbox rows the dead replica held are taken over when
//! their lease runs out); every flow got one code and one pair of notices.

use std::{path::Path, time::Duration};

use beian_load::seed::{self, Filing};
use beian_proto::gateway::v1::{
    SendAccountLookupCodeRequest, StartAccountLookupRequest, VerifyAccountLookupCodeRequest,
    account_lookup_service_client::AccountLookupServiceClient,
};
use tonic::transport::Channel;

use crate::{ONE_AT_A_TIME, Replicas, human_check_token, messages_file};

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
    let mut retried = 0;
    for send in sends {
        retried += usize::from(send.await.expect("the send task"));
    }

    // every flow completes on the survivors, whichever gateway it started on
    for (i, filing) in filings.iter().enumerate() {
        let code = replicas.code_sent_to(&filing.mobile).await;
        let done = AccountLookupServiceClient::new(gateways[1].clone())
            .verify_account_lookup_code(VerifyAccountLookupCodeRequest { flow_id: flows[i].clone(), code })
            .await
            .unwrap_or_else(|e| panic!("flow {i} verifies: {e:?}"))
            .into_inner();
        assert_eq!(done.masked_login_name, beian_common::masking::mask_login_name(&seed::login_name(i)));
    }

    // every message exactly once by id; one code and two notices per flow
    let expected = FLOWS * 3;
    let messages = replicas.settled_messages(expected).await;
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
    let by_a = lines(&replicas.dir, "a");
    eprintln!(
        "sends retried on the survivor: {retried}; messages delivered by a: {by_a}, by b: {}",
        expected - by_a
    );
    codes_db.close().await;
}
