//! Authlink's schema, as ordered migrations that run on SQLite and PostgreSQL.
//!
//! They run at start-up (`authlink serve`) and on demand (`authlink migrate`).

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_admin_tables;
mod m20261122_000002_create_journey_tables;
mod m20261122_000003_create_api_tables;
mod m20261123_000004_create_lifecycle_tables;
mod m20261123_000005_session_account;
mod m20261202_000006_connection_config;
mod m20261202_000007_pending_exchange;
mod m20261202_000008_flow_finished;
mod m20261202_000009_expiry_warning;
mod m20261203_000010_emails;
mod m20261203_000011_admin_alerts;
mod m20261203_000012_branding;
mod m20261207_000013_team;
mod m20261207_000014_two_factor;
mod m20261208_000015_environments;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_admin_tables::Migration),
            Box::new(m20261122_000002_create_journey_tables::Migration),
            Box::new(m20261122_000003_create_api_tables::Migration),
            Box::new(m20261123_000004_create_lifecycle_tables::Migration),
            Box::new(m20261123_000005_session_account::Migration),
            Box::new(m20261202_000006_connection_config::Migration),
            Box::new(m20261202_000007_pending_exchange::Migration),
            Box::new(m20261202_000008_flow_finished::Migration),
            Box::new(m20261202_000009_expiry_warning::Migration),
            Box::new(m20261203_000010_emails::Migration),
            Box::new(m20261203_000011_admin_alerts::Migration),
            Box::new(m20261203_000012_branding::Migration),
            Box::new(m20261207_000013_team::Migration),
            Box::new(m20261207_000014_two_factor::Migration),
            Box::new(m20261208_000015_environments::Migration),
        ]
    }
}
