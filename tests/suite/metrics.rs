//! Each service's admin port answers `GET /metrics` for itself alone: after an account
//! lookup (and one wrong code), every RPC counted with its code, the gateway's calls to
//! its peers timed, codes sent and failed checks per purpose, the outbox and the review
//! queue read at scrape time, the database pools' connections.

use beian_proto::gateway::v1::{SendAccountLookupCodeRequest, VerifyAccountLookupCodeRequest};
use beian_tests::TestSuite;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::lookup::{self, MOBILE};

async fn scrape(address: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("the admin port listens");
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

/// The `beian_…` series an expression reads (a histogram's `_bucket`, `_sum` and
/// `_count` are its own).
fn series_named(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("beian_") && word.len() > "beian_".len())
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn has(text: &str, series: &str) -> bool {
    text.lines().any(|line| line.starts_with(series))
}

#[tokio::test]
async fn every_admin_port_shows_its_own_metrics_after_a_lookup() {
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.admin = Some(beian::Addresses::ephemeral());
    })
    .await;
    let admin = suite.admin_addresses().expect("admin ports were asked for");

    let started = lookup::start(&suite, "shop-zhang.cn").await.expect("filed domain");
    let mut client = lookup::lookup_client(suite.gateway().await);
    client
        .send_account_lookup_code(SendAccountLookupCodeRequest { flow_id: started.flow_id.clone() })
        .await
        .expect("code sent");
    let code = suite.code_sent_to(MOBILE, 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify =
        |code: &str| VerifyAccountLookupCodeRequest { flow_id: started.flow_id.clone(), code: code.into() };
    client.verify_account_lookup_code(verify(wrong)).await.expect_err("a wrong code");
    client.verify_account_lookup_code(verify(&code)).await.expect("verified");
    // a made-up path is counted, under one label whatever the path
    let made_up = "/beian.gateway.v1.AccountLookupService/MadeUp";
    crate::errors::call_raw(suite.gateway().await, made_up, vec![]).await;

    let (status, gateway) = scrape(admin.gateway, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    let rpc = "/beian.gateway.v1.AccountLookupService";
    assert!(
        has(&gateway, &format!(r#"beian_rpc_requests_total{{rpc="{rpc}/StartAccountLookup",code="OK"}} 1"#)),
        "{gateway}"
    );
    assert!(
        has(
            &gateway,
            &format!(
                r#"beian_rpc_requests_total{{rpc="{rpc}/VerifyAccountLookupCode",code="INVALID_ARGUMENT"}} 1"#
            )
        ) || has(
            &gateway,
            &format!(
                r#"beian_rpc_requests_total{{rpc="{rpc}/VerifyAccountLookupCode",code="FAILED_PRECONDITION"}} 1"#
            )
        ),
        "the wrong code counted with its code: {gateway}"
    );
    assert!(
        has(&gateway, r#"beian_peer_call_duration_seconds_count{peer="beian.verification_codes.v1""#),
        "{gateway}"
    );
    assert!(has(&gateway, r#"beian_db_connections{pool="#), "{gateway}");
    assert!(has(&gateway, r#"beian_rpc_requests_total{rpc="unknown",code="UNIMPLEMENTED"} 1"#), "{gateway}");
    assert!(!gateway.contains("MadeUp"), "{gateway}");
    assert!(!has(&gateway, "beian_codes_sent_total"), "a service shows only its own series");

    let (_, codes) = scrape(admin.verification_codes, "/metrics").await;
    assert!(has(&codes, r#"beian_codes_sent_total{purpose="ACCOUNT_LOOKUP",channel="SMS"} 1"#), "{codes}");
    assert!(has(&codes, r#"beian_code_checks_failed_total{purpose="ACCOUNT_LOOKUP"} 1"#), "{codes}");
    assert!(has(&codes, "beian_outbox_pending "), "{codes}");
    assert!(has(&codes, "beian_outbox_oldest_pending_age_seconds "), "{codes}");

    let (_, identity) = scrape(admin.identity_recovery, "/metrics").await;
    assert!(has(&identity, r#"beian_review_cases_pending{kind="ACCOUNT_LOOKUP"} 0"#), "{identity}");
    assert!(has(&identity, r#"beian_review_cases_overdue{kind="ACCOUNT_LOOKUP"} 0"#), "{identity}");
    assert!(has(&identity, "beian_review_effects_pending 0"), "{identity}");
    let last_year = beian_common::calendar::BusinessCalendar::china_default().last_listed_year();
    assert!(
        has(&identity, &format!("beian_review_calendar_last_year {}", last_year.unwrap_or(0))),
        "the shipped schedule's end: {identity}"
    );

    let mut everything = [gateway, codes, identity].concat();
    for address in [admin.filing_registry, admin.legacy_migration] {
        let (_, text) = scrape(address, "/metrics").await;
        assert!(has(&text, r#"beian_rpc_requests_total{rpc="/beian."#), "{text}");
        everything.push_str(&text);
    }
    // the shipped alert rules and dashboard watch only series that exist
    let monitoring = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/monitoring");
    for file in ["alerts.yaml", "grafana-dashboard.json"] {
        let text = std::fs::read_to_string(monitoring.join(file)).expect("shipped");
        for name in series_named(&text) {
            assert!(
                everything.contains(&format!("{name}{{")) || everything.contains(&format!("{name} ")),
                "{file} watches {name}, which no service exports"
            );
        }
    }
    let (status, _) = scrape(admin.gateway, "/other").await;
    assert!(status.contains("404"), "{status}");
    suite.stop().await;
}
