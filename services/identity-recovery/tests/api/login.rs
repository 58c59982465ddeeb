//! Login that cannot be guessed at: growing waits then a temporary lock per login name
//! (an unknown name alike), a cap per client address, Argon2 work bounded by permits,
//! the lock notice, and staff sessions that end when idle.

use std::time::Duration;

use beian_platform::config::Secret;
use beian_proto::{
    identity_recovery::v1::{LoginRequest, LoginResponse, ResolveSessionRequest},
    verification_codes::v1::NoticeTemplate,
};
use futures::future::join_all;
use identity_recovery::{
    LockNoticePace, Settings,
    accounts::{
        Site,
        guard::{self, GuardPolicy},
    },
    seed::SeedAccount,
};
use sqlx::Row;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    fake_codes::FakeCodes,
    support::{NOWHERE, TestApp, fields, reason},
};

const PASSWORD: &str = "Demo#2026pass";
const WRONG: &str = "Wrong#2026pass";
const CLIENT: &str = "203.0.113.7";
const UNKNOWN: &str = "nobody-here-2026";

async fn seed(app: &TestApp) {
    let account = |account_id, login_name, mobile, email, staff| SeedAccount {
        account_id,
        login_name,
        site: Site::Cn,
        mobile,
        email,
        password: PASSWORD,
        staff,
    };
    identity_recovery::seed::insert_accounts(
        app.database(),
        &[
            account("acc-zhang", "zhangwei2019", "13912345678", "zhangwei@example.com", false),
            account("acc-staff", "reviewer01", "13800000001", "reviewer01@example.com", true),
        ],
    )
    .await
    .expect("seed accounts");
}

/// identity-recovery with `customise`d settings, seeded, calling `codes_url` for notices.
async fn start_calling(codes_url: &str, token: Secret, customise: impl FnOnce(&mut Settings)) -> TestApp {
    let app = TestApp::start_configured(codes_url, token, customise).await;
    seed(&app).await;
    app
}

async fn start(customise: impl FnOnce(&mut Settings)) -> TestApp {
    start_calling(NOWHERE, Secret::generate(), customise).await
}

/// Small waits so that locks run out within a test: a lock from the 2nd failure on,
/// 1 s more per 2 failures, at most 3 s. Never shed.
fn quick_locks(settings: &mut Settings) {
    settings.login.guard.failure_factor = 2;
    settings.login.guard.wait_increment = Duration::from_secs(1);
    settings.login.guard.max_wait = Duration::from_secs(3);
    settings.login.hash_permits = 64;
    settings.login.hash_wait = Duration::from_secs(30);
}

fn attempt(login_name: &str, password: &str, client_ip: &str) -> LoginRequest {
    LoginRequest {
        login_name: login_name.into(),
        password: password.into(),
        client_ip: client_ip.into(),
        locale: "en".into(),
    }
}

async fn login(app: &TestApp, request: LoginRequest) -> Result<LoginResponse, Status> {
    app.client().await.login(app.request(request)).await.map(tonic::Response::into_inner)
}

/// The refusal's reason and its RetryInfo delay in whole seconds (rounded up), if any.
fn refusal(result: Result<LoginResponse, Status>) -> (&'static str, Option<u64>) {
    let status = result.expect_err("refused");
    let delay = status.get_details_retry_info().and_then(|info| info.retry_delay);
    (reason(&status).as_str(), delay.map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)))
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let row = sqlx::query(sql).fetch_one(app.database().reader()).await.expect("counted");
    row.try_get::<i64, _>(0).expect("a count")
}

/// Failures the guard holds, all login names together.
async fn counted_failures(app: &TestApp) -> i64 {
    count(app, "select cast(coalesce(sum(failures), 0) as bigint) from login_failures").await
}

/// What a sequence of attempts on `login_name` answers: the same steps for any name.
async fn lock_story(app: &TestApp, login_name: &str) -> Vec<(&'static str, Option<u64>)> {
    let mut answers = Vec::new();
    for password in [WRONG, WRONG, PASSWORD] {
        answers.push(refusal(login(app, attempt(login_name, password, CLIENT)).await));
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    answers.push(refusal(login(app, attempt(login_name, WRONG, CLIENT)).await));
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    answers.push(refusal(login(app, attempt(login_name, WRONG, CLIENT)).await));
    answers.push(refusal(login(app, attempt(login_name, WRONG, CLIENT)).await));
    answers
}

#[tokio::test]
async fn failures_lock_with_growing_waits_and_unknown_names_lock_alike() {
    let app = start(quick_locks).await;
    let expected = vec![
        ("LOGIN_FAILED", None),
        // the 2nd failure locks for 1 s; the right password is then refused too
        ("ACCOUNT_LOCKED", Some(1)),
        ("ACCOUNT_LOCKED", Some(1)),
        // every failure from the factor on locks again; each factor more waits longer
        ("ACCOUNT_LOCKED", Some(1)),
        ("ACCOUNT_LOCKED", Some(2)),
        ("ACCOUNT_LOCKED", Some(2)),
    ];
    let (known, unknown) = tokio::join!(lock_story(&app, "zhangwei2019"), lock_story(&app, UNKNOWN));
    assert_eq!(known, expected);
    assert_eq!(unknown, expected, "an unknown name answers and locks exactly like a known one");
    // attempts refused while locked count nothing: 4 failures each
    assert_eq!(counted_failures(&app).await, 8);
    let status = login(&app, attempt(UNKNOWN, WRONG, CLIENT)).await.expect_err("locked");
    assert_eq!(status.code(), Code::ResourceExhausted);
    app.stop().await;
}

#[tokio::test]
async fn a_lock_runs_out_and_a_success_ends_the_streak() {
    let app = start(quick_locks).await;
    for _ in 0..2 {
        let _ = login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await;
    }
    assert_eq!(refusal(login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await).0, "ACCOUNT_LOCKED");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let answer = login(&app, attempt("ZhangWei2019", PASSWORD, CLIENT)).await.expect("unlocked by time");
    assert!(!answer.session_token.is_empty());
    // a new streak: one failure is only a failure again
    assert_eq!(refusal(login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await), ("LOGIN_FAILED", None));
    assert_eq!(counted_failures(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_quiet_streak_starts_again() {
    let app = start(|s| {
        quick_locks(s);
        s.login.guard.failure_reset = Duration::from_millis(600);
    })
    .await;
    assert_eq!(refusal(login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await).0, "LOGIN_FAILED");
    tokio::time::sleep(Duration::from_millis(700)).await;
    // without the reset this would be the 2nd failure, and lock
    assert_eq!(refusal(login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await).0, "LOGIN_FAILED");
    app.stop().await;
}

/// `guesses` wrong passwords for `login_name` at once: the answers' reasons, sorted.
async fn racing_guesses(app: &TestApp, login_name: &str, guesses: usize) -> Vec<&'static str> {
    let client = app.client().await;
    let calls = (0..guesses).map(|_| {
        let request = app.request(attempt(login_name, WRONG, CLIENT));
        let mut client = client.clone();
        async move { client.login(request).await }
    });
    let mut reasons: Vec<&'static str> =
        join_all(calls).await.into_iter().map(|r| reason(&r.expect_err("refused")).as_str()).collect();
    reasons.sort_unstable();
    reasons
}

#[tokio::test]
async fn racing_wrong_guesses_check_exactly_the_factor() {
    let app = start(|s| {
        s.login.guard.failure_factor = 5;
        s.login.hash_permits = 64;
        s.login.hash_wait = Duration::from_secs(30);
    })
    .await;
    for name in ["zhangwei2019", UNKNOWN] {
        let reasons = racing_guesses(&app, name, 24).await;
        let failed = reasons.iter().filter(|r| **r == "LOGIN_FAILED").count();
        let locked = reasons.iter().filter(|r| **r == "ACCOUNT_LOCKED").count();
        // 4 plain failures, the 5th locks, 19 never reach a password check
        assert_eq!((failed, locked), (4, 20), "{name}: {reasons:?}");
    }
    assert_eq!(counted_failures(&app).await, 10, "exactly the factor counted per name");
    app.stop().await;
}

#[tokio::test]
async fn a_client_address_is_capped_across_names() {
    let app = start(|s| {
        quick_locks(s);
        s.login.guard.failure_factor = 100;
        s.login.guard.client_failures_per_window = 3;
    })
    .await;
    // successes are not failures
    for _ in 0..4 {
        login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await.expect("logged in");
    }
    for name in ["zhangwei2019", "reviewer01", UNKNOWN] {
        assert_eq!(refusal(login(&app, attempt(name, WRONG, CLIENT)).await).0, "LOGIN_FAILED");
    }
    let (reason, retry) = refusal(login(&app, attempt("someone-else", WRONG, CLIENT)).await);
    assert_eq!(reason, "CLIENT_LIMIT");
    assert!(retry.is_some_and(|s| (1..=900).contains(&s)), "{retry:?}");
    // the right password from that address too; another address is not concerned
    assert_eq!(refusal(login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await).0, "CLIENT_LIMIT");
    login(&app, attempt("zhangwei2019", PASSWORD, "198.51.100.1")).await.expect("another address");
    // an IPv6 client counts per /64
    for host in ["2001:db8:7:7::1", "2001:db8:7:7::2", "2001:db8:7:7::3"] {
        assert_eq!(refusal(login(&app, attempt(UNKNOWN, WRONG, host)).await).0, "LOGIN_FAILED");
    }
    assert_eq!(refusal(login(&app, attempt(UNKNOWN, WRONG, "2001:db8:7:7::4")).await).0, "CLIENT_LIMIT");
    app.stop().await;
}

#[tokio::test]
async fn a_missing_client_address_is_invalid() {
    let app = start(|_| {}).await;
    for client_ip in ["", "not-an-address"] {
        let status = login(&app, attempt("zhangwei2019", PASSWORD, client_ip)).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(fields(&status), ["client_ip"]);
    }
    app.stop().await;
}

#[tokio::test]
async fn logins_beyond_the_hashing_permits_are_shed_and_count_nothing() {
    let app = start(|s| {
        s.login.hash_permits = 1;
        s.login.hash_wait = Duration::ZERO;
    })
    .await;
    let client = app.client().await;
    let calls = (0..16).map(|i| {
        let password = if i % 2 == 0 { PASSWORD } else { WRONG };
        let request = app.request(attempt("zhangwei2019", password, CLIENT));
        let mut client = client.clone();
        async move { client.login(request).await }
    });
    let answers = join_all(calls).await;
    let shed: Vec<&Status> =
        answers.iter().filter_map(|a| a.as_ref().err()).filter(|s| reason(s) == "OVERLOADED").collect();
    let failed = answers.iter().filter(|a| a.as_ref().is_err_and(|s| reason(s) == "LOGIN_FAILED")).count();
    assert!(!shed.is_empty(), "one permit cannot serve 16 logins at once");
    assert!(shed.len() < 16, "some went through");
    for status in &shed {
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert!(status.get_details_retry_info().is_some_and(|i| i.retry_delay.is_some()));
    }
    // a shed login counted no failure, for the name nor for the client
    let client_failures =
        count(&app, "select cast(coalesce(sum(failures), 0) as bigint) from login_client_failures").await;
    assert_eq!(counted_failures(&app).await, i64::try_from(failed).expect("small"));
    assert_eq!(client_failures, i64::try_from(failed).expect("small"));
    app.stop().await;
}

#[tokio::test]
async fn a_lock_sends_one_notice_to_each_contact_and_an_unknown_name_none() {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = start_calling(&codes.url(), token, |s| {
        quick_locks(s);
        s.login.lock_notices.retry = Duration::from_millis(100);
    })
    .await;
    // the outbox is down for the first try: the notice is queued on a later pass
    codes.fail_notices(1);
    for _ in 0..2 {
        let _ = login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await;
        let _ = login(&app, attempt(UNKNOWN, WRONG, CLIENT)).await;
    }
    // the same streak locking again asks for nothing more
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let _ = login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await;
    wait_until(|| codes.outbox_keys().len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let keys = codes.outbox_keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("account-locked:acc-zhang:")), "{keys:?}");
    let calls = codes.notice_calls();
    assert!(calls.len() >= 3, "one failed try, then both notices");
    for call in &calls {
        assert_eq!(call.template, NoticeTemplate::AccountLocked as i32);
        assert_eq!(call.locale, "en");
        assert_eq!(call.params.get("masked_login_name").map(String::as_str), Some("zh***9"));
        assert!(["13912345678", "zhangwei@example.com"].contains(&call.destination.as_str()));
    }
    assert_eq!(
        count(&app, "select cast(count(*) as bigint) from login_failures where lock_notice_due = 1").await,
        0
    );
    app.stop().await;
}

/// Lock notices tried every 100 ms, an undecided lock's notice sent after 300 ms.
fn quick_lock_notices(settings: &mut Settings) {
    quick_locks(settings);
    settings.login.lock_notices =
        LockNoticePace { retry: Duration::from_millis(100), grace: Duration::from_millis(300) };
}

#[tokio::test]
async fn a_login_that_dies_after_claiming_the_lock_still_has_the_lock_notice_sent() {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = start_calling(&codes.url(), token, quick_lock_notices).await;
    // two failures claimed as a login does before checking the password; the process
    // then dies before the password is checked, so nothing marks the notice due
    let policy = GuardPolicy { failure_factor: 2, ..GuardPolicy::default() };
    let key = guard::failure_key("zhangwei2019");
    for _ in 0..2 {
        let now = beian_platform::storage::now_millis();
        guard::claim_failure(
            &mut *app.database().writer().await.unwrap(),
            &key,
            Some("acc-zhang"),
            &policy,
            now,
            "en",
        )
        .await
        .expect("claimed")
        .expect("not yet locked");
    }
    wait_until(|| codes.outbox_keys().len() >= 2).await;
    let calls = codes.notice_calls();
    assert!(calls.iter().all(|c| c.template == NoticeTemplate::AccountLocked as i32 && c.locale == "en"));
    // the worker marks the notice sent after verification-codes accepted it: a moment later
    let due = "select cast(count(*) as bigint) from login_failures where lock_notice_due <> 0";
    for _ in 0..100 {
        if count(&app, due).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count(&app, due).await, 0, "the notice is no longer due");
    app.stop().await;
}

#[tokio::test]
async fn the_right_password_on_the_locking_attempt_logs_in_and_sends_no_lock_notice() {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    let app = start_calling(&codes.url(), token, quick_lock_notices).await;
    let refused = login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await.expect_err("wrong");
    assert_eq!(reason(&refused), "LOGIN_FAILED");
    // the 2nd attempt claims the lock before its password is checked; the password is right
    login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await.expect("logs in");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(codes.notice_calls().is_empty(), "{:?}", codes.outbox_keys());
    app.stop().await;
}

#[tokio::test]
async fn a_backlog_of_lock_notices_longer_than_a_batch_drains_at_once() {
    let token = Secret::generate();
    let codes = FakeCodes::start(token.clone()).await;
    // no retry within the test: only a new lock's doorbell and the backlog itself drive it
    let app = start_calling(&codes.url(), token, |s| {
        quick_locks(s);
        s.login.lock_notices.retry = Duration::from_secs(3600);
    })
    .await;
    // 150 locks of names without an account, their notices due (nothing to send for them)
    for n in 0..150 {
        sqlx::query(
            "insert into login_failures (login_key, account_id, failures, streak_started_at_ms, \
             last_failure_at_ms, locked_until_ms, lock_notice_due) values ($1, null, 2, 1, 1, 0, 1)",
        )
        .bind(format!("backlog-{n:03}"))
        .execute(&mut *app.database().writer().await.unwrap())
        .await
        .expect("inserted");
    }
    for _ in 0..2 {
        let _ = login(&app, attempt("zhangwei2019", WRONG, CLIENT)).await;
    }
    wait_until(|| codes.outbox_keys().len() >= 2).await;
    for _ in 0..100 {
        if count(&app, "select cast(count(*) as bigint) from login_failures where lock_notice_due <> 0").await
            == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(&app, "select cast(count(*) as bigint) from login_failures where lock_notice_due <> 0").await,
        0,
        "151 locks, every notice handled after one doorbell"
    );
    app.stop().await;
}

async fn wait_until(done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 5 s");
}

/// Waits (up to 5 s) for the sweep to leave `left` sessions in the table.
async fn swept_down_to(app: &TestApp, left: i64) {
    for _ in 0..100 {
        if count(app, "select cast(count(*) as bigint) from sessions").await == left {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sweep left other than {left} sessions");
}

async fn resolve(app: &TestApp, token: &str) -> Result<(), Status> {
    let request = app.request(ResolveSessionRequest { session_token: token.into() });
    app.client().await.resolve_session(request).await.map(drop)
}

#[tokio::test]
async fn staff_sessions_are_shorter_end_when_idle_and_are_swept() {
    let app = start(|s| {
        s.sessions.staff_idle_timeout = Duration::from_secs(2);
        s.sessions.sweep_every = Duration::from_millis(200);
    })
    .await;
    let customer = login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await.expect("customer");
    let staff = login(&app, attempt("reviewer01", PASSWORD, CLIENT)).await.expect("staff");
    let expiry = |answer: &LoginResponse| answer.expire_time.as_ref().map_or(0, |t| t.seconds);
    let apart = expiry(&customer) - expiry(&staff);
    assert!((28_790..=28_810).contains(&apart), "12 h against 4 h: {apart} s apart");

    // used within the timeout: it lives on past the first 2 s
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    resolve(&app, &staff.session_token).await.expect("in use");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    resolve(&app, &staff.session_token).await.expect("still in use");
    // idle past the timeout: gone, and swept from the table; the customer's is not idle-bound
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    let status = resolve(&app, &staff.session_token).await.expect_err("idle");
    assert_eq!(reason(&status), "SESSION_REQUIRED");
    resolve(&app, &customer.session_token).await.expect("a customer session has no idle timeout");
    swept_down_to(&app, 1).await;
    app.stop().await;
}

#[tokio::test]
async fn expired_sessions_are_swept() {
    let app = start(|s| {
        s.sessions.lifetime = Duration::from_secs(1);
        s.sessions.sweep_every = Duration::from_millis(200);
    })
    .await;
    let answer = login(&app, attempt("zhangwei2019", PASSWORD, CLIENT)).await.expect("logged in");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(reason(&resolve(&app, &answer.session_token).await.expect_err("expired")), "SESSION_REQUIRED");
    swept_down_to(&app, 0).await;
    app.stop().await;
}
