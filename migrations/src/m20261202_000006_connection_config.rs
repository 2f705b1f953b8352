//! What a connection knows about the provider-side account: the values captured while
//! connecting (QuickBooks' realm id, Salesforce's instance URL, Slack's team id, …) as its
//! connection config, and the provider account it is pinned to. A link may allow a reconnect to
//! change that account.
//!
//! Existing connections get an empty config and no pinned account; the first reconnect fills them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Connections {
    Table,
    Config,
    AccountId,
}

#[derive(DeriveIden)]
enum ConnectLinks {
    Table,
    AllowAccountChange,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .add_column(text(Connections::Config).default("{}"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .add_column(text_null(Connections::AccountId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ConnectLinks::Table)
                    .add_column(boolean(ConnectLinks::AllowAccountChange).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ConnectLinks::Table)
                    .drop_column(ConnectLinks::AllowAccountChange)
                    .to_owned(),
            )
            .await?;
        for column in [Connections::AccountId, Connections::Config] {
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
