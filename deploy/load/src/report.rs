//! The figures as a plain table (for terminals and CI logs) and as JSON.

use std::path::Path;

use serde::Serialize;

use crate::measure::Figures;

/// Everything one `run` measured, with the settings that produced it.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub settings: Settings,
    /// In the order run.
    pub scenarios: Vec<Scenario>,
    /// start ÷ health, from the same run; absent unless both ran.
    pub start_over_health: Option<Ratios>,
    /// Each scenario's CPU per request ÷ health's, from the same run (Linux, health run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cpu_over_health: Vec<(&'static str, f64)>,
    /// Each step's least CPU from its parts (health, hop, read and write run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<crate::parts::Floor>,
    /// Each service's resident memory (`--processes` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<ServiceMemory>,
}

/// One service's resident memory in MiB: after start-up, after the last scenario,
/// and the most it held at any point (the kernel's high-water mark).
#[derive(Debug, Serialize)]
pub struct ServiceMemory {
    pub service: &'static str,
    pub idle_mib: f64,
    pub after_load_mib: f64,
    pub peak_mib: f64,
}

pub fn memory_header() -> String {
    format!("{:<20} {:>10} {:>14} {:>10}", "service", "idle MiB", "after load MiB", "peak MiB")
}

pub fn memory_row(memory: &ServiceMemory) -> String {
    format!(
        "{:<20} {:>10.1} {:>14.1} {:>10.1}",
        memory.service, memory.idle_mib, memory.after_load_mib, memory.peak_mib
    )
}

#[derive(Debug, Serialize)]
pub struct Scenario {
    pub name: &'static str,
    #[serde(flatten)]
    pub figures: Figures,
    /// Login runs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginFigures>,
}

/// The error kind of a login shed by the hashing permits: expected beyond their limit.
pub const SHED: &str = "ResourceExhausted OVERLOADED";

impl Scenario {
    /// Failed calls that invalidate the figures: all of them, except sheds in a login run.
    pub fn unexpected_errors(&self) -> u64 {
        let shed =
            if self.login.is_some() { self.figures.error_kinds.get(SHED).copied().unwrap_or(0) } else { 0 };
        self.figures.errors - shed
    }
}

/// Keycloak's sizing guide: one vCPU per 15 password-based logins per second.
pub const KEYCLOAK_LOGINS_PER_VCPU: f64 = 15.0;

/// Logins against the machine's cores and Keycloak's sizing.
#[derive(Debug, Clone, Serialize)]
pub struct LoginFigures {
    pub cores: usize,
    pub logins_per_sec: f64,
    pub logins_per_sec_per_core: f64,
    /// Share of the calls shed (OVERLOADED) for want of a hashing permit.
    pub shed_ratio: f64,
    pub keycloak_logins_per_vcpu: f64,
}

impl LoginFigures {
    pub fn of(figures: &Figures, cores: usize) -> Self {
        let shed = figures.error_kinds.get(SHED).copied().unwrap_or(0);
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let (shed, requests, cores_f) = (shed as f64, figures.requests.max(1) as f64, cores.max(1) as f64);
        Self {
            cores,
            logins_per_sec: figures.requests_per_sec,
            logins_per_sec_per_core: figures.requests_per_sec / cores_f,
            shed_ratio: shed / requests,
            keycloak_logins_per_vcpu: KEYCLOAK_LOGINS_PER_VCPU,
        }
    }
}

pub fn login(l: &LoginFigures) -> String {
    format!(
        "               {:.1} logins/s on {} cores = {:.1} per core (Keycloak sizes 1 vCPU per {:.0}); shed {:.1} %",
        l.logins_per_sec,
        l.cores,
        l.logins_per_sec_per_core,
        l.keycloak_logins_per_vcpu,
        l.shed_ratio * 100.0
    )
}

#[derive(Debug, Serialize)]
pub struct Settings {
    pub build: &'static str,
    pub storage: &'static str,
    pub requests: u64,
    pub concurrency: u32,
    pub connections: usize,
    pub filings: usize,
    pub policy: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Ratios {
    pub requests_per_sec: f64,
    pub p50: f64,
    pub p99: f64,
}

impl Ratios {
    pub fn of(start: &Figures, health: &Figures) -> Self {
        Self {
            requests_per_sec: start.requests_per_sec / health.requests_per_sec,
            p50: start.p50_ms / health.p50_ms,
            p99: start.p99_ms / health.p99_ms,
        }
    }
}

pub fn header() -> String {
    format!(
        "{:<14} {:>8} {:>5} {:>10} {:>11} {:>9} {:>9} {:>7} {:>11} {:>6}",
        "scenario",
        "requests",
        "conc",
        "seconds",
        "requests/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "cpu µs/req",
        "cores"
    )
}

pub fn row(name: &str, f: &Figures) -> String {
    let optional =
        |value: Option<f64>, decimals: usize| value.map_or("-".to_owned(), |v| format!("{v:.decimals$}"));
    format!(
        "{:<14} {:>8} {:>5} {:>10.2} {:>11.1} {:>9.2} {:>9.2} {:>7} {:>11} {:>6}",
        name,
        f.requests,
        f.concurrency,
        f.seconds,
        f.requests_per_sec,
        f.p50_ms,
        f.p99_ms,
        f.errors,
        optional(f.cpu_us_per_request, 0),
        optional(f.busy_cores, 2)
    )
}

/// Each scenario's CPU per request ÷ the health check's, when both were read.
pub fn cpu_over_health(scenarios: &[Scenario]) -> Vec<(&'static str, f64)> {
    let Some(health) =
        scenarios.iter().find(|s| s.name == "health").and_then(|s| s.figures.cpu_us_per_request)
    else {
        return Vec::new();
    };
    scenarios
        .iter()
        .filter(|s| s.name != "health" && health > 0.0)
        .filter_map(|s| Some((s.name, s.figures.cpu_us_per_request? / health)))
        .collect()
}

pub fn cpu_ratios(ratios: &[(&str, f64)]) -> String {
    let each: Vec<String> = ratios.iter().map(|(name, ratio)| format!("{name} {ratio:.1}×")).collect();
    format!("CPU per request ÷ health's (same run, the whole machine): {}", each.join(", "))
}

pub fn errors(f: &Figures) -> impl Iterator<Item = String> + '_ {
    f.error_kinds.iter().map(|(kind, n)| format!("               {n} × {kind}"))
}

pub fn ratios(r: &Ratios) -> String {
    format!(
        "start ÷ health (same run): requests/s {:.3} (health is {:.1}× start), p50 {:.1}×, p99 {:.1}×",
        r.requests_per_sec,
        1.0 / r.requests_per_sec,
        r.p50,
        r.p99
    )
}

pub fn write_json(path: &Path, report: &RunReport) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(report)? + "\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &'static str, cpu_us_per_request: Option<f64>) -> Scenario {
        let figures = Figures {
            requests: 10,
            concurrency: 1,
            seconds: 1.0,
            requests_per_sec: 10.0,
            p50_ms: 1.0,
            p99_ms: 2.0,
            errors: 0,
            error_kinds: std::collections::BTreeMap::new(),
            cpu_us_per_request,
            busy_cores: cpu_us_per_request.map(|_| 1.0),
        };
        Scenario { name, figures, login: None }
    }

    #[test]
    fn cpu_is_compared_with_the_health_checks_when_both_were_read() {
        let run = [
            scenario("health", Some(25.0)),
            scenario("start", Some(300.0)),
            scenario("send", None),
            scenario("verify", Some(1000.0)),
        ];
        assert_eq!(cpu_over_health(&run), vec![("start", 12.0), ("verify", 40.0)]);
        assert_eq!(
            cpu_ratios(&cpu_over_health(&run)),
            "CPU per request ÷ health's (same run, the whole machine): start 12.0×, verify 40.0×"
        );
        // without the health check's figure there is nothing to compare with
        assert!(cpu_over_health(&[scenario("health", None), scenario("start", Some(300.0))]).is_empty());
        assert!(row("send", &run[2].figures).ends_with("-      -"));
    }
}
