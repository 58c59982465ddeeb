//! Email over SMTP (lettre): STARTTLS or implicit TLS with rustls in
//! production, plain only for a local relay. The outbox message id becomes
//! the Message-ID header, so a retried message carries the same id.

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox,
        header::{ContentTransferEncoding, ContentType},
    },
};

use super::{Outcome, Outgoing};
use crate::settings::SmtpSettings;

#[derive(Debug)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of Message-IDs: the sender's domain.
    id_domain: String,
}

impl SmtpSender {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let url = settings.url.expose();
        if sends_password_in_clear(url) {
            anyhow::bail!(
                "BEIAN_SMTP_URL carries credentials over plain smtp://: use smtps:// or add ?tls=required"
            );
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("BEIAN_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(settings.timeout))
            .build();
        let from: Mailbox =
            settings.from.parse().map_err(|e| anyhow::anyhow!("BEIAN_SMTP_FROM is not a mailbox: {e}"))?;
        let id_domain = from.email.domain().to_owned();
        Ok(Self { transport, from, id_domain })
    }

    pub async fn send(&self, message: Outgoing<'_>) -> Outcome {
        let Ok(to) = message.destination.address().parse::<Mailbox>() else {
            return Outcome::Failed("the destination is not a deliverable mailbox".into());
        };
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.rendered.subject.clone())
            .message_id(Some(format!("<{}@{}>", message.message_id, self.id_domain)))
            .header(ContentType::TEXT_PLAIN)
            // Any relay carries base64, whatever it says of 8BITMIME.
            .header(ContentTransferEncoding::Base64)
            .body(message.rendered.text.clone());
        let email = match email {
            Ok(email) => email,
            Err(error) => return Outcome::Failed(format!("cannot build the email: {error}")),
        };
        match self.transport.send(email).await {
            Ok(_) => Outcome::Delivered,
            Err(error) if error.is_permanent() => Outcome::Failed(describe(&error)),
            Err(error) => Outcome::Retry(describe(&error)),
        }
    }
}

/// The error without the server's text, which may echo the recipient.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("SMTP server answered {code}"),
        None if error.is_timeout() => "SMTP timed out".into(),
        None => format!("SMTP failed: {error}"),
    }
}

/// `smtp://user:pass@host` without `tls=required` or `tls=opportunistic`.
fn sends_password_in_clear(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("smtp://") else { return false };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority.contains('@') && !url.contains("tls=required") && !url.contains("tls=opportunistic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_travel_in_clear() {
        assert!(sends_password_in_clear("smtp://user:pass@mail.example.com"));
        assert!(!sends_password_in_clear("smtp://user:pass@mail.example.com:587?tls=required"));
        assert!(!sends_password_in_clear("smtps://user:pass@mail.example.com"));
        assert!(!sends_password_in_clear("smtp://127.0.0.1:2525"));
        assert!(!sends_password_in_clear("smtp://relay.local/helo@name"));
    }
}
