//! Statements a transaction runs back to back, sent to SQLite as one script.
//!
//! sqlx's SQLite driver runs each connection on its own OS thread and hands it
//! every statement over a channel: a statement costs two thread wake-ups, and on
//! SQLite's one writer connection every concurrent writer queues behind them.
//! Statements that need no answer in between can go as one script (one hand-off);
//! SQLite binds `$n` by number across a script's statements, so each statement is
//! renumbered past the arguments of those before it. PostgreSQL's extended
//! protocol takes one statement per query, so there they run one by one, in order.

use sqlx::{AnyConnection, AnyExecutor, AssertSqlSafe, any::AnyArguments, any::AnyRow};

/// A value bound to a statement.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    OptionalText(Option<String>),
    BigInt(i64),
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Self::OptionalText(value.map(str::to_owned))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::BigInt(value)
    }
}

/// One SQL statement with its `$1…$n` arguments, kept as data so that it can
/// run alone or as part of a [`Script`].
#[derive(Debug, Clone)]
pub struct Statement {
    sql: String,
    values: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), values: Vec::new() }
    }

    /// Adds SQL at the end (a condition, a `returning` clause).
    #[must_use]
    pub fn append(mut self, sql: &str) -> Self {
        self.sql.push_str(sql);
        self
    }

    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    fn arguments(values: Vec<Value>) -> Result<AnyArguments, sqlx::Error> {
        use sqlx::Arguments as _;
        let mut arguments = AnyArguments::default();
        for value in values {
            match value {
                Value::Text(text) => arguments.add(text),
                Value::OptionalText(text) => arguments.add(text),
                Value::BigInt(number) => arguments.add(number),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(arguments)
    }

    fn into_query(self) -> Result<sqlx::query::Query<'static, sqlx::Any, AnyArguments>, sqlx::Error> {
        Ok(sqlx::query_with(AssertSqlSafe(self.sql), Self::arguments(self.values)?))
    }

    /// Runs it alone; answers the rows it changed.
    pub async fn execute<'e>(self, db: impl AnyExecutor<'e>) -> Result<u64, sqlx::Error> {
        Ok(self.into_query()?.execute(db).await?.rows_affected())
    }

    pub async fn fetch_optional<'e>(self, db: impl AnyExecutor<'e>) -> Result<Option<AnyRow>, sqlx::Error> {
        self.into_query()?.fetch_optional(db).await
    }

    pub async fn fetch_all<'e>(self, db: impl AnyExecutor<'e>) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.into_query()?.fetch_all(db).await
    }
}

/// Statements run in order in the caller's transaction, their answers unread.
#[derive(Debug, Default)]
pub struct Script {
    statements: Vec<Statement>,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn then(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// [`Self::then`] when there is a statement.
    #[must_use]
    pub fn then_some(mut self, statement: Option<Statement>) -> Self {
        self.statements.extend(statement);
        self
    }

    /// Runs every statement: on SQLite in one hand-off to the connection's
    /// thread, elsewhere one by one. Stops at the first error (the caller's
    /// transaction then rolls back what ran).
    pub async fn execute(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if conn.backend_name() != "SQLite" {
            for statement in self.statements {
                statement.execute(&mut *conn).await?;
            }
            return Ok(());
        }
        let mut sql = String::new();
        let mut values = Vec::new();
        for statement in self.statements {
            sql.push_str(&renumber(&statement.sql, values.len()));
            sql.push_str(";\n");
            values.extend(statement.values);
        }
        Statement { sql, values }.execute(conn).await.map(drop)
    }
}

impl Script {
    /// Runs statements none of which reads what another writes (each an insert,
    /// update or delete, none with `returning`) in one round trip: on PostgreSQL as
    /// one statement, every statement but the last a data-modifying `with` (all see
    /// one snapshot, taken as the statement starts); on SQLite as [`Self::execute`].
    pub async fn execute_independent(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if conn.backend_name() == "SQLite" {
            return self.execute(conn).await;
        }
        let Some((last, before)) = self.statements.split_last() else {
            return Ok(());
        };
        let mut sql = String::new();
        let mut values = Vec::new();
        for (i, statement) in before.iter().enumerate() {
            sql.push_str(if i == 0 { "with " } else { ", " });
            sql.push_str(&format!("s{i} as ({})", renumber(&statement.sql, values.len())));
            values.extend(statement.values.iter().cloned());
        }
        sql.push(' ');
        sql.push_str(&renumber(&last.sql, values.len()));
        values.extend(last.values.iter().cloned());
        Statement { sql, values }.execute(conn).await.map(drop)
    }
}

/// The statement with every `$n` placeholder moved up by `offset`. The
/// statements are the services' own (no `$` inside their string literals).
fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn placeholders_move_past_earlier_arguments() {
        assert_eq!(
            renumber("update t set a = $1 where b = $2 and c = $1", 3),
            "update t set a = $4 where b = $5 and c = $4"
        );
        assert_eq!(renumber("insert into t values ($10, $9)", 0), "insert into t values ($10, $9)");
        assert_eq!(renumber("select 1", 5), "select 1");
    }
}

/// On the engine `BEIAN_TEST_DATABASE` names (scratch databases come with the
/// `testing` feature, which `cargo test --workspace` turns on).
#[cfg(all(test, feature = "testing"))]
mod engine_tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use sqlx::Row;

    use super::*;
    use crate::{
        storage::Database,
        testing::{Engine, ScratchDatabases},
    };

    async fn scratch() -> (ScratchDatabases, Database) {
        let scratch = ScratchDatabases::create(&Engine::from_env().unwrap(), "script", &["t"]).await.unwrap();
        let migrations = scratch.dir().join("migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        std::fs::write(
            migrations.join("0001_t.sql"),
            "create table t (k text primary key, n bigint not null);",
        )
        .unwrap();
        let migrator = sqlx::migrate::Migrator::new(migrations.as_path()).await.unwrap();
        let db = Database::open(&scratch.location("t").unwrap(), &migrator).await.unwrap();
        (scratch, db)
    }

    async fn rows(db: &Database) -> Vec<(String, i64)> {
        let rows = sqlx::query("select k, n from t order by k").fetch_all(db.reader()).await.unwrap();
        rows.iter().map(|r| (r.try_get("k").unwrap(), r.try_get("n").unwrap())).collect()
    }

    #[tokio::test]
    async fn a_script_runs_its_statements_in_order_with_their_own_arguments() {
        let (_scratch, db) = scratch().await;
        let mut writer = db.writer().await.unwrap();
        let mut tx = writer.begin().await.unwrap();
        Script::new()
            .then(Statement::new("insert into t (k, n) values ($1, $2)").bind("a").bind(1_i64))
            .then(
                Statement::new("insert into t (k, n) values ($1, $2), ($3, $2)")
                    .bind("b")
                    .bind(2_i64)
                    .bind("c"),
            )
            .then(Statement::new("update t set n = n + $2 where k = $1").bind("a").bind(10_i64))
            .execute(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        drop(writer);
        assert_eq!(rows(&db).await, [("a".into(), 11), ("b".into(), 2), ("c".into(), 2)]);
    }

    #[tokio::test]
    async fn independent_statements_run_as_one_with_their_own_arguments() {
        let (_scratch, db) = scratch().await;
        let mut writer = db.writer().await.unwrap();
        Statement::new("insert into t (k, n) values ($1, $2)")
            .bind("old")
            .bind(1_i64)
            .execute(&mut *writer)
            .await
            .unwrap();
        let mut tx = writer.begin().await.unwrap();
        Script::new()
            .then(Statement::new("update t set n = n + $2 where k = $1").bind("old").bind(10_i64))
            .then(Statement::new("insert into t (k, n) values ($1, $2)").bind("a").bind(2_i64))
            .then(
                Statement::new("insert into t (k, n) values ($1, $2), ($3, $2)")
                    .bind("b")
                    .bind(3_i64)
                    .bind("c"),
            )
            .execute_independent(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        drop(writer);
        let expected = [("a".into(), 2), ("b".into(), 3), ("c".into(), 3), ("old".into(), 11)];
        assert_eq!(rows(&db).await, expected);
    }

    #[tokio::test]
    async fn a_failing_statement_leaves_the_transaction_to_roll_back_everything() {
        let (_scratch, db) = scratch().await;
        let mut writer = db.writer().await.unwrap();
        let mut tx = writer.begin().await.unwrap();
        let failed = Script::new()
            .then(Statement::new("insert into t (k, n) values ($1, $2)").bind("a").bind(1_i64))
            .then(Statement::new("insert into t (k, n) values ($1, $2)").bind("a").bind(2_i64))
            .execute(&mut tx)
            .await;
        assert!(failed.is_err(), "the duplicate key fails the script");
        tx.rollback().await.unwrap();
        drop(writer);
        assert!(rows(&db).await.is_empty());
        // the writer is usable afterwards
        Statement::new("insert into t (k, n) values ($1, $2)")
            .bind("z")
            .bind(3_i64)
            .execute(&mut *db.writer().await.unwrap())
            .await
            .unwrap();
        assert_eq!(rows(&db).await, [("z".into(), 3)]);
    }
}
