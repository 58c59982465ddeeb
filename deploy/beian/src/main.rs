//! `beian up`: the whole suite on one machine.

use std::{path::PathBuf, process::ExitCode};

use beian::{Addresses, Databases, RunningSuite, SuiteSettings, dev::OrderDecision, suite};
use beian_platform::config::{Secret, TelemetrySettings};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "beian",
    version,
    about = "The beian suite: ICP-filing account recovery and legacy migration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start all five services with SQLite databases under the data directory; Ctrl-C stops them.
    Up {
        /// Where the SQLite databases live.
        #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        /// Load a data set before serving.
        #[arg(long, value_enum)]
        seed: Option<DataSet>,
        /// The service-to-service credential; a fresh random one per run if unset.
        #[arg(long, env = "BEIAN_INTERNAL_TOKEN", hide_env_values = true)]
        internal_token: Option<Secret>,
        #[command(flatten)]
        telemetry: TelemetrySettings,
    },
    /// Aids for walking the workflows by hand against a local `beian up`.
    #[command(subcommand)]
    Dev(Dev),
}

#[derive(Debug, Subcommand)]
enum Dev {
    /// Print where a slider challenge's piece fits (grpcurl cannot drag a slider).
    SliderAnswer {
        /// The challenge_id from HumanCheckService/CreateHumanCheck.
        challenge_id: String,
        /// The data directory of the running `beian up`.
        #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Decide a filing order as the regulator's review would (DecideOrder), so the whole
    /// lifecycle can be walked locally; `beian up` must run with the same BEIAN_INTERNAL_TOKEN.
    DecideOrder {
        /// The order number (BA…) from FilingService.
        order_number: String,
        decision: OrderDecision,
        /// Shown to the holder (at most 128 characters).
        #[arg(default_value = "")]
        note: String,
        /// The suite's credential, as given to `beian up`.
        #[arg(long, env = "BEIAN_INTERNAL_TOKEN", hide_env_values = true)]
        internal_token: Secret,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DataSet {
    /// Accounts, filings and legacy logins covering every case of the spec.
    Demo,
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("beian: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match Cli::parse().command {
        Command::Up { data_dir, seed, internal_token, telemetry } => {
            runtime.block_on(up(data_dir, seed, internal_token, &telemetry))
        }
        Command::Dev(Dev::SliderAnswer { challenge_id, data_dir }) => {
            runtime.block_on(slider_answer(&challenge_id, &data_dir))
        }
        Command::Dev(Dev::DecideOrder { order_number, decision, note, internal_token }) => {
            runtime.block_on(decide_order(&order_number, decision, &note, &internal_token))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("beian: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn slider_answer(challenge_id: &str, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let db =
        verification_codes::Application::open_database(&Databases::sqlite_under(data_dir).verification_codes)
            .await?;
    let answer = verification_codes::dev::slider_answer(&db, challenge_id).await;
    db.close().await;
    match answer? {
        Some(x) => {
            println!("{x}");
            Ok(())
        }
        None => anyhow::bail!("no unanswered challenge {challenge_id} in {}", data_dir.display()),
    }
}

async fn decide_order(
    order_number: &str,
    decision: OrderDecision,
    note: &str,
    token: &Secret,
) -> anyhow::Result<()> {
    let registry = Addresses::defaults().filing_registry;
    let order = beian::dev::decide_order(registry, token, order_number, decision, note).await?;
    let state = beian_proto::filing_registry::v1::OrderState::try_from(order.state)
        .map_or("unknown", |state| state.as_str_name());
    println!("order {} is {state}", order.order_number);
    Ok(())
}

async fn up(
    data_dir: PathBuf,
    seed: Option<DataSet>,
    internal_token: Option<Secret>,
    telemetry: &TelemetrySettings,
) -> anyhow::Result<()> {
    let _telemetry = beian_platform::telemetry::init("beian", telemetry)?;
    let databases = Databases::sqlite_under(&data_dir);
    let mut settings = SuiteSettings::new(Addresses::defaults(), databases.clone(), data_dir.clone());
    settings.seed_demo = matches!(seed, Some(DataSet::Demo));
    if let Some(token) = internal_token {
        settings.internal_token = token;
    }
    let running = RunningSuite::start(settings).await?;
    let addresses = running.addresses();
    println!("beian is up (Ctrl-C stops it)");
    println!("  gateway             {}   (public: gRPC and gRPC-Web)", addresses.gateway);
    println!("  verification-codes  {}", addresses.verification_codes);
    println!("  filing-registry     {}", addresses.filing_registry);
    println!("  identity-recovery   {}", addresses.identity_recovery);
    println!("  legacy-migration    {}", addresses.legacy_migration);
    for (service, database) in suite::describe(&databases) {
        println!("  {service:<19} database {database}");
    }
    println!("  messages (codes, notices) are written to {}", data_dir.join("messages.jsonl").display());
    if matches!(seed, Some(DataSet::Demo)) {
        println!("  demo data loaded: see README.md, \"Walk through with grpcurl\"");
    }
    running.run_until(beian_platform::shutdown::signal()).await?;
    println!("beian stopped cleanly");
    Ok(())
}
