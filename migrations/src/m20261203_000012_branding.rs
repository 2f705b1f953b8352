//! Branding: the accent colour and support contact end users see on the Connect page, and the
//! logo, kept apart from the installation row so that reading the product name never loads it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Installation {
    Table,
    AccentColor,
    SupportEmail,
    SupportUrl,
    LogoDigest,
}

#[derive(DeriveIden)]
enum BrandLogos {
    Table,
    Id,
    Digest,
    Png,
    Width,
    Height,
    UploadedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_null(Installation::AccentColor),
            string_null(Installation::SupportEmail),
            string_null(Installation::SupportUrl),
            string_null(Installation::LogoDigest),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Installation::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(BrandLogos::Table)
                    .col(integer(BrandLogos::Id).primary_key())
                    .col(string(BrandLogos::Digest))
                    .col(blob(BrandLogos::Png))
                    .col(integer(BrandLogos::Width))
                    .col(integer(BrandLogos::Height))
                    .col(timestamp_with_time_zone(BrandLogos::UploadedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BrandLogos::Table).to_owned())
            .await?;
        for column in [
            Installation::LogoDigest,
            Installation::SupportUrl,
            Installation::SupportEmail,
            Installation::AccentColor,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Installation::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
