//! Where messages go and how the outbox dispatcher retries them.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use beian_platform::config::Secret;

use super::args::{Switch, VerificationArgs};
use crate::templates::Template;

/// The file the file sink appends to, under the data directory by default.
pub const MESSAGES_FILE: &str = "messages.jsonl";

/// Prefix of the variables naming the SMS provider's template ids, e.g.
/// `BEIAN_SMS_TEMPLATE_CODE_ACCOUNT_LOOKUP` or `BEIAN_SMS_TEMPLATE_LOGIN_NAME`.
pub const SMS_TEMPLATE_VARIABLE_PREFIX: &str = "BEIAN_SMS_TEMPLATE_";

/// Delivery adapters and the dispatcher's pace.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub email: EmailAdapter,
    pub sms: SmsAdapter,
    /// Where the file adapters append: one JSON object per line.
    pub file_sink: PathBuf,
    /// How often the dispatcher looks for due messages (it is also woken on enqueue).
    pub poll_interval: Duration,
    /// Attempts before a message is given up as FAILED.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, with jitter, up to 10 minutes.
    pub retry_base: Duration,
    /// How long a dispatcher holds a message it is delivering; an attempt may
    /// take half of it. A message whose dispatcher died is tried after it.
    pub lease: Duration,
    /// Whether this process delivers; `false` leaves messages queued for another.
    pub dispatch: bool,
}

/// How emails leave.
#[derive(Debug, Clone)]
pub enum EmailAdapter {
    /// Appended to the file sink (development: a person reads the codes there).
    File,
    Smtp(SmtpSettings),
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtps://user:pass@host[:465]`, `smtp://user:pass@host[:587]?tls=required`,
    /// or plain `smtp://host[:25]` for a local relay. Holds credentials: never printed.
    pub url: Secret,
    /// The From mailbox, e.g. `备案 <noreply@example.com>`.
    pub from: String,
    pub timeout: Duration,
}

/// How SMS leave.
#[derive(Debug, Clone)]
pub enum SmsAdapter {
    /// Appended to the file sink.
    File,
    Http(SmsHttpSettings),
}

#[derive(Debug, Clone)]
pub struct SmsHttpSettings {
    /// The provider's endpoint; messages are POSTed there as JSON.
    pub url: String,
    /// Sent as `Authorization: Bearer …`.
    pub key: Secret,
    /// Provider template id per template name; a template without one is sent
    /// with its own name as the id.
    pub template_ids: BTreeMap<String, String>,
    pub timeout: Duration,
}

impl DeliverySettings {
    /// Everything to the file sink at `file_sink`, dispatched at once.
    pub fn file(file_sink: PathBuf) -> Self {
        Self {
            email: EmailAdapter::File,
            sms: SmsAdapter::File,
            file_sink,
            poll_interval: Duration::from_secs(1),
            max_attempts: 8,
            retry_base: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            dispatch: true,
        }
    }

    /// The channels whose messages go to the file sink.
    pub fn file_sink_channels(&self) -> Vec<&'static str> {
        let email = matches!(self.email, EmailAdapter::File).then_some("email");
        let sms = matches!(self.sms, SmsAdapter::File).then_some("SMS");
        email.into_iter().chain(sms).collect()
    }

    pub(crate) fn from_args(args: &VerificationArgs, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let email = match (&args.smtp_url, &args.smtp_from) {
            (Some(url), Some(from)) => EmailAdapter::Smtp(SmtpSettings {
                url: url.clone(),
                from: from.clone(),
                timeout: Duration::from_millis(args.smtp_timeout_ms),
            }),
            (Some(_), None) => anyhow::bail!("BEIAN_SMTP_URL is set but BEIAN_SMTP_FROM is not"),
            (None, _) => EmailAdapter::File,
        };
        let sms = match (&args.sms_provider_url, &args.sms_provider_key) {
            (Some(url), Some(key)) => SmsAdapter::Http(SmsHttpSettings {
                url: url.clone(),
                key: key.clone(),
                template_ids: sms_template_ids_from_env(),
                timeout: Duration::from_millis(args.sms_provider_timeout_ms),
            }),
            (Some(_), None) => {
                anyhow::bail!("BEIAN_SMS_PROVIDER_URL is set but BEIAN_SMS_PROVIDER_KEY is not")
            }
            (None, _) => SmsAdapter::File,
        };
        if args.outbox_max_attempts == 0 {
            anyhow::bail!("BEIAN_OUTBOX_MAX_ATTEMPTS must be at least 1");
        }
        Ok(Self {
            email,
            sms,
            file_sink: args.messages_file.clone().unwrap_or_else(|| data_dir.join(MESSAGES_FILE)),
            poll_interval: Duration::from_millis(args.outbox_poll_ms.max(10)),
            max_attempts: args.outbox_max_attempts,
            retry_base: Duration::from_millis(args.outbox_retry_base_ms),
            lease: Duration::from_millis(args.outbox_lease_ms.max(200)),
            dispatch: args.outbox_dispatch == Switch::On,
        })
    }
}

/// `BEIAN_SMS_TEMPLATE_<NAME>` for every template the service sends. The set
/// of names is fixed by the templates, so only those variables are read.
fn sms_template_ids_from_env() -> BTreeMap<String, String> {
    Template::all()
        .into_iter()
        .filter_map(|template| {
            let name = template.name();
            let id = std::env::var(format!("{SMS_TEMPLATE_VARIABLE_PREFIX}{name}")).ok()?;
            Some((name, id))
        })
        .collect()
}
