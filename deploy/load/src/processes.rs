//! The five service binaries as separate processes, configured by environment as
//! a deployment configures them (`deploy/suite.env.example`), sharing the run's
//! databases and message sink: each service's resident memory can then be read
//! on its own, idle and under load, to size its container.

use std::{
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use beian::Addresses;
use beian_platform::config::Secret;
use tonic::transport::Endpoint;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::{storage::Storage, suite::CAP};

/// A service's own environment variables.
type Settings<'a> = Vec<(&'static str, &'a str)>;

/// The services, each its own process.
#[derive(Debug)]
pub struct Processes {
    children: Vec<(&'static str, Child)>,
    pub addresses: Addresses,
}

/// One process's memory from `/proc/<pid>/status`, in KiB.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Memory {
    /// Resident now (VmRSS).
    pub rss_kib: u64,
    /// The most it has been resident (VmHWM).
    pub peak_kib: u64,
}

impl Processes {
    /// Starts each binary from `bin_dir` and waits until every one answers its health check.
    pub async fn start(bin_dir: &Path, storage: &Storage) -> anyhow::Result<Self> {
        let addresses = Addresses {
            gateway: free_port()?,
            verification_codes: free_port()?,
            filing_registry: free_port()?,
            identity_recovery: free_port()?,
            legacy_migration: free_port()?,
        };
        let url = |address: SocketAddr| format!("http://{address}");
        let peers = [
            ("BEIAN_VERIFICATION_CODES_URL", url(addresses.verification_codes)),
            ("BEIAN_FILING_REGISTRY_URL", url(addresses.filing_registry)),
            ("BEIAN_IDENTITY_RECOVERY_URL", url(addresses.identity_recovery)),
            ("BEIAN_LEGACY_MIGRATION_URL", url(addresses.legacy_migration)),
        ];
        let cap = CAP.to_string();
        // the load policy of the in-process suite (suite::load_policy), as settings
        let own: [(&'static str, SocketAddr, Settings<'_>); 5] = [
            (
                verification_codes::NAME,
                addresses.verification_codes,
                vec![
                    ("BEIAN_DEVELOPMENT", "true"),
                    ("BEIAN_CODE_RESEND_COOLDOWN_SECS", "0"),
                    ("BEIAN_CODE_DESTINATION_PER_HOUR", &cap),
                    ("BEIAN_CODE_DESTINATION_PER_DAY", &cap),
                    ("BEIAN_CODE_CLIENT_PER_HOUR", &cap),
                    ("BEIAN_CODE_CLIENT_PER_DAY", &cap),
                    ("BEIAN_CODE_MOBILE_PREFIX_PER_HOUR", &cap),
                    ("BEIAN_CODE_EMAIL_DOMAIN_PER_HOUR", &cap),
                    ("BEIAN_HUMAN_CHECK_CLIENT_PER_MINUTE", &cap),
                ],
            ),
            (filing_registry::NAME, addresses.filing_registry, vec![]),
            (
                identity_recovery::NAME,
                addresses.identity_recovery,
                vec![("BEIAN_LOGIN_CLIENT_FAILURES", &cap)],
            ),
            (legacy_migration::NAME, addresses.legacy_migration, vec![]),
            (gateway::NAME, addresses.gateway, vec![]),
        ];
        let token = Secret::generate();
        let secret_key = Secret::generate();
        let mut processes = Self { children: Vec::new(), addresses };
        for (service, listen, settings) in own {
            let binary = bin_dir.join(service);
            let database = storage.scratch.location(service)?;
            let child = Command::new(&binary)
                .env_clear()
                .env("BEIAN_LISTEN_ADDR", listen.to_string())
                .env("BEIAN_DATABASE_URL", database.expose())
                .env("BEIAN_DATA_DIR", storage.scratch.dir())
                .env("BEIAN_MESSAGES_FILE", storage.scratch.dir().join(verification_codes::MESSAGES_FILE))
                .env("BEIAN_INTERNAL_TOKEN", token.expose())
                .env("BEIAN_SECRET_KEY", secret_key.expose())
                .env("BEIAN_LOG", "warn")
                .envs(peers.iter().map(|(name, value)| (*name, value.as_str())))
                .envs(settings)
                // warnings and errors only (BEIAN_LOG=warn): worth seeing beside the figures
                .stdout(Stdio::inherit())
                .spawn()
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot start {} ({e}): build it with `cargo build --release --bins`",
                        binary.display()
                    )
                })?;
            processes.children.push((service, child));
        }
        for (_, address) in processes.each_address() {
            serving(address).await?;
        }
        Ok(processes)
    }

    fn each_address(&self) -> [(&'static str, SocketAddr); 5] {
        let a = self.addresses;
        [
            (verification_codes::NAME, a.verification_codes),
            (filing_registry::NAME, a.filing_registry),
            (identity_recovery::NAME, a.identity_recovery),
            (legacy_migration::NAME, a.legacy_migration),
            (gateway::NAME, a.gateway),
        ]
    }

    /// Each service's memory now.
    pub fn memory(&self) -> anyhow::Result<Vec<(&'static str, Memory)>> {
        self.children.iter().map(|(service, child)| Ok((*service, memory_of(child.id())?))).collect()
    }

    /// SIGTERM, then waits for each to drain and exit.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let children = std::mem::take(&mut self.children);
        tokio::task::spawn_blocking(move || {
            for (service, mut child) in children {
                let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
                let status = child.wait()?;
                anyhow::ensure!(status.success(), "{service} exited with {status}");
            }
            Ok(())
        })
        .await?
    }
}

impl Drop for Processes {
    /// A failed run leaves no service behind.
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port free now; the child binds it a moment later.
fn free_port() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

async fn serving(address: SocketAddr) -> anyhow::Result<()> {
    let endpoint = Endpoint::from_shared(format!("http://{address}"))?;
    for _ in 0..600 {
        if let Ok(channel) = endpoint.connect().await {
            let answer =
                HealthClient::new(channel).check(HealthCheckRequest { service: String::new() }).await;
            if answer.is_ok_and(|a| a.into_inner().status == ServingStatus::Serving as i32) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("nothing served on {address} within a minute")
}

fn memory_of(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
            .ok_or_else(|| anyhow::anyhow!("no {name} in /proc/{pid}/status"))
    };
    Ok(Memory { rss_kib: field("VmRSS:")?, peak_kib: field("VmHWM:")? })
}
