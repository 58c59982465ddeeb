//! Wire → domain validation (a failure names the field) and domain → wire.

use std::{collections::BTreeMap, time::Duration};

use beian_common::vocabulary::Channel;
use beian_platform::{error::Common, wire::enums::required, wire::required_text};
use beian_proto::verification_codes::v1 as pb;

use crate::{
    client::ClientAddress,
    codes::{CODE_DIGITS, Digits},
    destination::Destination,
    error::Error,
    human_check::{SliderAnswer, slider},
    locale::Locale,
    outbox::EnqueueNotice,
    templates::{self, Notice},
};

/// Longest id, token or key the service accepts.
const MAX_TOKEN_CHARS: usize = 128;
/// Vendor tokens are long opaque strings (reCAPTCHA's run to ~2 KB).
const MAX_VENDOR_TOKEN_CHARS: usize = 4096;

pub fn client(value: &str) -> Result<ClientAddress, Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid("client_ip", "is required"));
    }
    ClientAddress::parse(value).ok_or_else(|| Error::invalid("client_ip", "must be an IPv4 or IPv6 address"))
}

/// The destination for `channel`; the description never repeats the value.
pub fn destination(channel: Channel, value: &str) -> Result<Destination, Error> {
    Destination::parse(channel, value).map_err(|e| Error::invalid("destination", e.to_string()))
}

pub fn locale(value: &str) -> Result<Locale, Error> {
    Locale::parse(value).ok_or_else(|| Error::invalid("locale", "must be zh-CN (default) or en"))
}

fn token(field: &'static str, value: &str) -> Result<String, Error> {
    required_text(value, MAX_TOKEN_CHARS).map(str::to_owned).map_err(|d| Error::invalid(field, d))
}

pub fn code_id(value: &str) -> Result<String, Error> {
    token("code_id", value)
}

pub fn pass_token(value: &str) -> Result<String, Error> {
    token("pass_token", value)
}

pub fn proof(value: &str) -> Result<String, Error> {
    token("proof", value)
}

/// A caller's idempotency key (SendCode, CheckCode): required, at most 128 characters.
pub fn request_id(value: &str) -> Result<String, Error> {
    token("request_id", value)
}

pub fn idempotency_key(value: &str) -> Result<String, Error> {
    token("idempotency_key", value)
}

/// Empty means none; otherwise at most 128 characters.
pub fn redemption_key(value: &str) -> Result<Option<String>, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    token("redemption_key", value).map(Some)
}

/// Exactly six ASCII digits, spaces around ignored.
pub fn code(value: &str) -> Result<Digits, Error> {
    let value = value.trim();
    if value.len() == CODE_DIGITS && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Digits::typed(value))
    } else {
        Err(Error::invalid("code", "must be the 6 digits received"))
    }
}

/// The destination a proof must have been issued for, if given.
pub fn optional_destination(value: &str) -> Result<Option<Destination>, Error> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    Destination::parse_any(value).map(Some).map_err(|e| Error::invalid("destination", e.to_string()))
}

/// The answer a human gave: a slider offset, or a vendor token.
#[derive(Debug)]
pub enum HumanAnswer {
    Slider { challenge_id: String, answer: SliderAnswer },
    Vendor(String),
}

pub fn human_answer(answer: Option<pb::answer_human_check_request::Answer>) -> Result<HumanAnswer, Error> {
    use pb::answer_human_check_request::Answer;
    match answer {
        None => Err(Error::invalid("answer", "a slider answer or a vendor_token is required")),
        Some(Answer::Slider(slider)) => {
            let challenge_id = required_text(&slider.challenge_id, MAX_TOKEN_CHARS)
                .map_err(|d| Error::invalid("slider.challenge_id", d))?
                .to_owned();
            let x = u32::try_from(slider.x)
                .ok()
                .filter(|&x| x <= slider::WIDTH)
                .ok_or_else(|| Error::invalid("slider.x", format!("must be 0 to {}", slider::WIDTH)))?;
            let drag_millis = u64::try_from(slider.drag_millis)
                .map_err(|_| Error::invalid("slider.drag_millis", "must not be negative"))?;
            Ok(HumanAnswer::Slider {
                challenge_id,
                answer: SliderAnswer { x, drag: Duration::from_millis(drag_millis) },
            })
        }
        Some(Answer::VendorToken(token)) => required_text(&token, MAX_VENDOR_TOKEN_CHARS)
            .map(|t| HumanAnswer::Vendor(t.to_owned()))
            .map_err(|d| Error::invalid("vendor_token", d)),
    }
}

/// An EnqueueNotice request, alone or among a redemption's notices.
pub fn enqueue_notice(request: pb::EnqueueNoticeRequest) -> Result<EnqueueNotice, Error> {
    let channel = required("channel", request.channel)?;
    let notice = notice(request.template)?;
    Ok(EnqueueNotice {
        idempotency_key: idempotency_key(&request.idempotency_key)?,
        destination: destination(channel, &request.destination)?,
        notice,
        locale: locale(&request.locale)?,
        params: notice_params(notice, &request.params)?,
    })
}

/// A redemption's notices; a refusal names the notice (`notices[1].destination`).
pub fn notices(requests: Vec<pb::EnqueueNoticeRequest>) -> Result<Vec<EnqueueNotice>, Error> {
    requests
        .into_iter()
        .enumerate()
        .map(|(index, request)| {
            enqueue_notice(request).map_err(|error| match error {
                Error::Common(Common::InvalidArgument { field, description }) => {
                    Error::invalid(format!("notices[{index}].{field}"), description)
                }
                other => other,
            })
        })
        .collect()
}

pub fn notice(value: i32) -> Result<Notice, Error> {
    use pb::NoticeTemplate as T;
    match T::try_from(value) {
        Ok(T::LoginName) => Ok(Notice::LoginName),
        Ok(T::FilingPassword) => Ok(Notice::FilingPassword),
        Ok(T::TransferCompleted) => Ok(Notice::TransferCompleted),
        Ok(T::ReviewDecided) => Ok(Notice::ReviewDecided),
        Ok(T::PasswordChanged) => Ok(Notice::PasswordChanged),
        Ok(T::AccountLocked) => Ok(Notice::AccountLocked),
        Ok(T::OrderApproved) => Ok(Notice::OrderApproved),
        Ok(T::OrderRejected) => Ok(Notice::OrderRejected),
        Ok(T::TransferFailed) => Ok(Notice::TransferFailed),
        Ok(T::LegacyLoginReset) => Ok(Notice::LegacyLoginReset),
        Ok(T::Unspecified) | Err(_) => Err(Error::invalid("template", "must name a notice template")),
    }
}

pub fn notice_params(
    notice: Notice,
    params: &std::collections::HashMap<String, String>,
) -> Result<BTreeMap<String, String>, Error> {
    let params: BTreeMap<String, String> =
        params.iter().map(|(k, v)| (k.clone(), v.trim().to_owned())).collect();
    templates::check_notice_params(notice, &params).map_err(|e| Error::invalid("params", e.to_string()))?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(error: Error) -> String {
        match error {
            Error::Common(beian_platform::error::Common::InvalidArgument { field, .. }) => field.into_owned(),
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn codes_are_six_ascii_digits() {
        assert_eq!(code(" 012345 ").map(|d| d.expose().to_owned()).ok().as_deref(), Some("012345"));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(field_of(code(bad).expect_err(bad)), "code");
        }
    }

    #[test]
    fn notices_refuse_unspecified_and_unknown_values() {
        assert_eq!(field_of(notice(0).expect_err("unspecified")), "template");
        assert_eq!(field_of(notice(99).expect_err("unknown")), "template");
    }

    #[test]
    fn slider_answers_are_bounded() {
        let answer = |x, drag_millis| {
            human_answer(Some(pb::answer_human_check_request::Answer::Slider(pb::SliderAnswer {
                challenge_id: "c".into(),
                x,
                drag_millis,
            })))
        };
        assert!(answer(100, 500).is_ok());
        assert_eq!(field_of(answer(-1, 500).expect_err("negative")), "slider.x");
        assert_eq!(field_of(answer(321, 500).expect_err("beyond")), "slider.x");
        assert_eq!(field_of(answer(10, -5).expect_err("negative")), "slider.drag_millis");
        assert_eq!(field_of(human_answer(None).expect_err("none")), "answer");
    }

    #[test]
    fn destination_errors_never_repeat_the_value() {
        let error = destination(Channel::Sms, "secret-13812").expect_err("invalid");
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
