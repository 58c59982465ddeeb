//! The suite under load: all five services in-process (`beian::RunningSuite`),
//! synthetic filings loaded first, and a code policy whose caps cannot refuse
//! anything during a run, so the figures measure the work and not the limits.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use beian::{Addresses, RunningSuite, SuiteSettings};
use beian_platform::storage::Database;
use tonic::transport::{Channel, Endpoint};
use verification_codes::Policy;

use crate::{
    processes::{Memory, Processes},
    seed::{self, Filing},
    storage::Storage,
};

/// Every per-hour/per-day/per-minute cap of the load policy: far above any run.
pub const CAP: u32 = 1_000_000;

/// The default policy with the cooldown at zero and every cap at [`CAP`];
/// lifetimes (codes 5 min, passes 5 min) and the 5 checks per code are the defaults.
pub fn load_policy() -> Policy {
    Policy {
        resend_cooldown: Duration::ZERO,
        destination_per_hour: CAP,
        destination_per_day: CAP,
        client_per_hour: CAP,
        client_per_day: CAP,
        mobile_prefix_per_hour: CAP,
        email_domain_per_hour: CAP,
        challenges_per_client_per_minute: CAP,
        ..Policy::default()
    }
}

#[derive(Debug)]
pub struct LoadSuite {
    running: Running,
    storage: Storage,
    pub filings: Vec<Filing>,
    /// verification-codes' own database, for the slider answers.
    pub verification_codes: Database,
}

impl LoadSuite {
    /// Seeds `filings` filings, then starts the suite at `addresses`: in this process,
    /// or with `binaries` (a directory holding the five service binaries) one process each.
    pub async fn start(
        addresses: Addresses,
        filings: usize,
        postgres: Option<&str>,
        legacy_dump: Option<&Path>,
        binaries: Option<&Path>,
    ) -> anyhow::Result<Self> {
        // on a failed start the databases go with `storage`
        let storage = Storage::fresh(postgres).await?;
        if let Some(dump) = legacy_dump {
            load_legacy(&storage, dump).await?;
        }
        let filings = seed::load(&storage.databases, filings).await?;
        let running = match binaries {
            Some(dir) => Running::Processes(Processes::start(dir, &storage).await?),
            None => Running::InProcess(serve(&storage, addresses).await?),
        };
        match verification_codes::Application::open_database(&storage.databases.verification_codes).await {
            Ok(verification_codes) => Ok(Self { running, storage, filings, verification_codes }),
            Err(error) => {
                running.stop().await?;
                Err(error)
            }
        }
    }

    pub fn gateway(&self) -> SocketAddr {
        self.addresses().gateway
    }

    fn addresses(&self) -> Addresses {
        match &self.running {
            Running::InProcess(running) => running.addresses(),
            Running::Processes(processes) => processes.addresses,
        }
    }

    /// A connection to verification-codes, opened now (the hop scenario's).
    pub async fn peer_connection(&self) -> anyhow::Result<Channel> {
        let address = self.addresses().verification_codes;
        Ok(Endpoint::from_shared(format!("http://{address}"))?.connect().await?)
    }

    /// The parts scenarios' database, with its rows to read.
    pub async fn probe(&self) -> anyhow::Result<Database> {
        crate::parts::open(&self.storage.probe()?).await
    }

    /// Each service's memory now, when each runs as its own process.
    pub fn memory(&self) -> Option<anyhow::Result<Vec<(&'static str, Memory)>>> {
        match &self.running {
            Running::InProcess(_) => None,
            Running::Processes(processes) => Some(processes.memory()),
        }
    }

    /// The file sink where verification-codes writes every message it delivers.
    pub fn messages_file(&self) -> PathBuf {
        self.storage.scratch.dir().join(verification_codes::MESSAGES_FILE)
    }

    pub fn storage(&self) -> &'static str {
        self.storage.describe()
    }

    /// `count` HTTP/2 connections to the gateway, each opened now.
    pub async fn connections(&self, count: usize) -> anyhow::Result<Vec<Channel>> {
        let mut channels = Vec::with_capacity(count);
        for _ in 0..count.max(1) {
            channels.push(Endpoint::from_shared(format!("http://{}", self.gateway()))?.connect().await?);
        }
        Ok(channels)
    }

    /// Stops every service (draining), then removes the databases.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.verification_codes.close().await;
        self.running.stop().await
    }

    /// Serves until Ctrl-C or SIGTERM, then stops like [`Self::stop`].
    pub async fn serve_until_signal(self) -> anyhow::Result<()> {
        self.verification_codes.close().await;
        match self.running {
            Running::InProcess(running) => running.run_until(beian_platform::shutdown::signal()).await,
            Running::Processes(processes) => {
                beian_platform::shutdown::signal().await;
                processes.stop().await
            }
        }
    }
}

/// The five services: in this process, or one process each.
#[derive(Debug)]
enum Running {
    InProcess(RunningSuite),
    Processes(Processes),
}

impl Running {
    async fn stop(self) -> anyhow::Result<()> {
        match self {
            Self::InProcess(running) => running.stop().await,
            Self::Processes(processes) => processes.stop().await,
        }
    }
}

/// The legacy dump into legacy-migration's database, before the suite opens it.
async fn load_legacy(storage: &Storage, dump: &Path) -> anyhow::Result<()> {
    let db = legacy_migration::Application::open_database(&storage.databases.legacy_migration).await?;
    let options = legacy_migration::bulk::LoadOptions { progress: false, ..Default::default() };
    let report = legacy_migration::bulk::load(&db, dump, &options).await?;
    eprintln!("legacy dump loaded: {} lines in {:.1} s", report.lines_read_this_run, report.seconds);
    db.close().await;
    Ok(())
}

async fn serve(storage: &Storage, addresses: Addresses) -> anyhow::Result<RunningSuite> {
    let mut settings =
        SuiteSettings::new(addresses, storage.databases.clone(), storage.scratch.dir().to_path_buf());
    settings.code_policy = load_policy();
    settings.login.guard.client_failures_per_window = CAP;
    RunningSuite::start(settings).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_load_policy_is_one_the_service_accepts() {
        assert!(super::load_policy().validate().is_ok());
    }
}
