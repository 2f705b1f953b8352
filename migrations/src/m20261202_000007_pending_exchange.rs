//! Exchange codes hold what a completion in exchange-code mode produced until the admin's
//! backend redeems the code: the credentials and account details, sealed with the master key
//! (`exchange_codes.pending`, row id), and the tenant and connector they are for. Redeeming
//! makes the connection live; a code left to expire has its pending credentials discarded
//! (`discarded_at`).
//!
//! Codes issued before this migration have no pending values: their connection was made live
//! when the end user finished, as it was then.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExchangeCodes {
    Table,
    TenantId,
    ConnectorId,
    Pending,
    DiscardedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            uuid_null(ExchangeCodes::TenantId),
            uuid_null(ExchangeCodes::ConnectorId),
            blob_null(ExchangeCodes::Pending),
            timestamp_with_time_zone_null(ExchangeCodes::DiscardedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ExchangeCodes::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_exchange_codes_expires_at")
                    .table(ExchangeCodes::Table)
                    .col(ExchangeCodes::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_exchange_codes_expires_at")
                    .table(ExchangeCodes::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            ExchangeCodes::DiscardedAt,
            ExchangeCodes::Pending,
            ExchangeCodes::ConnectorId,
            ExchangeCodes::TenantId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ExchangeCodes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
