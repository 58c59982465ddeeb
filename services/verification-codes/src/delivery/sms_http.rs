//! SMS through a provider's HTTP API: a JSON POST of `message_id`, `phone`,
//! `template_id`, `locale`, `params` and the rendered `text`, with the
//! credential in `Authorization: Bearer …` and the message id again in
//! `Idempotency-Key`. 2xx: delivered; 408, 429, 5xx or no answer: retry;
//! any other 4xx: the provider will never take it.

use std::collections::BTreeMap;

use beian_platform::config::Secret;
use serde::Serialize;

use super::{Outcome, Outgoing};
use crate::settings::SmsHttpSettings;

#[derive(Debug)]
pub struct SmsHttp {
    client: reqwest::Client,
    url: String,
    key: Secret,
    template_ids: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Payload<'a> {
    message_id: &'a str,
    phone: &'a str,
    template_id: &'a str,
    locale: &'static str,
    params: &'a BTreeMap<String, String>,
    text: &'a str,
}

impl SmsHttp {
    pub fn new(settings: &SmsHttpSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the SMS provider client: {e}"))?;
        Ok(Self {
            client,
            url: settings.url.clone(),
            key: settings.key.clone(),
            template_ids: settings.template_ids.clone(),
        })
    }

    pub async fn send(&self, message: Outgoing<'_>) -> Outcome {
        let payload = Payload {
            message_id: message.message_id,
            phone: message.destination.address(),
            template_id: self.template_ids.get(message.template).map_or(message.template, String::as_str),
            locale: message.locale.as_str(),
            params: message.params,
            text: &message.rendered.text,
        };
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(self.key.expose())
            .header("Idempotency-Key", message.message_id)
            .json(&payload)
            .send()
            .await;
        match response {
            Err(error) => Outcome::Retry(format!("SMS provider unreachable: {}", error.without_url())),
            Ok(response) => {
                let status = response.status();
                if status.is_success() {
                    Outcome::Delivered
                } else if status.is_server_error()
                    || status == reqwest::StatusCode::REQUEST_TIMEOUT
                    || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                {
                    Outcome::Retry(format!("SMS provider answered {status}"))
                } else {
                    Outcome::Failed(format!("SMS provider answered {status}"))
                }
            }
        }
    }
}
