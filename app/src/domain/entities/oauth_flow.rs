//! One OAuth2 attempt through a link: the state, the PKCE verifier, the browser it belongs to and
//! the endpoints it must use (mix-up defence).

use sea_orm::entity::prelude::*;

/// An OAuth flow row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_flows")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 of the `state` parameter; unique.
    #[sea_orm(unique)]
    pub state_hash: Vec<u8>,
    /// The link the flow runs under.
    pub link_id: Uuid,
    /// SHA-256 of the browser-binding cookie.
    pub browser_hash: Vec<u8>,
    /// PKCE verifier, sealed (`oauth_flows.pkce_verifier`, row id).
    pub pkce_verifier: Vec<u8>,
    /// The authorization endpoint the browser was sent to.
    pub authorization_url: String,
    /// The token endpoint the code must be exchanged at.
    pub token_url: String,
    /// Expected `iss` (RFC 9207), when known.
    pub issuer: Option<String>,
    /// The exact redirect URI sent.
    pub redirect_uri: String,
    /// Placeholder values (e.g. subdomain), JSON object.
    pub values: String,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// After this the callback is refused.
    pub expires_at: TimeDateTimeWithTimeZone,
    /// Set when the callback claimed it; a second callback is refused.
    pub consumed_at: Option<TimeDateTimeWithTimeZone>,
    /// The connector the end user chose, for links that offer several.
    pub connector_id: Option<Uuid>,
    /// Set when the callback got its answer (stored or failed); a flow consumed long ago
    /// without it was interrupted.
    pub finished_at: Option<TimeDateTimeWithTimeZone>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The placeholder values the flow filled in (e.g. a subdomain).
    pub fn values(&self) -> Result<std::collections::BTreeMap<String, String>, DbErr> {
        super::json::decode(&self.values, "oauth_flows", "values", &self.id)
    }
}
