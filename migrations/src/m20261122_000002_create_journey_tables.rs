//! Tenants, connectors, connections, connect links and OAuth flows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    NameKey,
    ExternalId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Connectors {
    Table,
    Id,
    Key,
    Name,
    Provider,
    Enabled,
    ClientId,
    ClientSecret,
    Scopes,
    Options,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
    TenantId,
    ConnectorId,
    Status,
    Credentials,
    Scopes,
    AccountLabel,
    LastError,
    ExpiresAt,
    ConnectedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConnectLinks {
    Table,
    Id,
    TokenHash,
    TenantId,
    ConnectorId,
    ExpiresAt,
    SingleUse,
    Note,
    Presets,
    CreatedBy,
    CreatedAt,
    OpenedAt,
    CompletedAt,
    RevokedAt,
    LastError,
}

#[derive(DeriveIden)]
enum OauthFlows {
    Table,
    Id,
    StateHash,
    LinkId,
    BrowserHash,
    PkceVerifier,
    AuthorizationUrl,
    TokenUrl,
    Issuer,
    RedirectUri,
    Values,
    CreatedAt,
    ExpiresAt,
    ConsumedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(uuid(Tenants::Id).primary_key())
                    .col(string_len(Tenants::Name, 200))
                    .col(string_len(Tenants::NameKey, 200))
                    .col(string_len(Tenants::ExternalId, 200).unique_key())
                    .col(timestamp_with_time_zone(Tenants::CreatedAt))
                    .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Keyset pagination: (sort key, id) for both orders.
        for (name, column) in [
            ("idx_tenants_name_key_id", Tenants::NameKey),
            ("idx_tenants_created_at_id", Tenants::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Tenants::Table)
                        .col(column)
                        .col(Tenants::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Connectors::Table)
                    .col(uuid(Connectors::Id).primary_key())
                    .col(string_len(Connectors::Key, 64).unique_key())
                    .col(string_len(Connectors::Name, 120))
                    .col(string_len(Connectors::Provider, 64))
                    .col(boolean(Connectors::Enabled))
                    .col(string_len_null(Connectors::ClientId, 512))
                    .col(blob_null(Connectors::ClientSecret))
                    .col(text(Connectors::Scopes))
                    .col(text(Connectors::Options))
                    .col(timestamp_with_time_zone(Connectors::CreatedAt))
                    .col(timestamp_with_time_zone(Connectors::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Connections::Table)
                    .col(uuid(Connections::Id).primary_key())
                    .col(uuid(Connections::TenantId))
                    .col(uuid(Connections::ConnectorId))
                    .col(string_len(Connections::Status, 24))
                    .col(blob(Connections::Credentials))
                    .col(text(Connections::Scopes))
                    .col(string_len_null(Connections::AccountLabel, 300))
                    .col(text_null(Connections::LastError))
                    .col(timestamp_with_time_zone_null(Connections::ExpiresAt))
                    .col(timestamp_with_time_zone(Connections::ConnectedAt))
                    .col(timestamp_with_time_zone(Connections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Connections::Table, Connections::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Connections::Table, Connections::ConnectorId)
                            .to(Connectors::Table, Connectors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connections_tenant_connector")
                    .table(Connections::Table)
                    .col(Connections::TenantId)
                    .col(Connections::ConnectorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connections_connector")
                    .table(Connections::Table)
                    .col(Connections::ConnectorId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConnectLinks::Table)
                    .col(uuid(ConnectLinks::Id).primary_key())
                    .col(blob(ConnectLinks::TokenHash))
                    .col(uuid(ConnectLinks::TenantId))
                    .col(uuid(ConnectLinks::ConnectorId))
                    .col(timestamp_with_time_zone(ConnectLinks::ExpiresAt))
                    .col(boolean(ConnectLinks::SingleUse))
                    .col(string_len_null(ConnectLinks::Note, 200))
                    .col(text(ConnectLinks::Presets))
                    .col(uuid_null(ConnectLinks::CreatedBy))
                    .col(timestamp_with_time_zone(ConnectLinks::CreatedAt))
                    .col(timestamp_with_time_zone_null(ConnectLinks::OpenedAt))
                    .col(timestamp_with_time_zone_null(ConnectLinks::CompletedAt))
                    .col(timestamp_with_time_zone_null(ConnectLinks::RevokedAt))
                    .col(text_null(ConnectLinks::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConnectLinks::Table, ConnectLinks::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConnectLinks::Table, ConnectLinks::ConnectorId)
                            .to(Connectors::Table, Connectors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connect_links_token_hash")
                    .table(ConnectLinks::Table)
                    .col(ConnectLinks::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connect_links_tenant_connector")
                    .table(ConnectLinks::Table)
                    .col(ConnectLinks::TenantId)
                    .col(ConnectLinks::ConnectorId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OauthFlows::Table)
                    .col(uuid(OauthFlows::Id).primary_key())
                    .col(blob(OauthFlows::StateHash))
                    .col(uuid(OauthFlows::LinkId))
                    .col(blob(OauthFlows::BrowserHash))
                    .col(blob(OauthFlows::PkceVerifier))
                    .col(text(OauthFlows::AuthorizationUrl))
                    .col(text(OauthFlows::TokenUrl))
                    .col(text_null(OauthFlows::Issuer))
                    .col(text(OauthFlows::RedirectUri))
                    .col(text(OauthFlows::Values))
                    .col(timestamp_with_time_zone(OauthFlows::CreatedAt))
                    .col(timestamp_with_time_zone(OauthFlows::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OauthFlows::ConsumedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OauthFlows::Table, OauthFlows::LinkId)
                            .to(ConnectLinks::Table, ConnectLinks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_oauth_flows_state_hash")
                    .table(OauthFlows::Table)
                    .col(OauthFlows::StateHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OauthFlows::Table.into_iden(),
            ConnectLinks::Table.into_iden(),
            Connections::Table.into_iden(),
            Connectors::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
