//! Everything the service needs to start, from flags and environment
//! variables (a service run alone) or from the suite launcher.

mod args;
mod delivery;
mod human_check;
mod policy;

use std::path::Path;

use beian_platform::{
    config::{HostSettings, Secret, ServiceArgs, ports},
    storage::DatabaseLocation,
};

pub use args::{HumanCheckKind, Switch, VerificationArgs};
pub use delivery::{
    DeliverySettings, EmailAdapter, MESSAGES_FILE, SMS_TEMPLATE_VARIABLE_PREFIX, SmsAdapter, SmsHttpSettings,
    SmtpSettings,
};
pub use human_check::{HumanCheckSettings, VendorSettings};
pub use policy::Policy;

use crate::NAME;

/// Shortest secret key accepted: HMAC keys shorter than the hash are weak.
pub const MIN_SECRET_KEY_LEN: usize = 32;

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: HostSettings,
    pub database: DatabaseLocation,
    pub policy: Policy,
    pub human_check: HumanCheckSettings,
    pub delivery: DeliverySettings,
    /// Keys every HMAC (codes, proofs, pass tokens) and the sealing of queued
    /// message parameters. Changing it voids all codes, proofs and passes in
    /// flight, and queued messages fail.
    pub secret_key: Secret,
    /// The key being rotated out: opens message parameters sealed under it.
    pub previous_secret_key: Option<Secret>,
    /// A development run (`beian up`, tests): the file sink is allowed. A
    /// service without it refuses to start when a channel has no provider.
    pub development: bool,
}

impl Settings {
    /// A service run alone: BEIAN_INTERNAL_TOKEN and BEIAN_SECRET_KEY are required.
    pub fn from_args(args: &ServiceArgs, extra: &VerificationArgs) -> anyhow::Result<Self> {
        let secret_key = extra.secret_key.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "BEIAN_SECRET_KEY is not set: verification-codes needs a key of at least \
                 {MIN_SECRET_KEY_LEN} characters for its HMACs (use `beian up` to run the whole \
                 suite with a generated one)"
            )
        })?;
        let settings = Self {
            host: args.host(ports::VERIFICATION_CODES)?,
            database: args.database(NAME),
            policy: Policy::from_args(extra)?,
            human_check: HumanCheckSettings::from_args(extra)?,
            delivery: DeliverySettings::from_args(extra, &args.data_dir)?,
            secret_key,
            previous_secret_key: extra.previous_secret_key.clone(),
            development: extra.development,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// What `beian up` and tests start from: default policy, the slider, every
    /// message to `<data_dir>/messages.jsonl`, and a secret key generated for
    /// this run. Not a development run until the caller says so
    /// (`development: true`): without it the file sink is refused at start.
    pub fn local(host: HostSettings, database: DatabaseLocation, data_dir: &Path) -> Self {
        Self {
            host,
            database,
            policy: Policy::default(),
            human_check: HumanCheckSettings::Slider,
            delivery: DeliverySettings::file(data_dir.join(MESSAGES_FILE)),
            secret_key: Secret::generate(),
            previous_secret_key: None,
            development: false,
        }
    }

    /// Checks what the types cannot: the policy's bounds, the key's length,
    /// and that only a development run delivers to the file sink.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.policy.validate()?;
        if self.secret_key.expose().len() < MIN_SECRET_KEY_LEN {
            anyhow::bail!("the secret key must be at least {MIN_SECRET_KEY_LEN} characters");
        }
        if self.delivery.max_attempts == 0 {
            anyhow::bail!("the outbox needs at least one delivery attempt");
        }
        let on_file_sink = self.delivery.file_sink_channels();
        if !self.development && !on_file_sink.is_empty() {
            anyhow::bail!(
                "no provider for {} messages: they would go to the file sink, codes in clear. Set \
                 BEIAN_SMTP_URL and BEIAN_SMTP_FROM (email) and BEIAN_SMS_PROVIDER_URL and \
                 BEIAN_SMS_PROVIDER_KEY (SMS), or BEIAN_DEVELOPMENT=true for a development run",
                on_file_sink.join(" and ")
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ServiceArgs,
        #[command(flatten)]
        extra: VerificationArgs,
    }

    fn parse(flags: &[&str]) -> anyhow::Result<Settings> {
        let cli = Cli::try_parse_from(["verification-codes"].iter().chain(flags))?;
        Settings::from_args(&cli.args, &cli.extra)
    }

    const KEY: &str = "--secret-key=0123456789abcdef0123456789abcdef";
    const SMTP: [&str; 2] = ["--smtp-url=smtp://127.0.0.1:2525", "--smtp-from=noreply@example.com"];
    const SMS: [&str; 2] = ["--sms-provider-url=http://127.0.0.1:9/sms", "--sms-provider-key=k"];

    #[test]
    fn a_service_alone_needs_its_secret_key() {
        let error = parse(&["--internal-token=t", "--development"]).expect_err("refused");
        assert!(error.to_string().contains("BEIAN_SECRET_KEY"), "{error}");
        let settings =
            parse(&["--internal-token=t", KEY, "--data-dir=/tmp/x", "--development"]).expect("parses");
        assert_eq!(settings.policy, Policy::default());
        assert_eq!(settings.delivery.file_sink, Path::new("/tmp/x/messages.jsonl"));
        assert!(matches!(settings.delivery.email, EmailAdapter::File));
        assert!(settings.delivery.dispatch);
        assert!(settings.development);
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn the_file_sink_needs_a_development_run() {
        let error = parse(&["--internal-token=t", KEY]).expect_err("refused");
        assert!(error.to_string().contains("email and SMS"), "{error}");
        assert!(error.to_string().contains("BEIAN_DEVELOPMENT=true"), "{error}");
        let sms_only =
            parse(&["--internal-token=t", KEY, SMS[0], SMS[1]]).expect_err("email on the file sink");
        assert!(sms_only.to_string().contains("no provider for email"), "{sms_only}");
        let providers =
            parse(&["--internal-token=t", KEY, SMTP[0], SMTP[1], SMS[0], SMS[1]]).expect("parses");
        assert!(!providers.development);
        assert!(providers.delivery.file_sink_channels().is_empty());
        let local = Settings::local(providers.host.clone(), providers.database.clone(), Path::new("/tmp/x"));
        assert!(local.validate().is_err(), "not a development run until told so");
        assert!(Settings { development: true, ..local }.validate().is_ok());
    }

    #[test]
    fn flags_adjust_policy_and_delivery() {
        let settings = parse(&[
            "--internal-token=t",
            KEY,
            "--code-ttl-secs=120",
            "--code-max-failures-per-day=20",
            "--outbox-dispatch=off",
            SMTP[0],
            SMTP[1],
            SMS[0],
            SMS[1],
        ])
        .expect("parses");
        assert_eq!(settings.policy.code_ttl.as_secs(), 120);
        assert_eq!(settings.policy.max_failures_per_day, 20);
        assert!(!settings.delivery.dispatch);
        assert!(matches!(settings.delivery.email, EmailAdapter::Smtp(_)));
    }

    #[test]
    fn bad_combinations_are_refused() {
        assert!(parse(&["--internal-token=t", KEY, "--development", "--code-ttl-secs=601"]).is_err());
        assert!(parse(&["--internal-token=t", KEY, "--human-check=vendor"]).is_err());
        assert!(parse(&["--internal-token=t", KEY, "--smtp-url=smtp://h"]).is_err());
        assert!(parse(&["--internal-token=t", KEY, "--sms-provider-url=http://h"]).is_err());
        assert!(parse(&["--internal-token=t", "--secret-key=short"]).is_err());
    }
}
