//! Connect links: the URL an end user opens. Only the SHA-256 of the token is stored.

use sea_orm::entity::prelude::*;

/// A connect link row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connect_links")]
pub struct Model {
    /// Primary key (UUIDv7); not secret.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 of the token; unique.
    #[sea_orm(unique)]
    pub token_hash: Vec<u8>,
    /// The tenant it connects.
    pub tenant_id: Uuid,
    /// The connector it connects.
    pub connector_id: Uuid,
    /// After this the link answers like an unknown one.
    pub expires_at: TimeDateTimeWithTimeZone,
    /// Completed links cannot be used again.
    pub single_use: bool,
    /// Who it is meant for (the admin's note).
    pub note: Option<String>,
    /// Preset field values, JSON object.
    pub presets: String,
    /// The admin who generated it.
    pub created_by: Option<Uuid>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// First opened.
    pub opened_at: Option<TimeDateTimeWithTimeZone>,
    /// Completed.
    pub completed_at: Option<TimeDateTimeWithTimeZone>,
    /// Revoked.
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    /// Last failed attempt, safe to show to the admin.
    pub last_error: Option<String>,
    /// Where the end user's browser goes when done (`?status=success|error…`).
    pub callback_url: Option<String>,
    /// The admin backend's `state`; when set, success returns an exchange code with it.
    pub callback_state: Option<String>,
    /// The end user's e-mail, as the admin's backend gave it.
    pub end_user_email: Option<String>,
    /// The end user's name.
    pub end_user_name: Option<String>,
    /// Tags, JSON array of strings.
    pub tags: Option<String>,
    /// Connectors the end user may choose from, JSON array of ids (`connector_id` is the first).
    pub allowed_connectors: Option<String>,
    /// The API key that created it.
    pub created_by_key: Option<Uuid>,
    /// When `link.expired` was announced.
    pub expiry_announced_at: Option<TimeDateTimeWithTimeZone>,
    /// Whether a reconnect through this link may land on another provider account than the one
    /// the connection is pinned to.
    pub allow_account_change: bool,
    /// Where the link was e-mailed.
    pub email_to: Option<String>,
    /// The language the e-mails about this link are written in.
    pub email_locale: Option<String>,
    /// When the reminder before expiry was queued (once per link).
    pub reminder_queued_at: Option<TimeDateTimeWithTimeZone>,
    /// Failed attempts through this link (an admin alert is raised at a few).
    pub failures: i32,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The admin's tags.
    pub fn tags(&self) -> Result<Vec<String>, DbErr> {
        super::json::decode_or_default(self.tags.as_deref(), "connect_links", "tags", &self.id)
    }

    /// The connectors the link offers, its own first.
    pub fn allowed_connectors(&self) -> Result<Vec<Uuid>, DbErr> {
        let ids: Vec<Uuid> = super::json::decode_or_default(
            self.allowed_connectors.as_deref(),
            "connect_links",
            "allowed_connectors",
            &self.id,
        )?;
        Ok(if ids.is_empty() {
            vec![self.connector_id]
        } else {
            ids
        })
    }

    /// Preset values of the link's own connector's fields.
    pub fn presets(&self) -> Result<std::collections::BTreeMap<String, String>, DbErr> {
        super::json::decode(&self.presets, "connect_links", "presets", &self.id)
    }
}
