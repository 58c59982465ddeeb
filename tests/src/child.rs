//! A service run as its own process by the crash and replica tests: the test binary started
//! again runs what the service binary's `main` runs (settings from the environment,
//! `Application::build`, serve until SIGTERM). Cargo hands a test the path of its own
//! package's binaries only, so the test binary stands in for the five.

use beian_platform::config::ServiceArgs;
use clap::Parser;

#[derive(Parser)]
struct Cli<E: clap::Args> {
    #[command(flatten)]
    args: ServiceArgs,
    #[command(flatten)]
    extra: E,
}

/// Runs `service` (its name, e.g. `identity-recovery`) until a shutdown signal.
pub async fn run_service(service: &str) -> anyhow::Result<()> {
    let stop = beian_platform::shutdown::signal;
    match service {
        "gateway" => {
            let cli = Cli::<gateway::GatewayArgs>::parse_from([service]);
            let settings = gateway::Settings::from_args(&cli.args, &cli.extra)?;
            gateway::Application::build(settings).await?.run_until(stop()).await
        }
        "verification-codes" => {
            let cli = Cli::<verification_codes::VerificationArgs>::parse_from([service]);
            let settings = verification_codes::Settings::from_args(&cli.args, &cli.extra)?;
            verification_codes::Application::build(settings).await?.run_until(stop()).await
        }
        "filing-registry" => {
            let cli = Cli::<filing_registry::RegistryArgs>::parse_from([service]);
            let settings = filing_registry::Settings::from_args(&cli.args, &cli.extra)?;
            filing_registry::Application::build(settings).await?.run_until(stop()).await
        }
        "identity-recovery" => {
            let cli = Cli::<identity_recovery::IdentityArgs>::parse_from([service]);
            let settings = identity_recovery::Settings::from_args(&cli.args, &cli.extra)?;
            identity_recovery::Application::build(settings).await?.run_until(stop()).await
        }
        "legacy-migration" => {
            let cli = Cli::<legacy_migration::LegacyArgs>::parse_from([service]);
            let settings = legacy_migration::Settings::from_args(&cli.args, &cli.extra)?;
            legacy_migration::Application::build(settings).await?.run_until(stop()).await
        }
        other => anyhow::bail!("no service {other}"),
    }
}
