//! Connecting to SQLite or PostgreSQL and running migrations.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::config::Config;

/// Opens the pool. SQLite gets WAL mode, a busy timeout and foreign keys; the database file and
/// the data directory are created when missing.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url.expose_secret();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {} (AUTHLINK_DATA_DIR)",
                config.data_dir.display()
            )
        })?;
    }
    let options = connect_options(url, config.db_max_connections);
    let db = Database::connect(options).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the database (DATABASE_URL): {}",
            redact(&e.to_string(), url)
        )
    })?;
    db.ping().await.map_err(|e| {
        anyhow::anyhow!(
            "the database does not answer (DATABASE_URL): {}",
            redact(&e.to_string(), url)
        )
    })?;
    Ok(db)
}

/// The pool's settings for `url`: the same for the server and for anything measured against it.
pub fn connect_options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings a connection on every checkout by default: one extra round trip per query
        // (to PostgreSQL over the network, to SQLite through its connection thread), about a
        // third of a dashboard page's database time. Only a connection idle long enough for the
        // server, a proxy or a firewall to have dropped it is checked.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    options
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("database migration failed")
}

/// `sqlite` or `postgres`, for logs.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => "sqlite",
        DatabaseBackend::Postgres => "postgres",
        _ => "other",
    }
}

/// Driver errors may quote the connection string; never let its password reach a log.
fn redact(message: &str, url: &str) -> String {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        Some(password) if !password.is_empty() => message.replace(&password, "***"),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_removed_from_driver_errors() {
        let url = "postgres://app:s3cret@db:5432/authlink";
        assert_eq!(
            redact("failed for postgres://app:s3cret@db", url),
            "failed for postgres://app:***@db"
        );
        assert_eq!(redact("plain", "sqlite://x.db"), "plain");
    }
}
