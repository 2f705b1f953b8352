//! Where the admin's backend receives events.

use sea_orm::entity::prelude::*;

/// A webhook endpoint row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The environment it belongs to.
    pub environment_id: Uuid,
    /// The receiver's URL (http or https).
    pub url: String,
    /// The admin's note.
    pub description: Option<String>,
    /// Event types it receives, JSON array; empty means every type.
    pub event_types: String,
    /// The signing secret (`whsec_…`), sealed (`webhook_endpoints.secret`, row id).
    pub secret: Vec<u8>,
    /// Disabled endpoints receive nothing.
    pub enabled: bool,
    /// Why it was disabled automatically (e.g. the receiver answered 410).
    pub disabled_reason: Option<String>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// Last change.
    pub updated_at: TimeDateTimeWithTimeZone,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The event types it receives; empty for all.
    pub fn event_types(&self) -> Result<Vec<String>, DbErr> {
        super::json::decode(
            &self.event_types,
            "webhook_endpoints",
            "event_types",
            &self.id,
        )
    }
}
