//! The gateway's own settings, beyond the flags every service takes.

use crate::proxies::TrustedProxies;

// The gateway's own settings. clap shows the doc line below as the binary's description.
/// The suite's public API: user-facing workflows over gRPC and gRPC-Web.
#[derive(Debug, Clone, clap::Args)]
pub struct GatewayArgs {
    /// Proxies (CIDR blocks or addresses, comma-separated) whose `x-forwarded-for` names
    /// the client; empty: the header is ignored and the client is the TCP peer.
    #[arg(long, env = "BEIAN_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Customer-service review requests one client address may make per day (China time).
    #[arg(long, env = "BEIAN_REVIEW_REQUESTS_PER_CLIENT_PER_DAY", default_value_t = crate::DEFAULT_REVIEW_REQUESTS_PER_CLIENT_PER_DAY)]
    pub review_requests_per_client_per_day: u32,
    /// Review status lookups (case number + mobile) one client address may make per day:
    /// bounds guessing at other applicants' cases.
    #[arg(long, env = "BEIAN_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY", default_value_t = crate::DEFAULT_REVIEW_STATUS_LOOKUPS_PER_CLIENT_PER_DAY)]
    pub review_status_lookups_per_client_per_day: u32,
    /// Legacy import attempts (email and password of a legacy login) one client address may
    /// make per day: bounds guessing across many legacy emails, each of which locks alone.
    #[arg(long, env = "BEIAN_LEGACY_IMPORTS_PER_CLIENT_PER_DAY", default_value_t = crate::DEFAULT_LEGACY_IMPORTS_PER_CLIENT_PER_DAY)]
    pub legacy_imports_per_client_per_day: u32,
}

impl GatewayArgs {
    pub fn trusted_proxies(&self) -> anyhow::Result<TrustedProxies> {
        TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("BEIAN_TRUSTED_PROXIES: {e}"))
    }
}
