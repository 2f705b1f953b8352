//! The installation row, admin users, sessions and the sign-in throttle.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Installation {
    Table,
    Id,
    ProductName,
    SetupCompletedAt,
}

#[derive(DeriveIden)]
enum AdminUsers {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    CreatedAt,
    UpdatedAt,
    LastSignInAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SignInThrottle {
    Table,
    Bucket,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Installation::Table)
                    .col(integer(Installation::Id).primary_key())
                    .col(string_len(Installation::ProductName, 80))
                    .col(timestamp_with_time_zone(Installation::SetupCompletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AdminUsers::Table)
                    .col(uuid(AdminUsers::Id).primary_key())
                    .col(string_len(AdminUsers::Email, 254).unique_key())
                    .col(text(AdminUsers::PasswordHash))
                    .col(string_len(AdminUsers::Role, 16))
                    .col(timestamp_with_time_zone(AdminUsers::CreatedAt))
                    .col(timestamp_with_time_zone(AdminUsers::UpdatedAt))
                    .col(timestamp_with_time_zone_null(AdminUsers::LastSignInAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::IdHash, 64).primary_key())
                    .col(text(Sessions::Data))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_expires_at")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottle::Table)
                    .col(string_len(SignInThrottle::Bucket, 300).primary_key())
                    .col(integer(SignInThrottle::Failures))
                    .col(timestamp_with_time_zone(SignInThrottle::WindowStartedAt))
                    .col(timestamp_with_time_zone_null(SignInThrottle::LockedUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInThrottle::Table.into_iden(),
            Sessions::Table.into_iden(),
            AdminUsers::Table.into_iden(),
            Installation::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
