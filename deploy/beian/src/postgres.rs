//! Throwaway PostgreSQL databases for one suite run (tests, load runs): five
//! fresh databases on a server, dropped afterwards, so a run never touches
//! existing data.

use beian_platform::{config::Secret, storage::DatabaseLocation};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::Databases;

/// Five databases named `{prefix}_{run}_{service}` on the server of `admin_url`.
#[derive(Debug)]
pub struct ScratchDatabases {
    pub databases: Databases,
    admin_url: String,
    names: Vec<String>,
}

impl ScratchDatabases {
    /// `admin_url` is a URL of a database to connect to for `create database`,
    /// e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
    pub async fn create(admin_url: &str, prefix: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let mut admin = AnyConnection::connect(admin_url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL for scratch databases: {e}"))?;
        let base = admin_url
            .rfind('/')
            .map(|slash| &admin_url[..slash])
            .ok_or_else(|| anyhow::anyhow!("the PostgreSQL URL needs a database path, e.g. …/postgres"))?;
        let run = uuid::Uuid::new_v4().simple().to_string();
        let mut names = Vec::new();
        let mut location = |service: &str| {
            let name = format!("{prefix}_{}_{}", &run[..12], service.replace('-', "_"));
            names.push(name.clone());
            DatabaseLocation::url(Secret::new(format!("{base}/{name}")))
        };
        let databases = Databases {
            gateway: location(gateway::NAME),
            verification_codes: location(verification_codes::NAME),
            filing_registry: location(filing_registry::NAME),
            identity_recovery: location(identity_recovery::NAME),
            legacy_migration: location(legacy_migration::NAME),
        };
        for name in &names {
            sqlx::raw_sql(AssertSqlSafe(format!("create database {name}"))).execute(&mut admin).await?;
        }
        Ok(Self { databases, admin_url: admin_url.to_owned(), names })
    }

    /// Drops the five databases, closing any connection still open to them.
    pub async fn drop_all(&self) -> anyhow::Result<()> {
        let mut admin = AnyConnection::connect(&self.admin_url).await?;
        for name in &self.names {
            sqlx::raw_sql(AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}
