//! ResetPassword in and out.

use beian_common::{
    masking::{mask_email, mask_mobile},
    password_policy,
};
use beian_platform::wire::{
    enums::{required, to_wire},
    required_text,
};
use beian_proto::{common::v1 as common, identity_recovery::v1 as pb};

use crate::{
    error::Error,
    peers::Channel,
    service::{ResetDone, ResetRequest},
};

pub fn reset_request(request: pb::ResetPasswordRequest) -> Result<ResetRequest, Error> {
    let account_id = super::account_id(&request.account_id)?.to_owned();
    let proof = required_text(&request.proof, 512).map_err(|d| Error::invalid("proof", d))?.to_owned();
    let channel = required("channel", request.channel)?;
    let request_id =
        required_text(&request.request_id, 128).map_err(|d| Error::invalid("request_id", d))?.to_owned();
    let locale = super::locale(&request.locale)?;
    Ok(ResetRequest {
        account_id,
        proof,
        channel,
        new_password: new_password(request.new_password)?,
        request_id,
        locale,
    })
}

/// Present, at most `MAX_CHARS` characters, no control characters; the policy itself
/// answers its own reasons later.
pub fn new_password(value: String) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::invalid("new_password", "is required"));
    }
    if value.chars().count() > password_policy::MAX_CHARS {
        return Err(Error::invalid(
            "new_password",
            format!("must be at most {} characters", password_policy::MAX_CHARS),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid("new_password", "must not contain control characters"));
    }
    Ok(value)
}

pub fn reset_done(done: ResetDone) -> pb::ResetPasswordResponse {
    pb::ResetPasswordResponse {
        notified: done
            .notified
            .iter()
            .map(|(channel, destination)| common::MaskedContact {
                channel: to_wire(*channel),
                masked_destination: match channel {
                    Channel::Sms => mask_mobile(destination),
                    Channel::Email => mask_email(destination),
                },
            })
            .collect(),
    }
}
