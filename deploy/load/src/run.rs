//! `beian-load run`: seed, start, then for each scenario prepare its
//! single-use data (untimed), measure it with rlt (timed), and print.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Arc,
    time::Instant,
};

use beian::Addresses;
use beian_proto::gateway::v1::LoginRequest;
use tonic::transport::Channel;

use crate::{
    cli::{RunArgs, ScenarioName},
    measure::{Figures, measure},
    messages, parts,
    prepare::Preparer,
    processes::Memory,
    report::{self, LoginFigures, Ratios, RunReport, Scenario, ServiceMemory, Settings},
    scenario::{GatewayLoad, Work},
    seed::{self, Filing},
    storage,
    suite::{CAP, LoadSuite},
};

pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.requests > 0 && args.concurrency > 0,
        "--requests and --concurrency must be positive"
    );
    let requests = usize::try_from(args.requests)?;
    let filings = args.filings.unwrap_or_else(|| default_filings(&args.scenarios, requests)).max(1);
    let clock = Instant::now();
    let binaries = if args.processes { Some(beside_this_binary()?) } else { None };
    let suite = LoadSuite::start(
        Addresses::ephemeral(),
        filings,
        args.storage.postgres.as_deref(),
        args.legacy_dump.as_deref(),
        binaries.as_deref(),
    )
    .await?;
    println!(
        "suite up on {} ({}) with {filings} synthetic filings in {:.1} s",
        suite.gateway(),
        suite.storage(),
        clock.elapsed().as_secs_f64()
    );
    let settings = Settings {
        build: if cfg!(debug_assertions) { "debug" } else { "release" },
        storage: suite.storage(),
        requests: args.requests,
        concurrency: args.concurrency,
        connections: args.connections.max(1),
        filings,
        policy: format!(
            "rate limits are not measured: resend cooldown 0 s, every code/challenge cap {CAP} \
             per window, failed logins per client {CAP}; code and pass lifetimes 5 min, 5 checks \
             per code, {} hashing permits (defaults)",
            identity_recovery::LoginSettings::default().hash_permits
        ),
    };
    println!("{}", settings.policy);
    if let Some(admin_url) = args.storage.postgres.as_deref()
        && matches!(storage::autovacuum_is_on(admin_url).await, Ok(false))
    {
        println!(
            "PostgreSQL's autovacuum is off on this server: dead rows pile up over a run and the \
             later steps (and the outbox's deliveries) slow down; production servers run it"
        );
    }
    let idle = suite.memory().transpose()?;
    let measured = measure_all(&suite, &args, &settings).await;
    let after_load = suite.memory().transpose()?;
    suite.stop().await?;
    let scenarios = measured?;
    let memory = memory_figures(idle.as_deref(), after_load.as_deref());
    if !memory.is_empty() {
        println!("\nresident memory, each service its own process\n{}", report::memory_header());
        for service in &memory {
            println!("{}", report::memory_row(service));
        }
    }
    let find = |name: &str| scenarios.iter().find(|s| s.name == name).map(|s| &s.figures);
    let start_over_health =
        find("start").zip(find("health")).map(|(start, health)| Ratios::of(start, health));
    if let Some(ratios) = &start_over_health {
        println!("{}", report::ratios(ratios));
    }
    let cpu_over_health = report::cpu_over_health(&scenarios);
    if !cpu_over_health.is_empty() {
        println!("{}", report::cpu_ratios(&cpu_over_health));
    }
    let floors = parts::floors(find);
    if !floors.is_empty() {
        println!("the least CPU each step can take, from its parts (see parts.rs):");
        for floor in &floors {
            println!("  {}", parts::describe(floor));
        }
    }
    let failed = scenarios.iter().any(|s| s.unexpected_errors() > 0);
    let report = RunReport { settings, scenarios, start_over_health, cpu_over_health, floors, memory };
    if let Some(path) = &args.json {
        report::write_json(path, &report)?;
        println!("figures written to {}", path.display());
    }
    if failed {
        eprintln!("beian-load: some calls failed (see above): these figures are not valid");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The directory of this executable, where `cargo build --release --bins` puts the services.
fn beside_this_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent().map(Path::to_path_buf).ok_or_else(|| anyhow::anyhow!("{} has no directory", exe.display()))
}

fn memory_figures(
    idle: Option<&[(&'static str, Memory)]>,
    after: Option<&[(&'static str, Memory)]>,
) -> Vec<ServiceMemory> {
    let (Some(idle), Some(after)) = (idle, after) else { return Vec::new() };
    #[allow(clippy::cast_precision_loss, reason = "KiB counts far below 2^52")]
    let mib = |kib: u64| kib as f64 / 1024.0;
    idle.iter()
        .zip(after)
        .map(|((service, idle), (_, after))| ServiceMemory {
            service,
            idle_mib: mib(idle.rss_kib),
            after_load_mib: mib(after.rss_kib),
            peak_mib: mib(after.peak_kib),
        })
        .collect()
}

/// Start and send may share filings (caps are off), and seeding costs three
/// Argon2 hashes per filing; verify and transfer need one filing per request.
fn default_filings(scenarios: &[ScenarioName], requests: usize) -> usize {
    if scenarios.contains(&ScenarioName::Verify) || scenarios.contains(&ScenarioName::Transfer) {
        requests
    } else {
        requests.min(200)
    }
}

async fn measure_all(
    suite: &LoadSuite,
    args: &RunArgs,
    settings: &Settings,
) -> anyhow::Result<Vec<Scenario>> {
    let connections: Arc<Vec<Channel>> = Arc::new(suite.connections(settings.connections).await?);
    let rlt_reports = tempfile::tempdir()?;
    let peer = suite.peer_connection().await?;
    let preparer =
        Preparer { channel: connections[0].clone(), verification_codes: suite.verification_codes.clone() };
    let requests = usize::try_from(args.requests)?;
    // requests spread over the filings, round robin
    let spread: Vec<&Filing> = (0..requests).map(|i| &suite.filings[i % suite.filings.len()]).collect();

    // start's tokens first, so that health and start run back to back
    let mut start_data = None;
    if args.scenarios.contains(&ScenarioName::Start) {
        start_data = Some(prepared("start", preparer.start_requests(&spread)).await?);
    }
    println!("{}", report::header());
    let mut scenarios = Vec::new();
    for &name in &args.scenarios {
        let work = match name {
            // two timed runs of its own, nothing queued
            ScenarioName::Login => {
                scenarios.extend(measure_logins(suite, args, &connections, &peer, rlt_reports.path()).await?);
                continue;
            }
            ScenarioName::Health => Work::Health,
            ScenarioName::Hop => Work::Hop,
            // open only while measured: on PostgreSQL its pool would take connections the
            // services need (their five pools and the probe's exceed the server's 100)
            ScenarioName::Read => Work::Read(suite.probe().await?),
            ScenarioName::Write => Work::Write(suite.probe().await?),
            ScenarioName::Start => Work::Start(Arc::new(start_data.take().unwrap_or_default())),
            ScenarioName::Send => {
                Work::Send(Arc::new(prepared("send", preparer.send_requests(&spread)).await?))
            }
            ScenarioName::Verify => {
                // one flow per filing: two live codes never share a mobile
                let distinct: Vec<&Filing> = suite.filings.iter().take(requests).collect();
                let sink = suite.messages_file();
                let data = preparer.verify_requests(&distinct, &sink);
                Work::Verify(Arc::new(prepared("verify", data).await?))
            }
            ScenarioName::Transfer => {
                let count = requests.min(suite.filings.len());
                let sink = suite.messages_file();
                let data = preparer.transfer_requests(count, &suite.filings, &sink);
                Work::Transfer(Arc::new(prepared("transfer", data).await?))
            }
        };
        let delivered = messages::count(&suite.messages_file())?;
        let total = work.capacity().unwrap_or(requests).min(requests);
        anyhow::ensure!(total > 0, "{}: nothing prepared to run", name.as_str());
        let probe = match &work {
            Work::Read(db) | Work::Write(db) => Some(db.clone()),
            _ => None,
        };
        let load = GatewayLoad { connections: connections.clone(), peer: peer.clone(), work };
        let report = rlt_reports.path().join(format!("{}.json", name.as_str()));
        let measured = measure(load, u64::try_from(total)?, args.concurrency, &report).await;
        if let Some(probe) = probe {
            probe.close().await;
        }
        let figures = measured?;
        print_row(name.as_str(), &figures);
        // let the outbox deliver what the calls queued before the next timed
        // run, so that it does not share the CPU with it
        let queued = messages_per_call(name) * usize::try_from(figures.requests - figures.errors)?;
        messages::wait_for_count(&suite.messages_file(), delivered + queued).await?;
        scenarios.push(Scenario { name: name.as_str(), figures, login: None });
    }
    println!("\nsummary\n{}", report::header());
    for scenario in &scenarios {
        print_row(scenario.name, &scenario.figures);
    }
    Ok(scenarios)
}

/// What a successful call queues in the outbox: a code, or the login name to two contacts.
fn messages_per_call(name: ScenarioName) -> usize {
    match name {
        ScenarioName::Health
        | ScenarioName::Hop
        | ScenarioName::Read
        | ScenarioName::Write
        | ScenarioName::Start
        | ScenarioName::Login => 0,
        ScenarioName::Send => 1,
        ScenarioName::Verify => 2,
        // TRANSFER_COMPLETED to both sides
        ScenarioName::Transfer => 2,
    }
}

/// Login at the hashing permits' limit (as many in flight as permits) and beyond it
/// (`--concurrency`, when larger): logins/s, per core, and the share shed.
async fn measure_logins(
    suite: &LoadSuite,
    args: &RunArgs,
    connections: &Arc<Vec<Channel>>,
    peer: &Channel,
    reports: &Path,
) -> anyhow::Result<Vec<Scenario>> {
    let permits = identity_recovery::LoginSettings::default().hash_permits;
    let requests: Vec<LoginRequest> = (0..suite.filings.len())
        .map(|i| LoginRequest { login_name: seed::login_name(i), password: seed::PASSWORD.to_owned() })
        .collect();
    let work = Work::Login(Arc::new(requests));
    let at_limit = u32::try_from(permits)?;
    let mut runs = vec![("login-at-limit", at_limit)];
    if args.concurrency > at_limit {
        runs.push(("login-beyond", args.concurrency));
    }
    let mut measured = Vec::new();
    for (name, concurrency) in runs {
        let load = GatewayLoad { connections: connections.clone(), peer: peer.clone(), work: work.clone() };
        let report = reports.join(format!("{name}.json"));
        let figures = measure(load, args.requests, concurrency, &report).await?;
        print_row(name, &figures);
        let login = LoginFigures::of(&figures, permits);
        println!("{}", report::login(&login));
        measured.push(Scenario { name, figures, login: Some(login) });
    }
    Ok(measured)
}

/// Awaits a preparation, saying how long it took (it is not part of any figure).
async fn prepared<T>(
    what: &str,
    work: impl Future<Output = anyhow::Result<Vec<T>>>,
) -> anyhow::Result<Vec<T>> {
    let clock = Instant::now();
    let data = work.await?;
    println!("prepared {} {what} requests (untimed) in {:.1} s", data.len(), clock.elapsed().as_secs_f64());
    Ok(data)
}

fn print_row(name: &str, figures: &Figures) {
    println!("{}", report::row(name, figures));
    for line in report::errors(figures) {
        println!("{line}");
    }
}
