//! Configured integrations: a catalog provider plus the admin's client credentials and options.

use sea_orm::entity::prelude::*;

/// A connector row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connectors")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The environment it belongs to.
    pub environment_id: Uuid,
    /// Short key, unique within its environment, e.g. `salesforce-prod`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Catalog provider id.
    pub provider: String,
    /// Offered to tenants.
    pub enabled: bool,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret, sealed (`connectors.client_secret`, row id).
    pub client_secret: Option<Vec<u8>>,
    /// Requested scopes, JSON array.
    pub scopes: String,
    /// `ConnectorOptions` as JSON.
    pub options: String,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// Last change.
    pub updated_at: TimeDateTimeWithTimeZone,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its connections.
    #[sea_orm(has_many = "super::connection::Entity")]
    Connections,
}

impl Related<super::connection::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connections.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The requested scopes.
    pub fn scopes(&self) -> Result<Vec<String>, DbErr> {
        super::json::decode(&self.scopes, "connectors", "scopes", &self.id)
    }

    /// Endpoints and settings of generic templates, extra authorization parameters.
    pub fn options(&self) -> Result<crate::types::ConnectorOptions, DbErr> {
        super::json::decode(&self.options, "connectors", "options", &self.id)
    }
}
