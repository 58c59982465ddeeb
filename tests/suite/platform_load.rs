//! The current platform's export (`beian platform load`) seen by the services: a loaded
//! account logs in with its password (its Argon2id hash as exported), finds its loaded
//! filing, and the filing password it was exported with is the one filing-registry checks.

use beian::platform::{
    self,
    generate::{GenerateOptions, account_password, filing_password, generate},
};
use beian_platform::bulk::LoadOptions;
use beian_proto::gateway::v1::{LoginRequest, account_service_client::AccountServiceClient};
use beian_tests::TestSuite;

use crate::{
    filing::{deregister, my_filing},
    reason,
};

fn lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[tokio::test]
async fn a_loaded_account_logs_in_and_manages_its_loaded_filing() {
    let suite = TestSuite::start().await;
    let dir = suite.scratch().dir().join("export");
    generate(&dir, &GenerateOptions { subjects: 20, seed: 3, bad_rows: 0, gzip: false }).unwrap();
    let identity = identity_recovery::Application::open_database(&suite.database(identity_recovery::NAME))
        .await
        .unwrap();
    let registry =
        filing_registry::Application::open_database(&suite.database(filing_registry::NAME)).await.unwrap();
    let targets = platform::Targets { identity_recovery: &identity, filing_registry: &registry };
    let options = LoadOptions { batch_size: 7, progress: false, ..LoadOptions::default() };
    let report = platform::load(targets, &dir, &options).await.unwrap();
    assert_eq!(report.table("subjects").unwrap().loaded, 20);
    identity.close().await;
    registry.close().await;

    // an ACTIVE website, its subject and the account holding it
    let website = lines(&dir.join("websites.jsonl")).into_iter().find(|w| w["state"] == "ACTIVE").unwrap();
    let subject = lines(&dir.join("subjects.jsonl"))
        .into_iter()
        .find(|s| s["filing_number"] == website["filing_number"])
        .unwrap();
    let n: u64 = subject["holder_account_id"].as_str().unwrap()[1..].parse().unwrap();

    let mut accounts = AccountServiceClient::new(suite.gateway().await);
    let login = |password: String| LoginRequest { login_name: format!("Platform_User{n}"), password };
    let wrong = accounts.login(login("Platform#wrong".into())).await.expect_err("wrong password");
    assert_eq!(reason(&wrong), "LOGIN_FAILED");
    let session =
        accounts.login(login(account_password(n))).await.expect("logs in").into_inner().session_token;

    let mine = my_filing(&suite, &session).await.expect("its filing");
    assert_eq!(mine.filing_number, subject["filing_number"].as_str().unwrap());
    let number = website["website_number"].as_str().unwrap();
    let shown = mine.websites.iter().find(|w| w.website_number == number).expect("the website");
    assert_eq!(
        shown.domains,
        website["domains"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect::<Vec<_>>()
    );

    let refused = deregister(&suite, &session, number, "999999x").await.expect_err("wrong filing password");
    assert_eq!(reason(&refused), "FILING_PASSWORD_INCORRECT");
    deregister(&suite, &session, number, &filing_password(n)).await.expect("the exported filing password");
    suite.stop().await;
}
