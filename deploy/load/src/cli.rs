//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "beian-load", version, about = "Load figures for the account-lookup workflow")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the suite in-process with synthetic filings and measure each scenario with rlt.
    Run(RunArgs),
    /// Start the suite on 127.0.0.1:50051–50055, write the data files of the ghz configs,
    /// then serve until Ctrl-C so ghz can run against it.
    GhzData(GhzDataArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Requests per scenario (the same total for every scenario, so the ratios compare like with like).
    #[arg(short = 'n', long, default_value_t = 500)]
    pub requests: u64,
    /// Requests in flight at once (rlt workers).
    #[arg(short = 'c', long, default_value_t = 20)]
    pub concurrency: u32,
    /// HTTP/2 connections to the gateway the workers share (ghz's default is 1).
    #[arg(long, default_value_t = 1)]
    pub connections: usize,
    /// Synthetic filings to load [default: --requests if verify runs, else at most 200].
    /// `verify` and `transfer` need one filing per request (a newer code to a mobile kills
    /// the older one; a filing moves once).
    #[arg(long)]
    pub filings: Option<usize>,
    /// Which scenarios to run, in this order; the ratio needs both health and start, the
    /// steps' floors need health, hop, read and write.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "health,start,send,verify")]
    pub scenarios: Vec<ScenarioName>,
    /// Also write the figures to this JSON file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Load this legacy dump (`beian legacy generate` makes one) into legacy-migration
    /// first: every lookup's ClassifyDomain then searches it.
    #[arg(long)]
    pub legacy_dump: Option<PathBuf>,
    /// Run each service as its own process (the release binaries beside this one:
    /// `cargo build --release --bins`) and report each one's resident memory, idle
    /// and under the load.
    #[arg(long)]
    pub processes: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct GhzDataArgs {
    /// Requests each data file holds; set ghz's `total` to at most this (each entry is single-use).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Where the data files go (the ghz configs expect target/ghz-data, relative to the repository root).
    #[arg(long, default_value = "target/ghz-data")]
    pub out: PathBuf,
    /// Write the files, stop the suite and exit instead of serving (to check the files' shape).
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct StorageArgs {
    /// Run on PostgreSQL instead of SQLite: an admin URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)
    /// on which fresh databases are created, then dropped when the tool exits.
    #[arg(long, env = "BEIAN_LOAD_POSTGRES_URL", hide_env_values = true)]
    pub postgres: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// grpc.health.v1.Health/Check on the gateway: the baseline.
    Health,
    /// grpc.health.v1.Health/Check on verification-codes' own port: one hop between two
    /// of the suite's processes, a part of every step.
    Hop,
    /// One read by key through a database's reader pool (a probe database, the services'
    /// engine and pool settings): a part of every step.
    Read,
    /// One single-statement write through a database's writer: a part of every step.
    Write,
    /// AccountLookupService/StartAccountLookup with a fresh pass token each.
    Start,
    /// AccountLookupService/SendAccountLookupCode on pre-started flows.
    Send,
    /// AccountLookupService/VerifyAccountLookupCode with pre-sent codes.
    Verify,
    /// AccountService/Login with the right password, spread over the synthetic accounts:
    /// Argon2 at the hashing permits' limit (one per core) and beyond it (shed).
    Login,
    /// FilingTransferService/CompleteTransfer: distinct filings, each from its holder to an
    /// empty CN account, concurrently (code sent and read back beforehand, untimed).
    Transfer,
}

impl ScenarioName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Hop => "hop",
            Self::Read => "read",
            Self::Write => "write",
            Self::Start => "start",
            Self::Send => "send",
            Self::Verify => "verify",
            Self::Login => "login",
            Self::Transfer => "transfer",
        }
    }
}
