//! One pool type over SQLite (the embedded default) and PostgreSQL (production),
//! used the same way by both. Each service runs its own migrations at start.
//!
//! Portability rules every service's SQL follows (see ARCHITECTURE.md): no
//! BOOLEAN (SMALLINT 0/1), time as BIGINT unix milliseconds, ids made in Rust,
//! the deciding write first in read-then-write transactions.

pub mod script;

use std::{path::Path, sync::Arc, time::Duration};

use sqlx::{
    Any, AnyConnection, AnyPool, Connection as _, Transaction,
    any::AnyPoolOptions,
    migrate::Migrator,
    pool::{PoolConnection, PoolConnectionMetadata},
};
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

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
    writer: Writers,
    sqlite: bool,
    /// Where waits for the writer are recorded, once a running service owns it
    /// (`beian_db_begin_wait_seconds`, the handle taken once).
    begin_wait: Option<metrics::Histogram>,
}

/// Where writes go.
#[derive(Debug, Clone)]
enum Writers {
    /// SQLite's one writer, held here rather than in a pool: sqlx's pool pings a
    /// connection as it is taken and again as it is given back, each ping a hand-off
    /// to SQLite's thread, and on the one writer every queued write waited for them.
    Held(Arc<Mutex<Option<AnyConnection>>>),
    /// PostgreSQL's shared pool; an in-memory SQLite database's one connection
    /// (it exists once per connection, so readers share it).
    Pool(AnyPool),
}

impl Database {
    /// Opens the database (creating a SQLite file and its directory if needed)
    /// and runs the service's migrations.
    pub async fn open(location: &DatabaseLocation, migrator: &Migrator) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = location.is_sqlite();
        let migrated =
            |e: sqlx::migrate::MigrateError| anyhow::anyhow!("migrating {} failed: {e}", location.describe());
        if sqlite && !is_sqlite_memory(location.expose()) {
            create_parent_dir(location.expose())?;
            // migrated through a pool of one, then taken out of it for good
            let pool = connect(location, 1).await?;
            migrator.run(&pool).await.map_err(migrated)?;
            let writer = pool.acquire().await?.detach();
            pool.close().await;
            let reader = connect(location, 8).await?;
            let writer = Writers::Held(Arc::new(Mutex::new(Some(writer))));
            return Ok(Self { reader, writer, sqlite, begin_wait: None });
        }
        let pool = connect(location, if sqlite { 1 } else { location.max_connections }).await?;
        migrator.run(&pool).await.map_err(migrated)?;
        Ok(Self { reader: pool.clone(), writer: Writers::Pool(pool), sqlite, begin_wait: None })
    }

    /// Records into `metrics` from now on (the running service's registry).
    pub fn observed_by(mut self, metrics: &Metrics) -> Self {
        self.begin_wait = Some(metrics.histogram("beian_db_begin_wait_seconds", &[]));
        self
    }

    /// Sets `beian_db_connections{pool,state}`: on SQLite the readers and the one
    /// writer, on PostgreSQL the one shared pool.
    pub fn sample_pools(&self, metrics: &Metrics) {
        let writer = match &self.writer {
            // the held writer is in use while its lock is taken
            Writers::Held(held) => {
                let idle = usize::from(held.try_lock().is_ok());
                (idle, 1 - idle)
            }
            Writers::Pool(pool) => pool_use(pool),
        };
        let pools = if self.sqlite {
            vec![("reader", pool_use(&self.reader)), ("writer", writer)]
        } else {
            vec![("shared", writer)]
        };
        for (name, (idle, used)) in pools {
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

    /// The connection for writes, held until the answer is dropped: on SQLite the
    /// one writer (other writes wait), on PostgreSQL one from the pool. Take it for
    /// a statement (`&mut *db.writer().await?`) or a transaction ([`Writer::begin`]).
    pub async fn writer(&self) -> Result<Writer, sqlx::Error> {
        let started = std::time::Instant::now();
        let writer = match &self.writer {
            Writers::Held(held) => {
                let guard = OwnedMutexGuard::try_map(Arc::clone(held).lock_owned().await, Option::as_mut)
                    .map_err(|_| sqlx::Error::PoolClosed)?;
                Writer { connection: Connection::Held(guard), sqlite: self.sqlite }
            }
            Writers::Pool(pool) => {
                Writer { connection: Connection::Pooled(pool.acquire().await?), sqlite: self.sqlite }
            }
        };
        if let Some(begin_wait) = &self.begin_wait {
            begin_wait.record(started.elapsed().as_secs_f64());
        }
        Ok(writer)
    }

    /// True on SQLite, where one connection does every write: inside a
    /// [`Writer::begin`] transaction nothing changes between a read and a write,
    /// so an operation may read, decide, then write, with no conditional
    /// statement to race. On PostgreSQL writers run in parallel.
    pub fn writes_one_at_a_time(&self) -> bool {
        self.sqlite
    }

    /// Which engine: `sqlite` or `postgresql` (for logs).
    pub fn engine(&self) -> &'static str {
        if self.sqlite { "sqlite" } else { "postgresql" }
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.reader.close().await;
        match &self.writer {
            Writers::Held(held) => {
                if let Some(connection) = held.lock().await.take() {
                    let _ = connection.close().await;
                }
            }
            Writers::Pool(pool) => pool.close().await,
        }
    }
}

/// The write connection, taken from [`Database::writer`].
#[derive(Debug)]
pub struct Writer {
    connection: Connection,
    sqlite: bool,
}

#[derive(Debug)]
enum Connection {
    Held(OwnedMappedMutexGuard<Option<AnyConnection>, AnyConnection>),
    Pooled(PoolConnection<Any>),
}

impl Writer {
    /// A transaction that writes: on SQLite `begin immediate`, taking the write
    /// lock at once. Dropped without a commit, it rolls back.
    pub async fn begin(&mut self) -> Result<Transaction<'_, Any>, sqlx::Error> {
        let sqlite = self.sqlite;
        let connection: &mut AnyConnection = self;
        if sqlite { connection.begin_with("begin immediate").await } else { connection.begin().await }
    }
}

impl std::ops::Deref for Writer {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.connection {
            Connection::Held(connection) => connection,
            Connection::Pooled(connection) => connection,
        }
    }
}

impl std::ops::DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.connection {
            Connection::Held(connection) => connection,
            Connection::Pooled(connection) => connection,
        }
    }
}

fn pool_use(pool: &AnyPool) -> (usize, usize) {
    let idle = pool.num_idle();
    (idle, usize::try_from(pool.size()).unwrap_or(usize::MAX).saturating_sub(idle))
}

async fn connect(location: &DatabaseLocation, max_connections: u32) -> anyhow::Result<AnyPool> {
    let mut options = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(ping_if_idle);
    if location.is_sqlite() {
        options = options.after_connect(sqlite_pragmas);
    }
    options
        .connect(location.expose())
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", location.describe()))
}

/// How long a pooled connection may sit idle and still be handed out without a ping.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// sqlx pings every connection it hands out (and again as it takes one back): a round
/// trip to PostgreSQL, a hand-off to SQLite's thread. A connection busy moments ago is
/// alive; one idle longer (the server may have restarted meanwhile) is pinged and, if
/// dead, replaced.
fn ping_if_idle(
    conn: &mut AnyConnection,
    meta: PoolConnectionMetadata,
) -> futures::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        if meta.idle_for >= PING_AFTER_IDLE {
            conn.ping().await?;
        }
        Ok(true)
    })
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
    Box::pin(apply_sqlite_pragmas(conn))
}

async fn apply_sqlite_pragmas(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(
        "pragma journal_mode = wal; pragma synchronous = normal; \
         pragma busy_timeout = 5000; pragma foreign_keys = on;",
    )
    .execute(conn)
    .await?;
    Ok(())
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

    /// A scratch database without tables, at most `max` connections on PostgreSQL.
    async fn empty(engine: &Engine, name: &str, max: u32) -> (ScratchDatabases, Database) {
        let scratch = ScratchDatabases::create(engine, name, &["db"]).await.unwrap();
        let migrations = scratch.dir().join("migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        let migrator = Migrator::new(migrations.as_path()).await.unwrap();
        let location = scratch.location("db").unwrap().with_max_connections(max);
        let db = Database::open(&location, &migrator).await.unwrap();
        (scratch, db)
    }

    #[tokio::test]
    async fn a_postgres_pool_holds_at_most_the_connections_asked() {
        let engine = Engine::from_env().unwrap();
        let (_scratch, db) = empty(&engine, "pool", 3).await;
        let expected = match engine {
            Engine::Postgres { .. } => 3,
            // SQLite's writer is one connection whatever is asked
            Engine::Sqlite => 1,
        };
        let writers = match &db.writer {
            Writers::Pool(pool) => pool.options().get_max_connections(),
            Writers::Held(_) => 1,
        };
        assert_eq!(writers, expected);
        db.close().await;
    }

    #[tokio::test]
    async fn a_connection_that_died_while_idle_is_replaced_before_use() {
        let engine = Engine::from_env().unwrap();
        let Engine::Postgres { admin_url } = &engine else {
            return; // nothing outside the process can end a SQLite connection
        };
        let (_scratch, db) = empty(&engine, "idle", 1).await;
        let backend = || sqlx::query_scalar::<_, i32>("select pg_backend_pid()").fetch_one(db.reader());
        let first = backend().await.unwrap();

        // the server ends the pool's one connection (a restart, a failover) while it is idle
        let mut admin = AnyConnection::connect(admin_url).await.unwrap();
        sqlx::query("select pg_terminate_backend($1)").bind(first).execute(&mut admin).await.unwrap();
        tokio::time::sleep(PING_AFTER_IDLE + Duration::from_millis(200)).await;

        let second = backend().await.expect("a live connection replaces the dead one");
        assert_ne!(first, second);
        db.close().await;
    }
}
