//! Fresh databases for one test (or one load run), on the engine
//! `BEIAN_TEST_DATABASE` names: SQLite files in a temporary directory, or fresh
//! PostgreSQL databases. They go when the value is dropped — also when a test
//! panics, since drops run while a panic unwinds.

use std::path::Path;

use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::{config::Secret, storage::DatabaseLocation};

/// Where `BEIAN_TEST_DATABASE=postgres` creates databases unless
/// `BEIAN_TEST_POSTGRES_URL` says otherwise.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The database engine of a test run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    /// `admin_url` names a database to connect to for `create database`,
    /// e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
    Postgres {
        admin_url: String,
    },
}

impl Engine {
    /// `BEIAN_TEST_DATABASE`: `sqlite` (the default) or `postgres`, on
    /// `BEIAN_TEST_POSTGRES_URL`.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("BEIAN_TEST_DATABASE").as_deref() {
            Ok("postgres") => Ok(Self::Postgres {
                admin_url: std::env::var("BEIAN_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned()),
            }),
            Ok("sqlite") | Err(_) => Ok(Self::Sqlite),
            Ok(other) => anyhow::bail!("BEIAN_TEST_DATABASE={other}: expected sqlite or postgres"),
        }
    }
}

/// One fresh database per service named at creation, and a temporary directory
/// (the SQLite files, and whatever else the run writes there).
#[derive(Debug)]
pub struct ScratchDatabases {
    locations: Vec<(String, DatabaseLocation)>,
    postgres: Option<Created>,
    dir: tempfile::TempDir,
}

/// PostgreSQL databases this value created and must drop.
#[derive(Debug)]
struct Created {
    admin_url: String,
    names: Vec<String>,
}

impl ScratchDatabases {
    /// A database for each of `services` on `engine`; PostgreSQL ones are named
    /// `{prefix}_{run}_{service}`.
    pub async fn create(engine: &Engine, prefix: &str, services: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix(&format!("{prefix}-")).tempdir()?;
        let Engine::Postgres { admin_url } = engine else {
            let locations = services
                .iter()
                .map(|service| ((*service).to_owned(), DatabaseLocation::sqlite_file(dir.path(), service)))
                .collect();
            return Ok(Self { locations, postgres: None, dir });
        };
        let base = admin_url
            .rfind('/')
            .map(|slash| &admin_url[..slash])
            .ok_or_else(|| anyhow::anyhow!("the PostgreSQL URL needs a database path, e.g. …/postgres"))?;
        let run = run_id();
        let mut created = Created { admin_url: admin_url.clone(), names: Vec::new() };
        let mut admin = connect(admin_url).await?;
        let mut locations = Vec::new();
        for service in services {
            let name = format!("{prefix}_{run}_{}", service.replace('-', "_"));
            sqlx::raw_sql(AssertSqlSafe(format!("create database {name}"))).execute(&mut admin).await?;
            created.names.push(name.clone());
            locations
                .push(((*service).to_owned(), DatabaseLocation::url(Secret::new(format!("{base}/{name}")))));
        }
        Ok(Self { locations, postgres: Some(created), dir })
    }

    /// The database made for `service`.
    pub fn location(&self, service: &str) -> anyhow::Result<DatabaseLocation> {
        self.locations
            .iter()
            .find(|(name, _)| name == service)
            .map(|(_, location)| location.clone())
            .ok_or_else(|| anyhow::anyhow!("no scratch database was made for {service}"))
    }

    /// The temporary directory, removed with this value.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL databases made (empty on SQLite).
    pub fn postgres_names(&self) -> &[String] {
        self.postgres.as_ref().map_or(&[], |created| &created.names)
    }
}

impl Drop for ScratchDatabases {
    /// Drops the PostgreSQL databases, closing connections still open to them.
    /// Drop cannot await and may run inside a runtime, which must not block:
    /// the work gets a thread and a runtime of its own.
    fn drop(&mut self) {
        let Some(Created { admin_url, names }) = self.postgres.take() else { return };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let mut admin = connect(&admin_url).await?;
                for name in &names {
                    sqlx::raw_sql(AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                        .execute(&mut admin)
                        .await?;
                }
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop scratch databases: {dropped:?}");
        }
    }
}

async fn connect(admin_url: &str) -> anyhow::Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(admin_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL for scratch databases: {e}"))
}

/// 12 random hex digits: database names must be unique across concurrent runs.
fn run_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
