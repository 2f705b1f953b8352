//! Origins a connect link's `callback_url` may point to.

use sea_orm::entity::prelude::*;

/// An allowed callback origin.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "callback_origins")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The environment it belongs to.
    pub environment_id: Uuid,
    /// Normalised origin (`https://app.example.com`, `http://localhost:5173`) or scheme (`myapp:`); unique within its environment.
    pub origin: String,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
