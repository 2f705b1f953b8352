//! E-mail: the `emails` outbox (a link sent to its end user, and the reminder before it
//! expires; each message carries a token of its own for the link, stored only as SHA-256), and
//! on `connect_links` what a reminder needs: where the link was sent, the end user's language,
//! and when the reminder was queued.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Emails {
    Table,
    Id,
    Kind,
    LinkId,
    Recipient,
    Locale,
    Message,
    DedupeKey,
    TokenHash,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConnectLinks {
    Table,
    EmailTo,
    EmailLocale,
    ReminderQueuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Emails::Table)
                    .col(uuid(Emails::Id).primary_key())
                    .col(string(Emails::Kind))
                    .col(uuid_null(Emails::LinkId))
                    .col(string(Emails::Recipient))
                    .col(string(Emails::Locale))
                    .col(text_null(Emails::Message))
                    .col(string_uniq(Emails::DedupeKey))
                    .col(blob_null(Emails::TokenHash).unique_key())
                    .col(string(Emails::Status))
                    .col(integer(Emails::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(Emails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Emails::ClaimedUntil))
                    .col(text_null(Emails::LastError))
                    .col(timestamp_with_time_zone_null(Emails::SentAt))
                    .col(timestamp_with_time_zone(Emails::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_emails_due")
                    .table(Emails::Table)
                    .col(Emails::Status)
                    .col(Emails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_null(ConnectLinks::EmailTo),
            string_null(ConnectLinks::EmailLocale),
            timestamp_with_time_zone_null(ConnectLinks::ReminderQueuedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ConnectLinks::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ConnectLinks::ReminderQueuedAt,
            ConnectLinks::EmailLocale,
            ConnectLinks::EmailTo,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ConnectLinks::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Emails::Table).to_owned())
            .await
    }
}
