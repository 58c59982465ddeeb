//! Caps on sending codes: cooldown, per destination per hour and per day,
//! per client, per prefix; each refusal with its reason and RetryInfo.

use std::time::Duration;

use beian_platform::status::ErrorReason;
use beian_proto::verification_codes::v1 as pb;

use crate::common::{TestDatabase, TestService, WireChannel, WirePurpose, reason, retry_delay, sms_request};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

fn about(delay: Duration, expected: Duration) -> bool {
    delay <= expected && delay + Duration::from_secs(10) > expected
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
async fn the_hourly_cap_per_destination() {
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
    assert!(about(retry_delay(&refused), HOUR), "{:?}", retry_delay(&refused));
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_daily_cap_per_destination() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| {
        s.policy.resend_cooldown = Duration::ZERO;
        s.policy.destination_per_day = 3;
    })
    .await;
    for _ in 0..3 {
        service.send_sms("13900000003", "198.51.100.3").await.expect("within the cap");
    }
    let refused = service.send_sms("13900000003", "198.51.100.3").await.expect_err("fourth in a day");
    assert_eq!(reason(&refused), ErrorReason::DestinationDailyLimit);
    assert!(about(retry_delay(&refused), DAY), "{:?}", retry_delay(&refused));
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_cap_per_client_address() {
    let db = TestDatabase::fresh().await;
    let service = TestService::start_with(&db, |s| s.policy.client_per_hour = 2).await;
    service.send_sms("13900000004", "198.51.100.4").await.expect("first");
    service.send_sms("13900000005", "198.51.100.4").await.expect("second");
    let refused = service.send_sms("13900000006", "198.51.100.4").await.expect_err("third from one address");
    assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    assert!(about(retry_delay(&refused), HOUR));
    // IPv6 clients count by their /64.
    service.send_sms("13900000006", "2001:db8:1:2::1").await.expect("first from the /64");
    service.send_sms("13900000007", "2001:db8:1:2::2").await.expect("second from the /64");
    let refused = service.send_sms("13900000008", "2001:db8:1:2::3").await.expect_err("third from the /64");
    assert_eq!(reason(&refused), ErrorReason::ClientLimit);
    service.stop().await;
    db.remove().await;
}

#[tokio::test]
async fn the_cap_per_number_block_and_mail_domain() {
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
    assert!(about(retry_delay(&refused), HOUR));
    service.send_sms("13700021001", "198.51.100.12").await.expect("another block");

    let email = |address: &str, ip: &str| pb::SendCodeRequest {
        request_id: String::new(),
        channel: WireChannel::Email as i32,
        destination: address.into(),
        purpose: WirePurpose::AccountLookup as i32,
        client_ip: ip.into(),
        locale: "en".into(),
    };
    service.public().send_code(email("a@mail.example.com", "198.51.100.13")).await.expect("first");
    service.public().send_code(email("b@Mail.Example.com", "198.51.100.14")).await.expect("second");
    let refused =
        service.public().send_code(email("c@mail.example.com", "198.51.100.15")).await.expect_err("third");
    assert_eq!(reason(&refused), ErrorReason::DestinationPrefixLimit);
    service.stop().await;
    db.remove().await;
}
