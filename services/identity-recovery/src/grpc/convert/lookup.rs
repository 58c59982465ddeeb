//! CompleteAccountLookup in and out.

use beian_common::{
    contact::normalise_mobile,
    masking::{mask_email, mask_login_name, mask_mobile},
};
use beian_platform::wire::{enums::to_wire, required_text};
use beian_proto::{common::v1 as common, identity_recovery::v1 as pb};

use crate::{
    error::Error,
    peers::Channel,
    service::{LookupDone, LookupRequest},
};

pub fn lookup_request(request: pb::CompleteAccountLookupRequest) -> Result<LookupRequest, Error> {
    let proof = required_text(&request.proof, 512).map_err(|d| Error::invalid("proof", d))?.to_owned();
    let account_id = super::account_id(&request.account_id)?.to_owned();
    let locale = super::locale(&request.locale)?;
    let destination =
        required_text(&request.destination, 32).map_err(|d| Error::invalid("destination", d)).and_then(
            |mobile| normalise_mobile(mobile).map_err(|e| Error::invalid("destination", e.to_string())),
        )?;
    let request_id =
        required_text(&request.request_id, 128).map_err(|d| Error::invalid("request_id", d))?.to_owned();
    Ok(LookupRequest { proof, account_id, locale, destination, request_id })
}

/// Only masked forms leave: the login name itself went to the account's own contacts.
pub fn lookup_done(done: LookupDone) -> pb::CompleteAccountLookupResponse {
    pb::CompleteAccountLookupResponse {
        masked_login_name: mask_login_name(&done.account.login_name),
        sent_to: done
            .sent_to
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
