//! Admin alerts: something that needs an admin's attention, raised once (its dedupe key), then
//! e-mailed at once or held for the daily digest.

use sea_orm::entity::prelude::*;

/// An alert row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_alerts")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What happened.
    pub kind: AlertKind,
    /// Unique: the same alert is raised once, whichever instance raises it.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// The tenant concerned.
    pub tenant_id: Option<Uuid>,
    /// The connector concerned.
    pub connector_id: Option<Uuid>,
    /// The link concerned (a link that keeps failing).
    pub link_id: Option<Uuid>,
    /// The failure's code, e.g. `token_refused`.
    pub error_code: Option<String>,
    /// The provider's words, safe to show.
    pub error_detail: Option<String>,
    /// When the access token expires (a connection about to expire).
    pub expires_at: Option<TimeDateTimeWithTimeZone>,
    /// Where it stands.
    pub status: AlertState,
    /// When it was sent or held.
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
    /// The digest that carried it.
    pub digest_id: Option<Uuid>,
    /// When it was raised.
    pub created_at: TimeDateTimeWithTimeZone,
}

/// What an alert is about (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum AlertKind {
    /// A token refresh failed: the connection needs the tenant to reconnect.
    #[sea_orm(string_value = "refresh_failed")]
    RefreshFailed,
    /// The access token expires soon and cannot be refreshed.
    #[sea_orm(string_value = "expiring")]
    Expiring,
    /// Connecting through a link failed several times.
    #[sea_orm(string_value = "link_failing")]
    LinkFailing,
}

/// Where an alert stands (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum AlertState {
    /// Not yet looked at by the alert worker.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// E-mailed on its own.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Many alerts came at once: waiting for the daily digest.
    #[sea_orm(string_value = "held")]
    Held,
    /// E-mailed in a digest.
    #[sea_orm(string_value = "digested")]
    Digested,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
