//! One timed run through rlt, and the figures taken from its report.
//!
//! rlt's public entry point is `rlt::cli::run` (its runner is private), so
//! the run is configured through its own command line: a fixed total and
//! concurrency, the silent collector (no TUI: plain output for CI logs) and
//! the JSON report written to a file, which is then read back.

use std::{collections::BTreeMap, path::Path};

use clap::Parser;
use rlt::cli::BenchCli;
use serde::Serialize;

use crate::{cpu::MachineCpu, scenario::GatewayLoad};

/// What one scenario measured. Latencies are of successful calls.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub requests: u64,
    pub concurrency: u32,
    pub seconds: f64,
    /// Successful calls per second over the timed run.
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    /// Failed calls by gRPC code and reason.
    pub error_kinds: BTreeMap<String, u64>,
    /// The machine's busy CPU time over the run per successful call, in microseconds
    /// (Linux; counted in 10 ms ticks, so absent when the run kept the machine busy for
    /// less than 0.2 core-seconds: raise `--requests`).
    pub cpu_us_per_request: Option<f64>,
    /// How many of the machine's cores the run kept busy on average.
    pub busy_cores: Option<f64>,
}

pub async fn measure(
    load: GatewayLoad,
    total: u64,
    concurrency: u32,
    report: &Path,
) -> anyhow::Result<Figures> {
    let args = [
        "rlt".to_owned(),
        "--collector=silent".to_owned(),
        format!("--concurrency={concurrency}"),
        format!("--iterations={total}"),
        "--output=json".to_owned(),
        format!("--output-file={}", report.display()),
    ];
    let cli = BenchCli::try_parse_from(args)?;
    let cpu = MachineCpu::now();
    rlt::cli::run(cli, load).await?;
    let busy = cpu.and_then(MachineCpu::busy_seconds_since);
    let mut figures = figures(&serde_json::from_str(&std::fs::read_to_string(report)?)?, concurrency)?;
    let succeeded = figures.requests - figures.errors;
    // under 0.2 core-seconds, a tick either way (10 ms) moves the figure by 5 % or more
    if let Some(busy) = busy.filter(|&busy| busy >= 0.2 && succeeded > 0 && figures.seconds > 0.0) {
        #[allow(clippy::cast_precision_loss, reason = "request counts far below 2^52")]
        let per_request = busy * 1e6 / succeeded as f64;
        figures.cpu_us_per_request = Some(per_request);
        figures.busy_cores = Some(busy / figures.seconds);
    }
    Ok(figures)
}

fn figures(report: &serde_json::Value, concurrency: u32) -> anyhow::Result<Figures> {
    let number = |pointer: &str| {
        report
            .pointer(pointer)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| anyhow::anyhow!("the rlt report has no number at {pointer}"))
    };
    let error_kinds: BTreeMap<String, u64> = report["errors"]
        .as_object()
        .map(|errors| errors.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default();
    let errors = error_kinds.values().sum();
    let succeeded = report.pointer("/summary/iters/total").and_then(serde_json::Value::as_u64).unwrap_or(0);
    // no successful call: no latency section
    let latency = |p: &str| if succeeded == 0 { Ok(f64::NAN) } else { number(p).map(|s| s * 1000.0) };
    Ok(Figures {
        requests: succeeded + errors,
        concurrency,
        seconds: number("/summary/total_time")?,
        requests_per_sec: number("/summary/iters/rate")?,
        p50_ms: latency("/latency/percentiles/p50")?,
        p99_ms: latency("/latency/percentiles/p99")?,
        errors,
        error_kinds,
        cpu_us_per_request: None,
        busy_cores: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_and_an_all_failed_run_has_no_latency() -> anyhow::Result<()> {
        let report = serde_json::json!({
            "summary": { "total_time": 2.0, "concurrency": 4, "iters": { "total": 0, "rate": 0.0 } },
            "status": {},
            "errors": { "FailedPrecondition HUMAN_CHECK_FAILED": 3, "Unavailable x": 1 }
        });
        let f = figures(&report, 4)?;
        assert_eq!((f.requests, f.errors, f.error_kinds.len()), (4, 4, 2));
        assert!(f.p50_ms.is_nan() && f.p99_ms.is_nan());
        Ok(())
    }

    #[test]
    fn percentiles_are_read_in_milliseconds() -> anyhow::Result<()> {
        let report = serde_json::json!({
            "summary": { "total_time": 0.5, "concurrency": 2, "iters": { "total": 100, "rate": 200.0 } },
            "latency": { "percentiles": { "p50": 0.002, "p99": 0.0105 } },
            "errors": {}
        });
        let f = figures(&report, 2)?;
        assert_eq!((f.requests, f.errors, f.requests_per_sec), (100, 0, 200.0));
        assert!((f.p50_ms - 2.0).abs() < 1e-9 && (f.p99_ms - 10.5).abs() < 1e-9);
        Ok(())
    }
}
