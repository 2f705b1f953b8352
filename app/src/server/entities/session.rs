//! Dashboard sessions, stored in our own database so that several instances can share them.

use sea_orm::entity::prelude::*;

/// A session row. The session id itself is never stored, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 of the session id (hex).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    /// The session's data as JSON.
    pub data: String,
    /// When the session expires; expired rows are ignored and swept.
    pub expires_at: TimeDateTimeWithTimeZone,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
