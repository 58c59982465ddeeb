//! One pool type over SQLite (the embedded default) and PostgreSQL (production),
//! used the same way by both. Each service runs its own migrations at start.
//!
//! Portability rules every service's SQL follows (see ARCHITECTURE.md): no
//! BOOLEAN (SMALLINT 0/1), time as BIGINT unix milliseconds, ids made in Rust,
//! the deciding write first in read-then-write transactions.

pub mod script;

use std::{path::Path, time::Duration};

use sqlx::{
    Any, AnyConnection, AnyPool, Transaction, any::AnyPoolOptions, migrate::Migrator,
    pool::PoolConnectionMetadata,
};

use crate::{config::Secret, metrics::Metrics};

/// PostgreSQL connections one process holds at most, unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// Which database a service opens: a `sqlite://…` or `postgres://…` URL,
/// kept secret because it may hold a password.
#[derive(Debug, Clone)]
pub struct DatabaseLocation {
    url: Secret,
    /// PostgreSQL only (SQLite's pools are fixed: one writer, eight readers).
    max_connections: u32,
}

impl DatabaseLocation {
    pub fn url(url: Secret) -> Self {
        Self { url, max_connections: DEFAULT_MAX_CONNECTIONS }
    }

    /// The default: `<data_dir>/<service>.db`, created if missing.
    pub fn sqlite_file(data_dir: &Path, service: &str) -> Self {
        let path = data_dir.join(format!("{service}.db"));
        Self::url(Secret::new(format!("sqlite://{}?mode=rwc", path.display())))
    }

    /// At most `max` PostgreSQL connections from this process: replicas × this must stay
    /// under the server's `max_connections`.
    pub fn with_max_connections(self, max: u32) -> Self {
        Self { max_connections: max.max(1), ..self }
    }

    /// The URL itself, credentials included: only for a child process's environment.
    pub fn expose(&self) -> &str {
        self.url.expose()
    }

    fn is_sqlite(&self) -> bool {
        self.expose().starts_with("sqlite:")
    }

    /// Where the database is, without credentials, for logs.
    pub fn describe(&self) -> String {
        let url = self.expose();
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        match url[scheme_end..].find('@') {
            Some(at) => format!("{}***@{}", &url[..scheme_end], &url[scheme_end + at + 1..]),
            None => url.to_owned(),
        }
    }
}

/// A service's database, migrated. On SQLite every write goes through one
/// writer connection (transactions open with `begin immediate`, so they take
/// the write lock at once instead of sleeping in busy-timeout back-off when a
/// read lock cannot be upgraded) beside a pool of readers; on PostgreSQL
/// readers and writers share one pool, so writes keep their parallelism.
#[derive(Debug, Clone)]
pub struct Database {
    reader: AnyPool,
    writer: AnyPool,
    sqlite: bool,
    /// Where transaction start waits are recorded, once a running service owns it
    /// (`beian_db_begin_wait_seconds`, the handle taken once).
    begin_wait: Option<metrics::Histogram>,
}

impl Database {
    /// Opens the database (creating a SQLite file and its directory if needed)
    /// and runs the service's migrations.
    pub async fn open(location: &DatabaseLocation, migrator: &Migrator) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = location.is_sqlite();
        if sqlite {
            create_parent_dir(location.expose())?;
        }
        let writer = connect(location, if sqlite { 1 } else { location.max_connections }).await?;
        migrator
            .run(&writer)
            .await
            .map_err(|e| anyhow::anyhow!("migrating {} failed: {e}", location.describe()))?;
        // an in-memory SQLite database exists once per connection: readers could not see it
        let reader = if sqlite && !is_sqlite_memory(location.expose()) {
            connect(location, 8).await?
        } else {
            writer.clone()
        };
        Ok(Self { reader, writer, sqlite, begin_wait: None })
    }

    /// Records into `metrics` from now on (the running service's registry).
    pub fn observed_by(mut self, metrics: &Metrics) -> Self {
        self.begin_wait = Some(metrics.histogram("beian_db_begin_wait_seconds", &[]));
        self
    }

    /// Sets `beian_db_connections{pool,state}`: on SQLite the readers and the one
    /// writer, on PostgreSQL the one shared pool.
    pub fn sample_pools(&self, metrics: &Metrics) {
        let pools: &[(&str, &AnyPool)] = if self.sqlite {
            &[("reader", &self.reader), ("writer", &self.writer)]
        } else {
            &[("shared", &self.writer)]
        };
        for (name, pool) in pools {
            let idle = pool.num_idle();
            let used = usize::try_from(pool.size()).unwrap_or(usize::MAX).saturating_sub(idle);
            #[allow(clippy::cast_precision_loss, reason = "a pool holds a few dozen connections")]
            {
                metrics.gauge("beian_db_connections", &[("pool", name), ("state", "idle")]).set(idle as f64);
                metrics.gauge("beian_db_connections", &[("pool", name), ("state", "used")]).set(used as f64);
            }
        }
    }

    /// For reads (single statements or read-only transactions).
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// For single-statement writes; transactions that write use [`Self::begin`].
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// True on SQLite, where one connection does every write: inside a
    /// [`Self::begin`] transaction nothing changes between a read and a write,
    /// so an operation may read, decide, then write, with no conditional
    /// statement to race. On PostgreSQL writers run in parallel.
    pub fn writes_one_at_a_time(&self) -> bool {
        self.sqlite
    }

    /// A transaction that writes: on SQLite `begin immediate` on the one writer.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let started = std::time::Instant::now();
        let transaction = if self.sqlite {
            self.writer.begin_with("begin immediate").await
        } else {
            self.writer.begin().await
        };
        if let Some(begin_wait) = &self.begin_wait {
            begin_wait.record(started.elapsed().as_secs_f64());
        }
        transaction
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

async fn connect(location: &DatabaseLocation, max_connections: u32) -> anyhow::Result<AnyPool> {
    let mut options =
        AnyPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(10));
    if location.is_sqlite() {
        options = options.after_connect(sqlite_pragmas);
    }
    options
        .connect(location.expose())
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", location.describe()))
}

fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// WAL and a busy timeout make concurrent writers on one SQLite file error-free;
/// pragmas cannot go in the URL through the Any driver.
fn sqlite_pragmas(
    conn: &mut AnyConnection,
    _meta: PoolConnectionMetadata,
) -> futures::future::BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move {
        sqlx::raw_sql(
            "pragma journal_mode = wal; pragma synchronous = normal; \
             pragma busy_timeout = 5000; pragma foreign_keys = on;",
        )
        .execute(conn)
        .await?;
        Ok(())
    })
}

fn create_parent_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// A duration as stored: whole milliseconds (saturating).
pub fn duration_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_hides_credentials() {
        let location = DatabaseLocation::url(Secret::new("postgres://app:pw@db:5432/beian"));
        assert_eq!(location.describe(), "postgres://***@db:5432/beian");
        let sqlite = DatabaseLocation::sqlite_file(Path::new("data"), "gateway");
        assert_eq!(sqlite.describe(), "sqlite://data/gateway.db?mode=rwc");
    }
}

/// On the engine `BEIAN_TEST_DATABASE` names.
#[cfg(all(test, feature = "testing"))]
mod engine_tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::testing::{Engine, ScratchDatabases};

    #[tokio::test]
    async fn a_postgres_pool_holds_at_most_the_connections_asked() {
        let engine = Engine::from_env().unwrap();
        let scratch = ScratchDatabases::create(&engine, "pool", &["p"]).await.unwrap();
        let migrations = scratch.dir().join("migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        let migrator = Migrator::new(migrations.as_path()).await.unwrap();
        let location = scratch.location("p").unwrap().with_max_connections(3);
        let db = Database::open(&location, &migrator).await.unwrap();
        let expected = match engine {
            Engine::Postgres { .. } => 3,
            // SQLite's writer is one connection whatever is asked
            Engine::Sqlite => 1,
        };
        assert_eq!(db.writer().options().get_max_connections(), expected);
        db.close().await;
    }
}
