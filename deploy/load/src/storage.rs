//! Where the suite under load keeps its data: SQLite files in a temporary
//! directory (the default, like `beian up`), or fresh PostgreSQL databases.
//! Either way a run never touches existing data, and its databases go with it.

use beian::{Databases, SERVICES};
use beian_platform::{
    storage::DatabaseLocation,
    testing::{Engine, ScratchDatabases},
};

/// The parts scenarios' database (`parts.rs`), beside the services'.
const PROBE: &str = "probe";

/// The five databases of one run; dropping it removes them.
#[derive(Debug)]
pub struct Storage {
    pub databases: Databases,
    /// The SQLite files (if any) and the message sink `messages.jsonl` live in `scratch.dir()`.
    pub scratch: ScratchDatabases,
}

impl Storage {
    pub async fn fresh(postgres_admin_url: Option<&str>) -> anyhow::Result<Self> {
        let engine = match postgres_admin_url {
            Some(admin_url) => Engine::Postgres { admin_url: admin_url.to_owned() },
            None => Engine::Sqlite,
        };
        let names: Vec<&str> = SERVICES.iter().copied().chain([PROBE]).collect();
        let scratch = ScratchDatabases::create(&engine, "beian_load", &names).await?;
        let databases = Databases::try_from_fn(|service| scratch.location(service))?;
        Ok(Self { databases, scratch })
    }

    pub fn probe(&self) -> anyhow::Result<DatabaseLocation> {
        self.scratch.location(PROBE)
    }

    pub fn describe(&self) -> &'static str {
        if self.scratch.postgres_names().is_empty() { "SQLite" } else { "PostgreSQL" }
    }
}

/// Whether the PostgreSQL server at `admin_url` runs autovacuum. Without it the tables a run
/// updates keep every dead row version, and each step slows as the run goes on (the outbox's
/// claim most: it scans past every superseded lease).
pub async fn autovacuum_is_on(admin_url: &str) -> anyhow::Result<bool> {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url).await?;
    let setting: String = sqlx::query_scalar("select setting from pg_settings where name = 'autovacuum'")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(setting == "on")
}
