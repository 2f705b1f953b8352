//! API keys for the admin's backend. Only the SHA-256 of a key is stored.

use sea_orm::entity::prelude::*;

/// An API key row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The environment it belongs to.
    pub environment_id: Uuid,
    /// The admin's name for it.
    pub name: String,
    /// SHA-256 of the key; unique.
    #[sea_orm(unique)]
    pub token_hash: Vec<u8>,
    /// The key's first characters, to recognise it in lists.
    pub prefix: String,
    /// Granted scopes, JSON array.
    pub scopes: String,
    /// The admin who created it.
    pub created_by: Option<Uuid>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// Last authenticated request (updated at most once a minute).
    pub last_used_at: Option<TimeDateTimeWithTimeZone>,
    /// Revoked keys authenticate nothing.
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The key's scopes.
    pub fn scopes(&self) -> Result<Vec<String>, DbErr> {
        super::json::decode(&self.scopes, "api_keys", "scopes", &self.id)
    }
}
