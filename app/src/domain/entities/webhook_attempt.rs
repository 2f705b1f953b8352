//! One HTTP request of a delivery, kept for the dashboard.

use sea_orm::entity::prelude::*;

/// An attempt row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The delivery.
    pub delivery_id: Uuid,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// When it was sent.
    pub started_at: TimeDateTimeWithTimeZone,
    /// How long the receiver took.
    pub duration_ms: i32,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// What went wrong, safe to show.
    pub error: Option<String>,
    /// When the next attempt was scheduled, if any.
    pub next_attempt_at: Option<TimeDateTimeWithTimeZone>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
