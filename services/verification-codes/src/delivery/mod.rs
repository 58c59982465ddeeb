//! Delivery adapters: how a rendered message leaves, per channel. Each
//! attempt says whether the message went, may be retried, or never will.
//! The message id goes to every provider on every attempt, so a provider can
//! drop the duplicate a retry after a lost answer produces.

mod file_sink;
mod sms_http;
mod smtp;

use std::{collections::BTreeMap, sync::Arc};

use beian_common::vocabulary::Channel;

use crate::{
    destination::Destination,
    locale::Locale,
    settings::{DeliverySettings, EmailAdapter, SmsAdapter},
    templates::Rendered,
};

/// One message, rendered, for one attempt.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub message_id: &'a str,
    pub destination: &'a Destination,
    /// The template's name (also the SMS provider's template id by default).
    pub template: &'a str,
    pub locale: Locale,
    pub params: &'a BTreeMap<String, String>,
    pub rendered: &'a Rendered,
}

/// How an attempt went. Causes never hold personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth another attempt later (provider down, timeout, 5xx).
    Retry(String),
    /// Never deliverable (refused address, 4xx).
    Failed(String),
}

/// The adapters of both channels.
#[derive(Debug)]
pub struct Deliverer {
    email: Email,
    sms: Sms,
}

#[derive(Debug)]
enum Email {
    File(Arc<file_sink::FileSink>),
    Smtp(Box<smtp::SmtpSender>),
}

#[derive(Debug)]
enum Sms {
    File(Arc<file_sink::FileSink>),
    Http(sms_http::SmsHttp),
}

impl Deliverer {
    /// Builds the adapters; a malformed SMTP URL or sender fails here, at start.
    pub fn new(settings: &DeliverySettings) -> anyhow::Result<Self> {
        let sink = Arc::new(file_sink::FileSink::new(settings.file_sink.clone()));
        let email = match &settings.email {
            EmailAdapter::File => Email::File(sink.clone()),
            EmailAdapter::Smtp(smtp) => Email::Smtp(Box::new(smtp::SmtpSender::new(smtp)?)),
        };
        let sms = match &settings.sms {
            SmsAdapter::File => Sms::File(sink),
            SmsAdapter::Http(http) => Sms::Http(sms_http::SmsHttp::new(http)?),
        };
        if matches!(email, Email::File(_)) || matches!(sms, Sms::File(_)) {
            tracing::warn!(
                file = %settings.file_sink.display(),
                "messages go to a file sink (development only): codes are readable there"
            );
        }
        Ok(Self { email, sms })
    }

    pub async fn deliver(&self, message: Outgoing<'_>) -> Outcome {
        match (message.destination.channel(), &self.email, &self.sms) {
            (Channel::Email, Email::File(sink), _) | (Channel::Sms, _, Sms::File(sink)) => {
                sink.append(message).await
            }
            (Channel::Email, Email::Smtp(smtp), _) => smtp.send(message).await,
            (Channel::Sms, _, Sms::Http(http)) => http.send(message).await,
        }
    }
}
