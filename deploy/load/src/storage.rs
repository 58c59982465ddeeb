//! Where the suite under load keeps its data: SQLite files in a temporary
//! directory (the default, like `beian up`), or fresh PostgreSQL databases
//! that are dropped afterwards. Either way a run never touches existing data.

use beian::{Databases, postgres::ScratchDatabases};

/// The five databases of one run, and how to clean them up.
#[derive(Debug)]
pub struct Storage {
    pub databases: Databases,
    /// Temporary: the SQLite files (if any) and the message sink `messages.jsonl`.
    pub data_dir: tempfile::TempDir,
    postgres: Option<ScratchDatabases>,
}

impl Storage {
    pub async fn fresh(postgres_admin_url: Option<&str>) -> anyhow::Result<Self> {
        let data_dir = tempfile::Builder::new().prefix("beian-load-").tempdir()?;
        let Some(admin_url) = postgres_admin_url else {
            return Ok(Self {
                databases: Databases::sqlite_under(data_dir.path()),
                data_dir,
                postgres: None,
            });
        };
        let scratch = ScratchDatabases::create(admin_url, "beian_load").await?;
        Ok(Self { databases: scratch.databases.clone(), data_dir, postgres: Some(scratch) })
    }

    pub fn describe(&self) -> &'static str {
        if self.postgres.is_some() { "PostgreSQL" } else { "SQLite" }
    }

    /// Drops the PostgreSQL databases; the temporary directory goes when `self` drops.
    pub async fn remove(self) -> anyhow::Result<()> {
        match &self.postgres {
            Some(scratch) => scratch.drop_all().await,
            None => Ok(()),
        }
    }
}
