//! The machine's busy CPU time over a timed run, from `/proc/stat` (Linux only):
//! the suite, the load client and, on PostgreSQL, the database server together.
//! Requests/s depend on how much of the cores a step keeps busy; CPU per request
//! does not, so its ratio to the health check's is the steadier figure.

/// Busy time read from `/proc/stat`, in its clock ticks (USER_HZ, 100 a second).
#[derive(Debug, Clone, Copy)]
pub struct MachineCpu {
    busy_ticks: u64,
}

/// `/proc/stat` counts in USER_HZ, which Linux fixes at 100 for user space.
const TICKS_PER_SECOND: f64 = 100.0;

impl MachineCpu {
    /// Now; None where `/proc/stat` cannot be read.
    pub fn now() -> Option<Self> {
        busy_ticks(&std::fs::read_to_string("/proc/stat").ok()?).map(|busy_ticks| Self { busy_ticks })
    }

    /// Core-seconds spent busy since `self`.
    pub fn busy_seconds_since(self) -> Option<f64> {
        let now = Self::now()?;
        #[allow(clippy::cast_precision_loss, reason = "tick counts far below 2^52")]
        Some(now.busy_ticks.saturating_sub(self.busy_ticks) as f64 / TICKS_PER_SECOND)
    }
}

/// The summed `cpu` line's busy fields: user, nice, system, irq, softirq and steal
/// (idle and iowait are not busy; guest time is already inside user).
fn busy_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).map(str::parse).collect::<Result<_, _>>().ok()?;
    let field = |i: usize| fields.get(i).copied().unwrap_or(0);
    (fields.len() >= 4).then(|| field(0) + field(1) + field(2) + field(5) + field(6) + field(7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_time_leaves_out_idle_iowait_and_guest() {
        let stat = "cpu  100 5 30 9000 40 2 3 1 50 0\ncpu0 50 2 15 4500 20 1 1 0 25 0\nintr 1 2 3\n";
        assert_eq!(busy_ticks(stat), Some(100 + 5 + 30 + 2 + 3 + 1));
        // older kernels print fewer fields
        assert_eq!(busy_ticks("cpu  10 0 5 100\n"), Some(15));
        assert_eq!(busy_ticks("intr 1 2 3\n"), None);
        assert_eq!(busy_ticks("cpu  ten 0 5 100\n"), None);
    }
}
