//! The product's numbers: lifetimes, attempts and caps (SPEC "Cross-cutting").

use std::time::Duration;

use super::args::VerificationArgs;

/// Lifetimes, attempts and caps. Send and challenge caps count per fixed
/// window of Beijing time ("per hour": this clock hour, "per day": this
/// calendar day, "per minute": this clock minute); failed checks over the
/// last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How long a code stays valid; at most [`Policy::MAX_CODE_TTL`].
    pub code_ttl: Duration,
    /// Between two codes to one destination for one purpose (the "60秒后重新发送" countdown).
    pub resend_cooldown: Duration,
    /// Checks per code; after the last wrong one the code is dead.
    pub max_checks: u32,
    /// Wrong checks of codes to one destination for one purpose in 24 hours;
    /// once reached, no check and no new code for that pair until the oldest
    /// is 24 hours old (NIST SP 800-63B: bound the failed guesses).
    pub max_failures_per_day: u32,
    /// Codes to one destination for one purpose.
    pub destination_per_hour: u32,
    pub destination_per_day: u32,
    pub client_per_hour: u32,
    pub client_per_day: u32,
    /// SMS codes per hour to one 7-digit mobile prefix: the SMS-pumping guard.
    pub mobile_prefix_per_hour: u32,
    /// Email codes per hour to one mail domain.
    pub email_domain_per_hour: u32,
    /// How long a proof stays redeemable.
    pub proof_ttl: Duration,
    /// How long a slider challenge may be answered.
    pub challenge_ttl: Duration,
    /// How long a human-check pass stays redeemable.
    pub pass_ttl: Duration,
    /// Pixels a slider answer may be off by.
    pub slider_tolerance_px: u32,
    /// Drags faster than this fail: no person drags a slider that quickly.
    pub min_drag: Duration,
    /// Slider challenges one client may ask for per minute.
    pub challenges_per_client_per_minute: u32,
}

impl Policy {
    /// Codes are short-lived by definition; a longer lifetime is refused.
    pub const MAX_CODE_TTL: Duration = Duration::from_secs(10 * 60);

    pub(crate) fn from_args(args: &VerificationArgs) -> anyhow::Result<Self> {
        let policy = Self {
            code_ttl: Duration::from_secs(args.code_ttl_secs),
            resend_cooldown: Duration::from_secs(args.code_resend_cooldown_secs),
            max_checks: args.code_max_checks,
            max_failures_per_day: args.code_max_failures_per_day,
            destination_per_hour: args.code_destination_per_hour,
            destination_per_day: args.code_destination_per_day,
            client_per_hour: args.code_client_per_hour,
            client_per_day: args.code_client_per_day,
            mobile_prefix_per_hour: args.code_mobile_prefix_per_hour,
            email_domain_per_hour: args.code_email_domain_per_hour,
            proof_ttl: Duration::from_secs(args.proof_ttl_secs),
            challenge_ttl: Duration::from_secs(args.human_check_ttl_secs),
            pass_ttl: Duration::from_secs(args.human_pass_ttl_secs),
            slider_tolerance_px: args.human_check_tolerance_px,
            min_drag: Duration::from_millis(args.human_check_min_drag_ms),
            challenges_per_client_per_minute: args.human_check_client_per_minute,
        };
        policy.validate()?;
        Ok(policy)
    }

    /// Refuses settings that would break the product's rules: a code living
    /// longer than 10 minutes, a zero lifetime, or a cap of zero (which would
    /// refuse everything).
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.code_ttl > Self::MAX_CODE_TTL {
            anyhow::bail!("the code lifetime must be at most 600 seconds");
        }
        let lifetimes = [
            ("code lifetime", self.code_ttl),
            ("proof lifetime", self.proof_ttl),
            ("challenge lifetime", self.challenge_ttl),
            ("pass lifetime", self.pass_ttl),
        ];
        if let Some((name, _)) = lifetimes.iter().find(|(_, d)| d.is_zero()) {
            anyhow::bail!("the {name} must be more than zero");
        }
        let counts = [
            ("checks per code", self.max_checks),
            ("failed checks per destination and purpose per day", self.max_failures_per_day),
            ("codes per destination per hour", self.destination_per_hour),
            ("codes per destination per day", self.destination_per_day),
            ("codes per client per hour", self.client_per_hour),
            ("codes per client per day", self.client_per_day),
            ("SMS codes per mobile prefix per hour", self.mobile_prefix_per_hour),
            ("email codes per mail domain per hour", self.email_domain_per_hour),
            ("challenges per client per minute", self.challenges_per_client_per_minute),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, n)| *n == 0) {
            anyhow::bail!("the number of {name} must be at least 1");
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            code_ttl: Duration::from_secs(5 * 60),
            resend_cooldown: Duration::from_secs(60),
            max_checks: 5,
            max_failures_per_day: 10,
            destination_per_hour: 5,
            destination_per_day: 10,
            client_per_hour: 20,
            client_per_day: 50,
            mobile_prefix_per_hour: 30,
            email_domain_per_hour: 30,
            proof_ttl: Duration::from_secs(10 * 60),
            challenge_ttl: Duration::from_secs(2 * 60),
            pass_ttl: Duration::from_secs(5 * 60),
            slider_tolerance_px: 5,
            min_drag: Duration::from_millis(100),
            challenges_per_client_per_minute: 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(Policy::default().validate().is_ok());
    }

    #[test]
    fn long_code_lifetimes_are_refused() {
        let policy = Policy { code_ttl: Duration::from_secs(601), ..Policy::default() };
        assert!(policy.validate().is_err());
        let policy = Policy { code_ttl: Duration::from_secs(600), ..Policy::default() };
        assert!(policy.validate().is_ok());
    }

    #[test]
    fn zero_caps_and_lifetimes_are_refused() {
        assert!(Policy { max_checks: 0, ..Policy::default() }.validate().is_err());
        assert!(Policy { max_failures_per_day: 0, ..Policy::default() }.validate().is_err());
        assert!(Policy { client_per_day: 0, ..Policy::default() }.validate().is_err());
        assert!(Policy { proof_ttl: Duration::ZERO, ..Policy::default() }.validate().is_err());
        assert!(Policy { resend_cooldown: Duration::ZERO, ..Policy::default() }.validate().is_ok());
    }
}
