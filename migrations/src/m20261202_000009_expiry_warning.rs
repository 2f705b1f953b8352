//! `connections.expiry_warned_for` and `expiry_warned_days`: which expiry `connection.expiring`
//! was last announced for, and how many days ahead (7, then 1), so each is announced once and a
//! new expiry (after a reconnect) is announced again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Connections {
    Table,
    ExpiryWarnedFor,
    ExpiryWarnedDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            timestamp_with_time_zone_null(Connections::ExpiryWarnedFor),
            integer_null(Connections::ExpiryWarnedDays),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Connections::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Connections::ExpiryWarnedDays, Connections::ExpiryWarnedFor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Connections::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
