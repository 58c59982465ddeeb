//! The flags and environment variables of the verification-codes binary,
//! beyond the [`beian_platform::config::ServiceArgs`] every service takes.

use std::path::PathBuf;

use beian_platform::config::Secret;

/// How a human check is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HumanCheckKind {
    /// The built-in slider puzzle.
    #[default]
    Slider,
    /// An external captcha vendor's token, verified server-side.
    Vendor,
}

/// `on` or `off`, for switches set from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

// The service's own settings. clap shows the doc line below as the binary's description.
/// verification-codes: SMS and email codes, human checks, one-time proofs, caps and message delivery.
#[derive(Debug, Clone, clap::Args)]
pub struct VerificationArgs {
    /// Key of every HMAC (codes, proofs, pass tokens), at least 32 characters;
    /// required when the service runs alone.
    #[arg(long, env = "BEIAN_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// During a rotation of the secret key: the key being replaced. Queued messages
    /// sealed under it still open; codes, proofs and passes issued under it do not verify.
    #[arg(long, env = "BEIAN_PREVIOUS_SECRET_KEY", hide_env_values = true)]
    pub previous_secret_key: Option<Secret>,

    /// How long a code stays valid, in seconds (at most 600).
    #[arg(long, env = "BEIAN_CODE_TTL_SECS", default_value_t = 300)]
    pub code_ttl_secs: u64,
    /// Seconds before another code may go to the same destination for the same purpose.
    #[arg(long, env = "BEIAN_CODE_RESEND_COOLDOWN_SECS", default_value_t = 60)]
    pub code_resend_cooldown_secs: u64,
    /// Checks a code allows before it is dead.
    #[arg(long, env = "BEIAN_CODE_MAX_CHECKS", default_value_t = 5)]
    pub code_max_checks: u32,
    /// Wrong checks per destination and purpose in 24 hours; then no check and no new code for them.
    #[arg(long, env = "BEIAN_CODE_MAX_FAILURES_PER_DAY", default_value_t = 10)]
    pub code_max_failures_per_day: u32,
    /// Codes one destination may receive per hour for one purpose.
    #[arg(long, env = "BEIAN_CODE_DESTINATION_PER_HOUR", default_value_t = 5)]
    pub code_destination_per_hour: u32,
    /// Codes one destination may receive per day for one purpose.
    #[arg(long, env = "BEIAN_CODE_DESTINATION_PER_DAY", default_value_t = 10)]
    pub code_destination_per_day: u32,
    /// Codes one client address may ask for per hour.
    #[arg(long, env = "BEIAN_CODE_CLIENT_PER_HOUR", default_value_t = 20)]
    pub code_client_per_hour: u32,
    /// Codes one client address may ask for per day.
    #[arg(long, env = "BEIAN_CODE_CLIENT_PER_DAY", default_value_t = 50)]
    pub code_client_per_day: u32,
    /// SMS codes per hour to one 7-digit mobile prefix (SMS pumping guard).
    #[arg(long, env = "BEIAN_CODE_MOBILE_PREFIX_PER_HOUR", default_value_t = 30)]
    pub code_mobile_prefix_per_hour: u32,
    /// Email codes per hour to one mail domain.
    #[arg(long, env = "BEIAN_CODE_EMAIL_DOMAIN_PER_HOUR", default_value_t = 30)]
    pub code_email_domain_per_hour: u32,
    /// How long a proof stays redeemable, in seconds.
    #[arg(long, env = "BEIAN_PROOF_TTL_SECS", default_value_t = 600)]
    pub proof_ttl_secs: u64,

    /// Slider puzzle or external captcha vendor.
    #[arg(long, env = "BEIAN_HUMAN_CHECK", value_enum, default_value_t = HumanCheckKind::Slider)]
    pub human_check: HumanCheckKind,
    /// How long a slider challenge may be answered, in seconds.
    #[arg(long, env = "BEIAN_HUMAN_CHECK_TTL_SECS", default_value_t = 120)]
    pub human_check_ttl_secs: u64,
    /// How long a pass token stays redeemable, in seconds.
    #[arg(long, env = "BEIAN_HUMAN_PASS_TTL_SECS", default_value_t = 300)]
    pub human_pass_ttl_secs: u64,
    /// Pixels the slider answer may be off by.
    #[arg(long, env = "BEIAN_HUMAN_CHECK_TOLERANCE_PX", default_value_t = 5)]
    pub human_check_tolerance_px: u32,
    /// Drags faster than this many milliseconds fail.
    #[arg(long, env = "BEIAN_HUMAN_CHECK_MIN_DRAG_MS", default_value_t = 100)]
    pub human_check_min_drag_ms: u64,
    /// Slider challenges one client address may ask for per minute.
    #[arg(long, env = "BEIAN_HUMAN_CHECK_CLIENT_PER_MINUTE", default_value_t = 10)]
    pub human_check_client_per_minute: u32,
    /// The vendor's verification endpoint (BEIAN_HUMAN_CHECK=vendor).
    #[arg(long, env = "BEIAN_CAPTCHA_VENDOR_URL")]
    pub captcha_vendor_url: Option<String>,
    /// The vendor's server-side secret.
    #[arg(long, env = "BEIAN_CAPTCHA_VENDOR_SECRET", hide_env_values = true)]
    pub captcha_vendor_secret: Option<Secret>,
    /// Timeout of one verification call to the vendor, in milliseconds.
    #[arg(long, env = "BEIAN_CAPTCHA_VENDOR_TIMEOUT_MS", default_value_t = 3_000)]
    pub captcha_vendor_timeout_ms: u64,

    /// A development run: messages of a channel without a provider may go to
    /// the file sink (in clear). Without it the service refuses to start so.
    #[arg(long, env = "BEIAN_DEVELOPMENT")]
    pub development: bool,
    /// File the file sink appends messages to; default `<data dir>/messages.jsonl`.
    #[arg(long, env = "BEIAN_MESSAGES_FILE")]
    pub messages_file: Option<PathBuf>,
    /// SMTP server (`smtps://user:pass@host` or `smtp://…?tls=required`); email goes to the file sink when unset.
    #[arg(long, env = "BEIAN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// Sender of emails, e.g. `备案 <noreply@example.com>`.
    #[arg(long, env = "BEIAN_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Timeout of one SMTP delivery, in milliseconds.
    #[arg(long, env = "BEIAN_SMTP_TIMEOUT_MS", default_value_t = 10_000)]
    pub smtp_timeout_ms: u64,
    /// SMS provider endpoint; SMS goes to the file sink when unset.
    #[arg(long, env = "BEIAN_SMS_PROVIDER_URL")]
    pub sms_provider_url: Option<String>,
    /// The SMS provider credential, sent as `Authorization: Bearer …`.
    #[arg(long, env = "BEIAN_SMS_PROVIDER_KEY", hide_env_values = true)]
    pub sms_provider_key: Option<Secret>,
    /// Timeout of one call to the SMS provider, in milliseconds.
    #[arg(long, env = "BEIAN_SMS_PROVIDER_TIMEOUT_MS", default_value_t = 5_000)]
    pub sms_provider_timeout_ms: u64,
    /// Whether this process delivers queued messages (`off` leaves them queued).
    #[arg(long, env = "BEIAN_OUTBOX_DISPATCH", value_enum, default_value_t = Switch::On)]
    pub outbox_dispatch: Switch,
    /// How often the dispatcher looks for due messages, in milliseconds.
    #[arg(long, env = "BEIAN_OUTBOX_POLL_MS", default_value_t = 1_000)]
    pub outbox_poll_ms: u64,
    /// Delivery attempts before a message is given up as FAILED.
    #[arg(long, env = "BEIAN_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: u32,
    /// First retry delay in milliseconds; doubles per attempt (with jitter), capped at 10 minutes.
    #[arg(long, env = "BEIAN_OUTBOX_RETRY_BASE_MS", default_value_t = 1_000)]
    pub outbox_retry_base_ms: u64,
    /// How long a dispatcher holds a message it is delivering, in milliseconds; a
    /// message whose dispatcher died is tried again after it.
    #[arg(long, env = "BEIAN_OUTBOX_LEASE_MS", default_value_t = 60_000)]
    pub outbox_lease_ms: u64,
}
