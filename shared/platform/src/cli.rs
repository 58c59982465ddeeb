//! The `main` of every service binary: flags and environment, telemetry, a
//! runtime, and an exit code that says whether it stopped cleanly.

use std::{future::Future, process::ExitCode};

use clap::Parser;

use crate::config::ServiceArgs;

#[derive(Debug, Parser)]
struct Cli<E: clap::Args> {
    #[command(flatten)]
    args: ServiceArgs,
    #[command(flatten)]
    extra: E,
}

/// For services that take no settings beyond [`ServiceArgs`].
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct NoExtraArgs;

/// Parses `ServiceArgs` and the service's own `E`, starts telemetry and runs
/// `service` to completion.
pub fn run_service<E, F, Fut>(name: &'static str, service: F) -> ExitCode
where
    E: clap::Args,
    F: FnOnce(ServiceArgs, E) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let cli = Cli::<E>::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let _telemetry = crate::telemetry::init(name, &cli.args.telemetry)?;
        service(cli.args, cli.extra).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error:#}");
            ExitCode::FAILURE
        }
    }
}
