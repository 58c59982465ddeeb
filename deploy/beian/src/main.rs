//! `beian`: the whole suite on one machine (`beian up`), and the operators' commands beside it.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use beian::{Addresses, Databases, RunningSuite, SERVICES, SuiteSettings, dev::OrderDecision, suite};
use beian_platform::{
    bulk::{LoadOptions, LoadReport, writer::Generated},
    config::{Secret, TelemetrySettings},
    storage::DatabaseLocation,
};
use clap::{Parser, Subcommand, ValueEnum};
use legacy_migration::bulk::generate::GenerateOptions;

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
        /// Listen on free ports (the banner names them) instead of 50051–50055 and
        /// 9451–9455: beside another suite, or in a test.
        #[arg(long)]
        any_ports: bool,
        #[command(flatten)]
        telemetry: TelemetrySettings,
    },
    /// Aids for walking the workflows by hand against a local `beian up`.
    #[command(subcommand)]
    Dev(Dev),
    /// The retired legacy platform's data: bulk load of a dump, synthetic dumps.
    #[command(subcommand)]
    Legacy(Legacy),
    /// The current platform's data: bulk load of its export into a deployment, synthetic exports.
    #[command(subcommand)]
    Platform(Platform),
    /// Load a data set into a deployment's databases (URLs as the services take them), e.g.
    /// the demo set into a staging deployment; loading it twice changes nothing.
    Seed {
        #[arg(value_enum)]
        data_set: DataSet,
        /// identity-recovery's database: sqlite://… or postgres://…
        #[arg(long, env = "BEIAN_IDENTITY_RECOVERY_DATABASE_URL", hide_env_values = true)]
        identity_recovery_database_url: Option<Secret>,
        /// filing-registry's database.
        #[arg(long, env = "BEIAN_FILING_REGISTRY_DATABASE_URL", hide_env_values = true)]
        filing_registry_database_url: Option<Secret>,
        /// legacy-migration's database.
        #[arg(long, env = "BEIAN_LEGACY_MIGRATION_DATABASE_URL", hide_env_values = true)]
        legacy_migration_database_url: Option<Secret>,
        /// Where the SQLite databases of those not given by URL live.
        #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum Legacy {
    /// Load a legacy dump (services/legacy-migration/DUMP.md) into legacy-migration's database;
    /// run it again after a kill to resume, or on a corrected export to update.
    Load {
        /// The dump directory (logins.jsonl, filings.jsonl, … or .jsonl.gz).
        dir: PathBuf,
        /// legacy-migration's database, as the service takes it: sqlite://… or postgres://…
        #[arg(long, env = "BEIAN_DATABASE_URL", hide_env_values = true)]
        database_url: Option<Secret>,
        /// Where the default SQLite databases live (legacy-migration.db), when no URL is given.
        #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        #[command(flatten)]
        run: LoadRun,
    },
    /// Write a synthetic dump, the same for the same seed.
    Generate {
        /// Where to write it (created if missing).
        dir: PathBuf,
        #[arg(long, default_value_t = 1000)]
        filings: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Invalid rows to mix in, each with a known reason.
        #[arg(long, default_value_t = 0)]
        bad_rows: u64,
        /// Write .jsonl.gz files.
        #[arg(long)]
        gzip: bool,
    },
}

/// How a bulk load runs, for either loader.
#[derive(Debug, clap::Args)]
struct LoadRun {
    /// The JSON reconciliation report; default: load-report.json in the input directory.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Lines per transaction.
    #[arg(long, default_value_t = 1000)]
    batch_size: usize,
    /// Forget an unfinished load's checkpoints and start over.
    #[arg(long)]
    restart: bool,
}

impl LoadRun {
    fn options(self) -> LoadOptions {
        LoadOptions {
            batch_size: self.batch_size.max(1),
            restart: self.restart,
            report_path: self.report,
            ..LoadOptions::default()
        }
    }
}

#[derive(Debug, Subcommand)]
enum Platform {
    /// Load an export of the current platform (deploy/beian/PLATFORM-EXPORT.md): accounts into
    /// identity-recovery's database, subjects and websites into filing-registry's; run it again
    /// after a kill to resume, or on a corrected export to update.
    Load {
        /// The export directory (accounts.jsonl, subjects.jsonl, websites.jsonl, or .jsonl.gz).
        dir: PathBuf,
        /// identity-recovery's database: sqlite://… or postgres://…
        #[arg(long, env = "BEIAN_IDENTITY_RECOVERY_DATABASE_URL", hide_env_values = true)]
        identity_recovery_database_url: Option<Secret>,
        /// filing-registry's database.
        #[arg(long, env = "BEIAN_FILING_REGISTRY_DATABASE_URL", hide_env_values = true)]
        filing_registry_database_url: Option<Secret>,
        /// Where the SQLite databases of those not given by URL live.
        #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        #[command(flatten)]
        run: LoadRun,
    },
    /// Write a synthetic export, the same for the same seed.
    Generate {
        /// Where to write it (created if missing).
        dir: PathBuf,
        #[arg(long, default_value_t = 1000)]
        subjects: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Invalid rows to mix in, each with a known reason.
        #[arg(long, default_value_t = 0)]
        bad_rows: u64,
        /// Write .jsonl.gz files.
        #[arg(long)]
        gzip: bool,
    },
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
        Command::Up { data_dir, seed, internal_token, any_ports, telemetry } => {
            runtime.block_on(up(data_dir, seed, internal_token, any_ports, &telemetry))
        }
        Command::Dev(Dev::SliderAnswer { challenge_id, data_dir }) => {
            runtime.block_on(slider_answer(&challenge_id, &data_dir))
        }
        Command::Dev(Dev::DecideOrder { order_number, decision, note, internal_token }) => {
            runtime.block_on(decide_order(&order_number, decision, &note, &internal_token))
        }
        Command::Legacy(Legacy::Load { dir, database_url, data_dir, run }) => {
            let database = match database_url {
                Some(url) => DatabaseLocation::url(url),
                None => DatabaseLocation::sqlite_file(&data_dir, legacy_migration::NAME),
            };
            runtime.block_on(legacy_load(&dir, &database, &run.options()))
        }
        Command::Platform(Platform::Load {
            dir,
            identity_recovery_database_url,
            filing_registry_database_url,
            data_dir,
            run,
        }) => {
            let at = |url: Option<Secret>, service: &str| match url {
                Some(url) => DatabaseLocation::url(url),
                None => DatabaseLocation::sqlite_file(&data_dir, service),
            };
            runtime.block_on(platform_load(
                &dir,
                &at(identity_recovery_database_url, identity_recovery::NAME),
                &at(filing_registry_database_url, filing_registry::NAME),
                &run.options(),
            ))
        }
        Command::Platform(Platform::Generate { dir, subjects, seed, bad_rows, gzip }) => {
            let options = beian::platform::generate::GenerateOptions { subjects, seed, bad_rows, gzip };
            beian::platform::generate::generate(&dir, &options).map(|generated| print_generated(&generated))
        }
        Command::Seed {
            data_set: DataSet::Demo,
            identity_recovery_database_url,
            filing_registry_database_url,
            legacy_migration_database_url,
            data_dir,
        } => {
            let at = |url: Option<Secret>, service: &str| match url {
                Some(url) => DatabaseLocation::url(url),
                None => DatabaseLocation::sqlite_file(&data_dir, service),
            };
            runtime.block_on(seed_demo(
                &at(identity_recovery_database_url, identity_recovery::NAME),
                &at(filing_registry_database_url, filing_registry::NAME),
                &at(legacy_migration_database_url, legacy_migration::NAME),
            ))
        }
        Command::Legacy(Legacy::Generate { dir, filings, seed, bad_rows, gzip }) => {
            legacy_generate(&dir, &GenerateOptions { filings, seed, bad_rows, gzip })
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

/// The demo data set into three services' databases (migrated first, as the services do).
async fn seed_demo(
    identity_recovery: &DatabaseLocation,
    filing_registry: &DatabaseLocation,
    legacy_migration: &DatabaseLocation,
) -> anyhow::Result<()> {
    let identity = identity_recovery::Application::open_database(identity_recovery).await?;
    let registry = filing_registry::Application::open_database(filing_registry).await?;
    let legacy = legacy_migration::Application::open_database(legacy_migration).await?;
    let loaded = beian::demo::load(beian::demo::Targets {
        identity_recovery: &identity,
        filing_registry: &registry,
        legacy_migration: &legacy,
    })
    .await;
    for db in [identity, registry, legacy] {
        db.close().await;
    }
    let loaded = loaded?;
    println!(
        "demo data: {} accounts, {} subjects, {} legacy logins added; what was there already is unchanged",
        loaded.accounts, loaded.subjects, loaded.legacy_logins
    );
    Ok(())
}

async fn legacy_load(dir: &Path, database: &DatabaseLocation, options: &LoadOptions) -> anyhow::Result<()> {
    let db = legacy_migration::Application::open_database(database).await?;
    let report = legacy_migration::bulk::load(&db, dir, options).await;
    db.close().await;
    print_report(&report?, dir, options);
    Ok(())
}

/// Migrates both databases first, as the services do.
async fn platform_load(
    dir: &Path,
    identity_recovery: &DatabaseLocation,
    filing_registry: &DatabaseLocation,
    options: &LoadOptions,
) -> anyhow::Result<()> {
    let identity = identity_recovery::Application::open_database(identity_recovery).await?;
    let registry = filing_registry::Application::open_database(filing_registry).await?;
    let targets = beian::platform::Targets { identity_recovery: &identity, filing_registry: &registry };
    let report = beian::platform::load(targets, dir, options).await;
    identity.close().await;
    registry.close().await;
    print_report(&report?, dir, options);
    Ok(())
}

fn print_report(report: &LoadReport, dir: &Path, options: &LoadOptions) {
    print!("{}", report.render());
    println!("report written to {}", options.report_path(dir).display());
    println!("peak resident memory: {}", peak_rss());
}

/// VmHWM of /proc/self/status: the benchmark's memory figure.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn legacy_generate(dir: &Path, options: &GenerateOptions) -> anyhow::Result<()> {
    let generated = legacy_migration::bulk::generate::generate(dir, options)?;
    print_generated(&generated);
    Ok(())
}

fn print_generated(generated: &Generated) {
    for (table, lines) in &generated.lines {
        println!("{table:<10} {lines:>10} lines");
    }
    for bad in &generated.bad_rows {
        println!("bad row {}:{}: {}", bad.file, bad.line, bad.reason);
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
    any_ports: bool,
    telemetry: &TelemetrySettings,
) -> anyhow::Result<()> {
    let telemetry = beian_platform::telemetry::init_suite("beian", &SERVICES, telemetry)?;
    let databases = Databases::sqlite_under(&data_dir);
    let (addresses, admin) = if any_ports {
        (Addresses::ephemeral(), Addresses::ephemeral())
    } else {
        (Addresses::defaults(), Addresses::admin_defaults())
    };
    let mut settings = SuiteSettings::new(addresses, databases.clone(), data_dir.clone());
    settings.secret_key = beian::secret_key::load_or_create(&data_dir)?;
    settings.seed_demo = matches!(seed, Some(DataSet::Demo));
    settings.admin = Some(admin);
    settings.service_subscribers =
        SERVICES.iter().filter_map(|&service| Some((service, telemetry.service(service)?.clone()))).collect();
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
    if let Some(admin) = running.admin_addresses() {
        println!(
            "  metrics (GET /metrics): gateway {}, verification-codes {}, filing-registry {}, identity-recovery {}, legacy-migration {}",
            admin.gateway,
            admin.verification_codes,
            admin.filing_registry,
            admin.identity_recovery,
            admin.legacy_migration
        );
    }
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
