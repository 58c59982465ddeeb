//! Typed settings read from environment variables (and flags), with defaults
//! that run out of the box. Secrets never print.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

/// A value that must never reach logs: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The clear value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A fresh random secret (32 bytes, hex), e.g. a per-run internal credential.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// How logs are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable, coloured when stdout is a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Logging and tracing settings, shared by every binary.
#[derive(Debug, Clone, clap::Args)]
pub struct TelemetrySettings {
    /// Log filter (tracing EnvFilter syntax), applied to the stdout layer only.
    #[arg(long = "log", env = "BEIAN_LOG", default_value = "info")]
    pub log_filter: String,
    /// Log format on stdout.
    #[arg(long, env = "BEIAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// OTLP/gRPC collector; spans are exported only when set.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self { log_filter: "info".into(), log_format: LogFormat::Pretty, otlp_endpoint: None }
    }
}

/// How one service is served: address, limits and the suite credential.
#[derive(Debug, Clone)]
pub struct HostSettings {
    pub listen: SocketAddr,
    /// Requests running longer are answered DEADLINE_EXCEEDED.
    pub request_timeout: Duration,
    /// Requests in flight across all connections; beyond it requests are shed (RESOURCE_EXHAUSTED).
    pub concurrency_limit: usize,
    /// The suite's service-to-service credential.
    pub internal_token: Secret,
    /// A second credential admitted, never sent: during a rotation, first the one
    /// coming in, then the one going out (README, "Rotate the internal token").
    pub also_admitted_internal_token: Option<Secret>,
    /// Where `GET /metrics` answers (none: no admin port).
    pub admin_listen: Option<SocketAddr>,
    /// The service's own metrics registry: the host records every RPC into it, the
    /// service its peer calls and its own series.
    pub metrics: crate::metrics::Metrics,
}

/// Flags and variables every service binary takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ServiceArgs {
    /// Address to listen on (each service has its own default port).
    #[arg(long, env = "BEIAN_LISTEN_ADDR")]
    pub listen: Option<SocketAddr>,
    /// Database URL: sqlite://… or postgres://…; default: SQLite file under the data directory.
    #[arg(long, env = "BEIAN_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,
    /// PostgreSQL connections this process holds at most: replicas × this must stay under
    /// the server's `max_connections`.
    #[arg(long, env = "BEIAN_DATABASE_MAX_CONNECTIONS", default_value_t = crate::storage::DEFAULT_MAX_CONNECTIONS)]
    pub database_max_connections: u32,
    /// Directory of the default SQLite databases.
    #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Service-to-service credential; required when a service runs alone.
    #[arg(long, env = "BEIAN_INTERNAL_TOKEN", hide_env_values = true)]
    pub internal_token: Option<Secret>,
    /// A second credential admitted, never sent (a rotation's incoming, then outgoing one).
    #[arg(long, env = "BEIAN_ALSO_ADMITTED_INTERNAL_TOKEN", hide_env_values = true)]
    pub also_admitted_internal_token: Option<Secret>,
    /// Request timeout in milliseconds.
    #[arg(long, env = "BEIAN_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Requests in flight before load shedding.
    #[arg(long, env = "BEIAN_CONCURRENCY_LIMIT", default_value_t = 512)]
    pub concurrency_limit: usize,
    /// Admin port address: `GET /metrics` (Prometheus); none when unset.
    #[arg(long, env = "BEIAN_ADMIN_ADDR")]
    pub admin_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub peers: PeerSettings,
    #[command(flatten)]
    pub telemetry: TelemetrySettings,
}

impl ServiceArgs {
    /// Host settings with the service's default port when none was given.
    pub fn host(&self, default_listen: SocketAddr) -> anyhow::Result<HostSettings> {
        let internal_token = self.internal_token.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "BEIAN_INTERNAL_TOKEN is not set: a service running alone needs the suite's \
                 shared credential (use `beian up` to run the whole suite with a generated one)"
            )
        })?;
        Ok(HostSettings {
            listen: self.listen.unwrap_or(default_listen),
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            concurrency_limit: self.concurrency_limit,
            internal_token,
            also_admitted_internal_token: self.also_admitted_internal_token.clone(),
            admin_listen: self.admin_listen,
            metrics: crate::metrics::Metrics::new(),
        })
    }

    /// The database to open for `service`.
    pub fn database(&self, service: &str) -> crate::storage::DatabaseLocation {
        match &self.database_url {
            Some(url) => crate::storage::DatabaseLocation::url(url.clone()),
            None => crate::storage::DatabaseLocation::sqlite_file(&self.data_dir, service),
        }
        .with_max_connections(self.database_max_connections)
    }
}

/// Where the other services listen.
#[derive(Debug, Clone, clap::Args)]
pub struct PeerSettings {
    #[arg(long, env = "BEIAN_VERIFICATION_CODES_URL", default_value = "http://127.0.0.1:50052")]
    pub verification_codes: String,
    #[arg(long, env = "BEIAN_FILING_REGISTRY_URL", default_value = "http://127.0.0.1:50053")]
    pub filing_registry: String,
    #[arg(long, env = "BEIAN_IDENTITY_RECOVERY_URL", default_value = "http://127.0.0.1:50054")]
    pub identity_recovery: String,
    #[arg(long, env = "BEIAN_LEGACY_MIGRATION_URL", default_value = "http://127.0.0.1:50055")]
    pub legacy_migration: String,
    /// Timeout of one call to another service, in milliseconds.
    #[arg(long, env = "BEIAN_PEER_TIMEOUT_MS", default_value_t = 5_000)]
    pub timeout_ms: u64,
}

/// Default addresses of the five services.
pub mod ports {
    use std::net::{Ipv4Addr, SocketAddr};

    pub const GATEWAY: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50051);
    pub const VERIFICATION_CODES: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50052);
    pub const FILING_REGISTRY: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50053);
    pub const IDENTITY_RECOVERY: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50054);
    pub const LEGACY_MIGRATION: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50055);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn generated_secrets_differ() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a.expose(), b.expose());
    }
}
