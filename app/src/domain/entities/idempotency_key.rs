//! Responses remembered per `Idempotency-Key`, so a retried create does not create twice.

use sea_orm::entity::prelude::*;

/// An idempotency record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The API key the request came with; keys are per API key.
    pub api_key_id: Uuid,
    /// The client's `Idempotency-Key`.
    pub key: String,
    /// SHA-256 of method, path and body: the same key with another request is refused.
    pub fingerprint: Vec<u8>,
    /// The response status; `None` while the first request is still running.
    pub status: Option<i32>,
    /// The response body.
    pub body: Option<String>,
    /// Creation time (records are kept for a day).
    pub created_at: TimeDateTimeWithTimeZone,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
