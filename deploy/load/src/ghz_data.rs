//! `beian-load ghz-data`: the suite on the documented ports with synthetic
//! filings and the load policy, plus the call data of the ghz configs in
//! `deploy/load/ghz/` — a JSON array per step, which ghz round-robins over by
//! request number, so an array of `total` entries uses each entry once.
//!
//! The data is single-use and short-lived: a pass token is redeemed by the
//! start it is given to and lives 5 minutes; a code lives 5 minutes. So the
//! suite that issued them keeps serving here until Ctrl-C; run ghz meanwhile.

use std::{path::Path, process::ExitCode};

use beian::Addresses;
use serde_json::json;

use crate::{cli::GhzDataArgs, prepare::Preparer, seed::Filing, suite::LoadSuite};

pub async fn run(args: GhzDataArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.count > 0, "--count must be positive");
    // verify and send get disjoint filings: a send to a mobile would kill the
    // live code of a verify flow on that mobile
    let suite =
        LoadSuite::start(Addresses::defaults(), 2 * args.count, args.storage.postgres.as_deref(), None, None)
            .await?;
    if let Err(error) = write_files(&suite, args.count, &args.out).await {
        suite.stop().await?;
        return Err(error);
    }
    if args.no_serve {
        suite.stop().await?;
        println!("--no-serve: the suite that issued this data is stopped; the files only show its shape");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "gateway {} ({}); messages go to {}",
        suite.gateway(),
        suite.storage(),
        suite.messages_file().display()
    );
    println!(
        "pass tokens and codes expire in 5 minutes and each serves once: run ghz now (deploy/load/README.md)"
    );
    println!("serving until Ctrl-C");
    suite.serve_until_signal().await?;
    println!("stopped cleanly");
    Ok(ExitCode::SUCCESS)
}

async fn write_files(suite: &LoadSuite, count: usize, out: &Path) -> anyhow::Result<()> {
    let mut connections = suite.connections(1).await?;
    let preparer =
        Preparer { channel: connections.remove(0), verification_codes: suite.verification_codes.clone() };
    let (for_verify, for_send) = suite.filings.split_at(count);
    let for_verify: Vec<&Filing> = for_verify.iter().collect();
    let for_send: Vec<&Filing> = for_send.iter().collect();
    let every: Vec<&Filing> = suite.filings.iter().take(count).collect();
    std::fs::create_dir_all(out)?;

    // the codes first and the pass tokens last: every file is as fresh as it can be
    let verify = preparer.verify_requests(&for_verify, &suite.messages_file()).await?;
    let verify: Vec<_> = verify.iter().map(|r| json!({ "flow_id": r.flow_id, "code": r.code })).collect();
    write(out, "verify.json", &verify)?;
    let send = preparer.send_requests(&for_send).await?;
    let send: Vec<_> = send.iter().map(|r| json!({ "flow_id": r.flow_id })).collect();
    write(out, "send.json", &send)?;
    let start = preparer.start_requests(&every).await?;
    let start: Vec<_> = start
        .iter()
        .map(|r| json!({ "domain": r.domain, "human_check_token": r.human_check_token }))
        .collect();
    write(out, "start.json", &start)?;
    Ok(())
}

fn write(out: &Path, name: &str, requests: &[serde_json::Value]) -> anyhow::Result<()> {
    let path = out.join(name);
    std::fs::write(&path, serde_json::to_string(requests)? + "\n")?;
    println!("wrote {} requests to {}", requests.len(), path.display());
    Ok(())
}
