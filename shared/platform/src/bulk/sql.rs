//! What the tables' multi-row statements share.

/// Bind parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535.
pub const MAX_PARAMS: usize = 30_000;

/// `$1, $2, …` on PostgreSQL; plain `?` on SQLite, where looking up each of
/// thousands of numbered parameters by name (sqlite3_bind_parameter_name walks
/// a list) took 85% of a load's time.
pub fn placeholders(sqlite: bool, first: usize, count: usize) -> String {
    if sqlite {
        return vec!["?"; count].join(", ");
    }
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}
