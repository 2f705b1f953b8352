//! One tenant's credentials for one connector.

use sea_orm::entity::prelude::*;

/// A connection row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connections")]
pub struct Model {
    /// Primary key (UUIDv7); kept across reconnects.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// The connector.
    pub connector_id: Uuid,
    /// Where the connection stands.
    pub status: ConnectionState,
    /// Credentials JSON, sealed (`connections.credentials`, row id).
    pub credentials: Vec<u8>,
    /// Granted scopes, JSON array.
    pub scopes: String,
    /// The provider account, as the provider names it.
    pub account_label: Option<String>,
    /// Last error, safe to show to the admin.
    pub last_error: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<TimeDateTimeWithTimeZone>,
    /// When it was last (re)connected.
    pub connected_at: TimeDateTimeWithTimeZone,
    /// Last change.
    pub updated_at: TimeDateTimeWithTimeZone,
    /// While in the future, one server holds the right to refresh this connection's token.
    pub refresh_claimed_until: Option<TimeDateTimeWithTimeZone>,
    /// Failed refresh attempts since the last success.
    pub refresh_failures: i32,
    /// Last successful token refresh.
    pub refreshed_at: Option<TimeDateTimeWithTimeZone>,
    /// After a failed refresh, the worker waits until then.
    pub next_refresh_at: Option<TimeDateTimeWithTimeZone>,
    /// Whether the credentials hold a refresh token.
    pub refreshable: bool,
    /// Values captured while connecting (callback, token answer, identity), JSON object of
    /// strings; not secret, usable in the entry's URL templates.
    pub config: String,
    /// The provider-side account the connection is pinned to (user, organisation, realm, shop).
    pub account_id: Option<String>,
    /// The `expires_at` that `connection.expiring` was last announced for …
    pub expiry_warned_for: Option<TimeDateTimeWithTimeZone>,
    /// … and how many days ahead (7, then 1); a new expiry starts over.
    pub expiry_warned_days: Option<i32>,
}

/// A connection's stored state (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ConnectionState {
    /// Credentials are stored and usable.
    #[sea_orm(string_value = "connected")]
    Connected,
    /// The last refresh failed for a reason that may pass (the provider was down).
    #[sea_orm(string_value = "error")]
    Error,
    /// The provider no longer accepts the credentials: the tenant must reconnect.
    #[sea_orm(string_value = "needs_reauth")]
    NeedsReauth,
    /// The admin disconnected it; its credentials are deleted, its row stays so that a later
    /// reconnect keeps its id.
    #[sea_orm(string_value = "disconnected")]
    Disconnected,
    /// Completed in exchange-code mode and waiting for the admin's backend to redeem the code:
    /// no credentials are stored on the row yet (they wait, sealed, with the code).
    #[sea_orm(string_value = "pending_confirmation")]
    PendingConfirmation,
}

impl ConnectionState {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Error => "error",
            Self::NeedsReauth => "needs_reauth",
            Self::Disconnected => "disconnected",
            Self::PendingConfirmation => "pending_confirmation",
        }
    }
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// The connector.
    #[sea_orm(
        belongs_to = "super::connector::Entity",
        from = "Column::ConnectorId",
        to = "super::connector::Column::Id",
        on_delete = "Cascade"
    )]
    Connector,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::connector::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connector.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The granted scopes.
    pub fn scopes(&self) -> Result<Vec<String>, DbErr> {
        super::json::decode(&self.scopes, "connections", "scopes", &self.id)
    }

    /// The connection config: values captured while connecting.
    pub fn config(&self) -> Result<std::collections::BTreeMap<String, String>, DbErr> {
        super::json::decode(&self.config, "connections", "config", &self.id)
    }
}
