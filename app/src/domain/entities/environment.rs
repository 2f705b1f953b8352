//! Environments: separate data sets (production, development, …) of one installation.

use sea_orm::entity::prelude::*;

/// An environment row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "environments")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-case name shown in the dashboard and webhook payloads; unique.
    #[sea_orm(unique)]
    pub name: String,
    /// The one environment created with the installation; it cannot be deleted.
    pub is_production: bool,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
