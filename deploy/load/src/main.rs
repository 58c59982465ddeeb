//! `beian-load`: load figures for the account-lookup workflow (SPEC §1)
//! through the gateway, and the data files of the ghz configs in `ghz/`.
//!
//! `run` starts the whole suite in-process with synthetic filings and drives
//! each scenario with rlt; `ghz-data` starts the suite on the documented ports,
//! writes single-use request data for ghz and serves until Ctrl-C.

mod cli;
mod cpu;
mod ghz_data;
mod measure;
mod messages;
mod parts;
mod prepare;
mod processes;
mod report;
mod run;
mod scenario;
mod storage;
mod suite;

use std::process::ExitCode;

use beian_load::seed;
use clap::Parser;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(args) => run::run(args).await,
        Command::GhzData(args) => ghz_data::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("beian-load: {error:#}");
            ExitCode::FAILURE
        }
    }
}
