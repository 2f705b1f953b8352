//! `oauth_flows.finished_at`: set when a callback got its answer, stored or failed. A flow that
//! its callback claimed long ago but that never finished was interrupted (the server stopped
//! between the token exchange and the write); the sweep announces it.
//!
//! Flows claimed before this migration count as finished when they were claimed, so an upgrade
//! announces nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OauthFlows {
    Table,
    ConsumedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OauthFlows::Table)
                    .add_column(timestamp_with_time_zone_null(OauthFlows::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(OauthFlows::Table)
                    .value(OauthFlows::FinishedAt, Expr::col(OauthFlows::ConsumedAt))
                    .and_where(Expr::col(OauthFlows::ConsumedAt).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OauthFlows::Table)
                    .drop_column(OauthFlows::FinishedAt)
                    .to_owned(),
            )
            .await
    }
}
