//! Two-factor sign-in: an account's TOTP secret (sealed), since when it is on and the last time
//! step a code was accepted for (so each code works once); single-use recovery codes stored as
//! SHA-256; and whether the owner requires two-factor sign-in for everyone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdminUsers {
    Table,
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Installation {
    Table,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    AdminId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

const ADMIN_INDEX: &str = "idx_recovery_codes_admin_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            blob_null(AdminUsers::TotpSecret),
            timestamp_with_time_zone_null(AdminUsers::TotpEnabledAt),
            big_integer_null(AdminUsers::TotpLastStep),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AdminUsers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Installation::Table)
                    .add_column(boolean(Installation::RequireTwoFactor).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(uuid(RecoveryCodes::Id).primary_key())
                    .col(uuid(RecoveryCodes::AdminId))
                    .col(blob(RecoveryCodes::CodeHash).unique_key())
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ADMIN_INDEX)
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::AdminId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Installation::Table)
                    .drop_column(Installation::RequireTwoFactor)
                    .to_owned(),
            )
            .await?;
        for column in [
            AdminUsers::TotpLastStep,
            AdminUsers::TotpEnabledAt,
            AdminUsers::TotpSecret,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AdminUsers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
