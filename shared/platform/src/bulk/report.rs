//! The reconciliation report of a load: per table, every line read is loaded, updated,
//! unchanged or rejected (by reason), with the first rejected rows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Outcome;

/// One table's reconciliation: every line read is loaded, updated, unchanged or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    pub read: u64,
    pub loaded: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: BTreeMap<String, u64>,
}

impl TableCounts {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    pub(super) fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Loaded => self.loaded += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Rejected(reason) => *self.rejected.entry(reason.to_owned()).or_default() += 1,
        }
    }
}

/// A line that was not loaded, and why (never its content: it may hold personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// The reconciliation report of a whole load (including the part before a resume).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// The export's directory, canonical.
    pub dump: String,
    /// Per table, in load order.
    pub tables: Vec<(String, TableCounts)>,
    /// The first rejected rows of this run (all of them are counted in `tables`).
    pub rejected_rows: Vec<RejectedRow>,
    /// Lines read by this run (a resumed run reads only the rest), and its duration.
    pub lines_read_this_run: u64,
    pub seconds: f64,
    pub lines_per_second: f64,
}

impl LoadReport {
    pub fn table(&self, name: &str) -> Option<&TableCounts> {
        self.tables.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The report as a terminal table.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<10} {:>10} {:>10} {:>10} {:>10} {:>10}  rejected by reason\n",
            "table", "read", "loaded", "updated", "unchanged", "rejected"
        );
        for (name, c) in &self.tables {
            let reasons: Vec<String> = c.rejected.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            out.push_str(&format!(
                "{name:<10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n",
                c.read,
                c.loaded,
                c.updated,
                c.unchanged,
                c.rejected_total(),
                reasons.join(", ")
            ));
        }
        out.push_str(&format!(
            "{} lines in {:.1} s: {:.0} lines/s\n",
            self.lines_read_this_run, self.seconds, self.lines_per_second
        ));
        out
    }
}
