use tonic_types::StatusExt;

use super::*;

#[test]
fn every_reason_has_two_messages_and_round_trips() {
    for value in 0..=200 {
        let Ok(reason) = ErrorReason::try_from(value) else { continue };
        let (zh, en) = messages::templates(reason);
        assert!(!zh.is_empty() && !en.is_empty(), "{reason:?}");
        let status = Status::from(Failure::new(reason));
        assert_eq!(status.code(), code_of(reason));
        if reason != ErrorReason::Unspecified {
            assert_eq!(reason_of(&status), Some(reason), "{reason:?}");
        }
    }
}

#[test]
fn legacy_outcomes_use_the_seed_wording() {
    let status = Status::from(
        Failure::new(ErrorReason::FilingExistsOnLegacy).with_param("legacy_email", "j***@example.com"),
    );
    let details = status.get_error_details_vec();
    let zh = details
        .iter()
        .find_map(|d| match d {
            ErrorDetail::LocalizedMessage(m) if m.locale == "zh-CN" => Some(m.message.clone()),
            _ => None,
        })
        .expect("zh-CN message");
    assert_eq!(zh, "需通过验证原备案账号 j***@example.com，将备案信息导入后继续备案");
    let info = status.get_details_error_info().expect("error info");
    assert_eq!(info.reason, "FILING_EXISTS_ON_LEGACY");
    assert_eq!(info.metadata.get("legacy_email").map(String::as_str), Some("j***@example.com"));
}

#[test]
fn bad_input_names_the_field() {
    let status = Status::from(Failure::invalid_field("domain", "must be a domain name"));
    assert_eq!(status.code(), Code::InvalidArgument);
    let bad = status.get_details_bad_request().expect("bad request");
    assert_eq!(bad.field_violations[0].field, "domain");
}

#[test]
fn limits_say_when_to_retry() {
    let status =
        Status::from(Failure::new(ErrorReason::CodeResendTooSoon).retry_after(Duration::from_millis(28_200)));
    assert_eq!(status.code(), Code::ResourceExhausted);
    let retry = status.get_details_retry_info().expect("retry info");
    assert_eq!(retry.retry_delay, Some(Duration::from_millis(28_200)));
    let zh = status
        .get_error_details_vec()
        .into_iter()
        .find_map(|d| match d {
            ErrorDetail::LocalizedMessage(m) if m.locale == "zh-CN" => Some(m.message),
            _ => None,
        })
        .expect("zh-CN message");
    assert_eq!(zh, "29秒后重新发送");
}
