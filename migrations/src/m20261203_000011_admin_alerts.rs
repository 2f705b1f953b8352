//! Admin alerts: what needs an admin's attention (a refresh that failed, a token about to expire
//! that cannot be refreshed, a link that keeps failing), each raised once; whether an admin wants
//! them by e-mail; and the text of e-mails that are not about a link (alerts and digests carry
//! no secret, so their words are stored as queued).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdminAlerts {
    Table,
    Id,
    Kind,
    DedupeKey,
    TenantId,
    ConnectorId,
    LinkId,
    ErrorCode,
    ErrorDetail,
    ExpiresAt,
    Status,
    DecidedAt,
    DigestId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AdminUsers {
    Table,
    Alerts,
}

#[derive(DeriveIden)]
enum Emails {
    Table,
    Subject,
    Body,
}

#[derive(DeriveIden)]
enum ConnectLinks {
    Table,
    Failures,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AdminAlerts::Table)
                    .col(uuid(AdminAlerts::Id).primary_key())
                    .col(string(AdminAlerts::Kind))
                    .col(string_uniq(AdminAlerts::DedupeKey))
                    .col(uuid_null(AdminAlerts::TenantId))
                    .col(uuid_null(AdminAlerts::ConnectorId))
                    .col(uuid_null(AdminAlerts::LinkId))
                    .col(string_null(AdminAlerts::ErrorCode))
                    .col(text_null(AdminAlerts::ErrorDetail))
                    .col(timestamp_with_time_zone_null(AdminAlerts::ExpiresAt))
                    .col(string(AdminAlerts::Status))
                    .col(timestamp_with_time_zone_null(AdminAlerts::DecidedAt))
                    .col(uuid_null(AdminAlerts::DigestId))
                    .col(timestamp_with_time_zone(AdminAlerts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_admin_alerts_status")
                    .table(AdminAlerts::Table)
                    .col(AdminAlerts::Status)
                    .col(AdminAlerts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AdminUsers::Table)
                    .add_column(boolean(AdminUsers::Alerts).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ConnectLinks::Table)
                    .add_column(integer(ConnectLinks::Failures).default(0))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [text_null(Emails::Subject), text_null(Emails::Body)] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Emails::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Emails::Body, Emails::Subject] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Emails::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ConnectLinks::Table)
                    .drop_column(ConnectLinks::Failures)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AdminUsers::Table)
                    .drop_column(AdminUsers::Alerts)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AdminAlerts::Table).to_owned())
            .await
    }
}
