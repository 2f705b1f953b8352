//! One event on its way to one endpoint.

use sea_orm::entity::prelude::*;

/// A delivery row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// Where the delivery stands.
    pub status: DeliveryState,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<TimeDateTimeWithTimeZone>,
    /// While in the future, one worker holds this delivery.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    /// The receiver's last HTTP status.
    pub last_status_code: Option<i32>,
    /// The last failure, safe to show.
    pub last_error: Option<String>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// Last change.
    pub updated_at: TimeDateTimeWithTimeZone,
}

/// A delivery's stored state (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The receiver accepted it.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Given up (attempts exhausted, or the endpoint is gone).
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl DeliveryState {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
