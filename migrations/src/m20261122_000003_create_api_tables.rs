//! The REST API: API keys, allowed callback origins, exchange codes, idempotency records, and the
//! connect-link and connection columns the API needs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    Name,
    TokenHash,
    Prefix,
    Scopes,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum CallbackOrigins {
    Table,
    Id,
    Origin,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ExchangeCodes {
    Table,
    Id,
    CodeHash,
    LinkId,
    ConnectionId,
    ExpiresAt,
    RedeemedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    ApiKeyId,
    Key,
    Fingerprint,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConnectLinks {
    Table,
    Id,
    CallbackUrl,
    CallbackState,
    EndUserEmail,
    EndUserName,
    Tags,
    AllowedConnectors,
    CreatedByKey,
}

#[derive(DeriveIden)]
enum OauthFlows {
    Table,
    ConnectorId,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
    RefreshClaimedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid(ApiKeys::Id).primary_key())
                    .col(string_len(ApiKeys::Name, 120))
                    .col(blob(ApiKeys::TokenHash))
                    .col(string_len(ApiKeys::Prefix, 16))
                    .col(text(ApiKeys::Scopes))
                    .col(uuid_null(ApiKeys::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_token_hash")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CallbackOrigins::Table)
                    .col(uuid(CallbackOrigins::Id).primary_key())
                    .col(string_len(CallbackOrigins::Origin, 300).unique_key())
                    .col(timestamp_with_time_zone(CallbackOrigins::CreatedAt))
                    .to_owned(),
            )
            .await?;

        // SQLite adds one column per ALTER TABLE.
        let link_columns = [
            text_null(ConnectLinks::CallbackUrl),
            string_len_null(ConnectLinks::CallbackState, 500),
            string_len_null(ConnectLinks::EndUserEmail, 320),
            string_len_null(ConnectLinks::EndUserName, 200),
            text_null(ConnectLinks::Tags),
            text_null(ConnectLinks::AllowedConnectors),
            uuid_null(ConnectLinks::CreatedByKey),
        ];
        for column in link_columns {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(ConnectLinks::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(OauthFlows::Table)
                    .add_column(uuid_null(OauthFlows::ConnectorId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Connections::RefreshClaimedUntil,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExchangeCodes::Table)
                    .col(uuid(ExchangeCodes::Id).primary_key())
                    .col(blob(ExchangeCodes::CodeHash))
                    .col(uuid(ExchangeCodes::LinkId))
                    .col(uuid(ExchangeCodes::ConnectionId))
                    .col(timestamp_with_time_zone(ExchangeCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ExchangeCodes::RedeemedAt))
                    .col(timestamp_with_time_zone(ExchangeCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExchangeCodes::Table, ExchangeCodes::LinkId)
                            .to(ConnectLinks::Table, ConnectLinks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExchangeCodes::Table, ExchangeCodes::ConnectionId)
                            .to(Connections::Table, Connections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exchange_codes_code_hash")
                    .table(ExchangeCodes::Table)
                    .col(ExchangeCodes::CodeHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(uuid(IdempotencyKeys::Id).primary_key())
                    .col(uuid(IdempotencyKeys::ApiKeyId))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(blob(IdempotencyKeys::Fingerprint))
                    .col(integer_null(IdempotencyKeys::Status))
                    .col(text_null(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKeys::Table, IdempotencyKeys::ApiKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_keys_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ApiKeyId)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            ExchangeCodes::Table.into_iden(),
            CallbackOrigins::Table.into_iden(),
            ApiKeys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let link_columns = [
            ConnectLinks::CallbackUrl,
            ConnectLinks::CallbackState,
            ConnectLinks::EndUserEmail,
            ConnectLinks::EndUserName,
            ConnectLinks::Tags,
            ConnectLinks::AllowedConnectors,
            ConnectLinks::CreatedByKey,
        ];
        for column in link_columns {
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
            .alter_table(
                Table::alter()
                    .table(OauthFlows::Table)
                    .drop_column(OauthFlows::ConnectorId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .drop_column(Connections::RefreshClaimedUntil)
                    .to_owned(),
            )
            .await
    }
}
