//! Sessions name their account in a column of their own, so the session and its account are read
//! with one query per request, and an account's sessions can be found without parsing their data.
//!
//! Sessions from before this migration have no account id until they are next saved (at most a
//! minute of use later); until then they are read the old way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    AdminId,
}

const INDEX: &str = "idx_sessions_admin_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(uuid_null(Sessions::AdminId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Sessions::Table)
                    .col(Sessions::AdminId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Sessions::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::AdminId)
                    .to_owned(),
            )
            .await
    }
}
