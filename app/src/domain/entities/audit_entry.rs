//! The audit log: who did what, to what, when and from where. Rows are never changed; the
//! database refuses updates and deletes.

use sea_orm::entity::prelude::*;

/// An audit log row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// Primary key (UUIDv7, so ids sort by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// When.
    pub at: TimeDateTimeWithTimeZone,
    /// `admin`, `api_key`, `end_user` or `system`.
    pub actor_type: String,
    /// The admin user's or API key's id.
    pub actor_id: Option<String>,
    /// The admin's e-mail or the key's name, as it was then.
    pub actor_label: Option<String>,
    /// e.g. `tenant.create`, `link.open`.
    pub action: String,
    /// e.g. `tenant`, `connection`.
    pub target_type: Option<String>,
    /// The target's id.
    pub target_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// More, as JSON (never secrets).
    pub details: Option<String>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
