//! Limits on sending codes: cooldown, per destination and purpose per hour
//! and per day, per client, per prefix, the daily limit of failed checks;
//! each refusal with its reason and RetryInfo; exact under concurrency.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1 as pb;

use crate::common::{
    TestDatabase, TestService, WireChannel, WirePurpose, check_request, fresh_window, reason, retry_delay,
    sms_request, until_window_end,
};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// `delay` is `expected`, give or take the test's own run time.
fn about(delay: Duration, expected: Duration) -> bool {
    delay.abs_diff(expected) < Duration::from_secs(10)
}

#[tokio::test]
async fn a_resend_inside_the_cooldown_says_when_to_retry() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start(&db).await;
    service.send_sms("13900000001", "198.51.100.1").await.expect("first");
    let refused = service.send_sms("13900000001", "198.51.100.1").await.expect_err("too soon");
    assert_eq!(reason(&refused), ErrorReason::CodeResendTooSoon);
    let delay = retry_delay(&refused);
    assert!(about(delay, Duration::from_secs(60)), "{delay:?}");
    assert!(refused.message().contains("seconds"), "{}", refused.message());
    // The cooldown is per purpose: a code for another purpose may go.
    let other = sms_request("13900000001", WirePurpose::FilingTransfer, "198.51.100.1");
    service.public().send_code(other).await.expect("another purpose");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_hourly_cap_per_destination_and_purpose() {
    fresh_window(HOUR).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.destination_per_hour = 2;
    })
    .await;
    for _ in 0..2 {
        service.send_sms("13900000002", "198.51.100.2").await.expect("within the cap");
    }
    let refused = service.send_sms("13900000002", "198.51.100.2").await.expect_err("third in an hour");
    assert_eq!(reason(&refused), ErrorReason::DestinationHourlyLimit);
    let delay = retry_delay(&refused);
    assert!(about(delay, until_window_end(HOUR)), "{delay:?}: the end of the hour window");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn a_purpose_at_its_daily_cap_leaves_other_purposes_working() {
    fresh_window(DAY).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.destination_per_day = 3;
    })
    .await;
    for i in 0..3 {
        // from several addresses: the cap counts the destination, whoever asks
        service.send_sms("13900000003", &format!("198.51.100.{}", 30 + i)).await.expect("within the cap");
    }
    let refused = service.send_sms("13900000003", "198.51.100.3").await.expect_err("fourth in a day");
    assert_eq!(reason(&refused), ErrorReason::DestinationDailyLimit);
    let delay = retry_delay(&refused);
    assert!(about(delay, until_window_end(DAY)), "{delay:?}: the end of the day window");
    for purpose in [WirePurpose::PasswordReset, WirePurpose::FilingTransfer] {
        let request = sms_request("13900000003", purpose, "198.51.100.3");
        service.public().send_code(request).await.expect("another purpose has its own allowance");
    }
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_cap_per_client_address() {
    fresh_window(HOUR).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.policy.client_per_hour = 2).await;
    service.send_sms("13900000004", "198.51.100.4").await.expect("first");
    service.send_sms("13900000005", "198.51.100.4").await.expect("second");
    let refused = service.send_sms("13900000006", "198.51.100.4").await.expect_err("third from one address");
    assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    assert!(about(retry_delay(&refused), until_window_end(HOUR)));
    // IPv6 clients count by their /64.
    service.send_sms("13900000006", "2001:db8:1:2::1").await.expect("first from the /64");
    service.send_sms("13900000007", "2001:db8:1:2::2").await.expect("second from the /64");
    let refused = service.send_sms("13900000008", "2001:db8:1:2::3").await.expect_err("third from the /64");
    assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn refused_sends_use_up_no_allowance() {
    fresh_window(HOUR).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.client_per_hour = 1;
        s.policy.destination_per_hour = 2;
    })
    .await;
    service.send_sms("13900000010", "198.51.100.40").await.expect("the address's one code");
    for _ in 0..5 {
        let refused = service.send_sms("13900000011", "198.51.100.40").await.expect_err("address capped");
        assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    }
    // The refused sends counted against nothing: the mobile still has its two codes an hour.
    service.send_sms("13900000011", "198.51.100.41").await.expect("first to the mobile");
    service.send_sms("13900000011", "198.51.100.42").await.expect("second to the mobile");
    let refused = service.send_sms("13900000011", "198.51.100.43").await.expect_err("third");
    assert_eq!(reason(&refused), ErrorReason::DestinationHourlyLimit);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn concurrent_sends_fill_a_cap_exactly() {
    fresh_window(HOUR).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.client_per_hour = 5;
        s.policy.destination_per_hour = 3;
    })
    .await;
    // one client, many destinations: the client cap
    let sends = (0..16).map(|i| {
        let mut client = service.public();
        let request = sms_request(&format!("1390001{:04}", i), WirePurpose::AccountLookup, "198.51.100.50");
        async move { client.send_code(request).await }
    });
    let results = futures::future::join_all(sends).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(reason(refused), ErrorReason::ClientLimit);
    }
    // one destination and purpose, many clients: the destination cap
    let sends = (0..12).map(|i| {
        let mut client = service.public();
        let request =
            sms_request("13900020000", WirePurpose::AccountLookup, &format!("198.51.100.{}", 60 + i));
        async move { client.send_code(request).await }
    });
    let results = futures::future::join_all(sends).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        // the daily counter (10) may briefly hold the additions of sends being refused
        // at the same moment: refused all the same, naming the longer cap
        let reason = reason(refused);
        assert!(
            [ErrorReason::DestinationHourlyLimit, ErrorReason::DestinationDailyLimit].contains(&reason.0),
            "{reason:?}"
        );
    }
    let live = service
        .scalar_i64(
            "select cast(count(*) as bigint) from codes where destination_key = $1 and state = 'LIVE'",
            "13900020000",
        )
        .await;
    assert_eq!(live, 1, "only the newest code works");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn failed_checks_reach_a_daily_limit_per_destination_and_purpose() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.max_failures_per_day = 4;
    })
    .await;
    const MOBILE: &str = "13900000020";
    const CLIENT: &str = "198.51.100.70";
    let first = service.send_sms(MOBILE, CLIENT).await.expect("sent");
    let code = service.code_sent_to(MOBILE).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    for _ in 0..3 {
        let refused =
            service.public().check_code(check_request(&first.code_id, &wrong)).await.expect_err("wrong");
        assert_eq!(reason(&refused), ErrorReason::CodeIncorrect);
    }
    // a fresh code gives fresh attempts, but not fresh failures for the day
    let second = service.send_sms(MOBILE, CLIENT).await.expect("a new code");
    let refused = service.public().check_code(check_request(&second.code_id, "000000")).await;
    let refused = refused.err().filter(|r| reason(r) == ErrorReason::CodeIncorrect);
    let refused = match refused {
        Some(refused) => refused,
        // 000000 was the code: one more wrong guess instead
        None => {
            service.public().check_code(check_request(&second.code_id, "000001")).await.expect_err("wrong")
        }
    };
    assert_eq!(reason(&refused), ErrorReason::CodeIncorrect);

    // the fourth failure reached the limit: no check of a live code, even a right one, and no new code
    let second_code = crate::common::wait_for(|| {
        let all: Vec<_> = service.messages().into_iter().filter(|m| m["destination"] == MOBILE).collect();
        (all.len() == 2).then(|| all[1]["params"]["code"].as_str().unwrap().to_owned())
    })
    .await;
    let refused = service
        .public()
        .check_code(check_request(&second.code_id, &second_code))
        .await
        .expect_err("checks refused");
    assert_eq!(reason(&refused), ErrorReason::CodeFailuresLimit);
    assert!(about(retry_delay(&refused), DAY), "{:?}", retry_delay(&refused));
    let refused = service.send_sms(MOBILE, CLIENT).await.expect_err("codes refused");
    assert_eq!(reason(&refused), ErrorReason::CodeFailuresLimit);
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    assert!(about(retry_delay(&refused), DAY), "{:?}", retry_delay(&refused));
    // other purposes of the same mobile are not affected
    let other = sms_request(MOBILE, WirePurpose::PasswordReset, CLIENT);
    service.public().send_code(other).await.expect("another purpose");
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_cap_per_number_block_and_mail_domain() {
    fresh_window(HOUR).await;
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.mobile_prefix_per_hour = 2;
        s.policy.email_domain_per_hour = 2;
    })
    .await;
    service.send_sms("13700011001", "198.51.100.10").await.expect("first in the block");
    service.send_sms("13700011002", "198.51.100.11").await.expect("second in the block");
    let refused = service.send_sms("13700011003", "198.51.100.12").await.expect_err("SMS pumping");
    assert_eq!(reason(&refused), ErrorReason::DestinationPrefixLimit);
    assert!(about(retry_delay(&refused), until_window_end(HOUR)));
    service.send_sms("13700021001", "198.51.100.12").await.expect("another block");

    let email = |address: &str, ip: &str| pb::SendCodeRequest {
        request_id: crate::common::request_id(),
        channel: WireChannel::Email as i32,
        destination: address.into(),
        purpose: WirePurpose::AccountLookup as i32,
        client_ip: ip.into(),
        locale: "en".into(),
        decoy: false,
    };
    service.public().send_code(email("a@mail.example.com", "198.51.100.13")).await.expect("first");
    service.public().send_code(email("b@Mail.Example.com", "198.51.100.14")).await.expect("second");
    let refused =
        service.public().send_code(email("c@mail.example.com", "198.51.100.15")).await.expect_err("third");
    assert_eq!(reason(&refused), ErrorReason::DestinationPrefixLimit);
    service.stop().await;
    db.remove().await;
}
