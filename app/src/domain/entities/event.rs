//! The outbox: every event, written in the same transaction as the change it describes.

use sea_orm::entity::prelude::*;

/// An event row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// Primary key (UUIDv7); also the `webhook-id` of every delivery of it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The environment it belongs to.
    pub environment_id: Uuid,
    /// e.g. `connection.created`.
    pub event_type: String,
    /// The JSON body sent to receivers (never credentials).
    pub payload: String,
    /// The tenant it concerns, if any.
    pub tenant_id: Option<Uuid>,
    /// When it happened.
    pub created_at: TimeDateTimeWithTimeZone,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
