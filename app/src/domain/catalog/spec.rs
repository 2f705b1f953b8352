//! The shape of a catalog entry (`app/catalog/providers.toml`); `docs/catalog.md` is its
//! reference.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::types::{AuthMode, FieldKind};

/// A provider as the catalog describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Stable identifier, e.g. `github`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Category for filtering in the dashboard.
    pub category: String,
    /// The provider documentation the entry was written from.
    pub docs: String,
    /// How end users authenticate.
    pub auth: AuthMode,
    /// A template whose URLs come from the connector's options.
    #[serde(default)]
    pub generic: bool,
    /// OAuth2 endpoints and quirks (for `auth = "oauth2"`).
    pub oauth2: Option<OAuth2Spec>,
    /// Values the end user supplies: URL placeholders (OAuth2) or the credentials themselves.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// A request proving the credentials work.
    pub verify: Option<RequestSpec>,
    /// A request naming the connected account.
    pub identity: Option<RequestSpec>,
    /// Values kept as the connection's config, and which one pins the provider account.
    #[serde(default)]
    pub capture: CaptureSpec,
    /// Where the provider's API is and how a request carries the credentials, for the backend.
    pub api: Option<ApiSpec>,
}

/// How a backend calls the provider's API with a connection: the base URL and where the
/// credentials go. Templates take the same placeholders as the verify and identity requests,
/// identity captures included (Xero's tenant id header).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSpec {
    /// The API's base URL (`https://{shop}.myshopify.com/admin/api/2026-10`, `{instance_url}`).
    pub base_url: String,
    /// Header templates; OAuth2 entries without any of `headers`, `query` and `basic` send
    /// `Authorization: Bearer {access_token}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameter templates.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// HTTP Basic user and password templates.
    pub basic: Option<[String; 2]>,
}

impl ApiSpec {
    /// Whether the entry says how credentials are applied at all.
    pub fn applies_credentials(&self) -> bool {
        !self.headers.is_empty() || !self.query.is_empty() || self.basic.is_some()
    }
}

/// Values captured while connecting into the connection config (`{name}` in the verify and
/// identity templates once captured), and the provider account a connection is pinned to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureSpec {
    /// Name → query parameter of the OAuth callback (QuickBooks' `realmId`).
    #[serde(default)]
    pub callback: BTreeMap<String, String>,
    /// Name → JSON pointer into the token answer (Salesforce's `/instance_url`).
    #[serde(default)]
    pub token: BTreeMap<String, String>,
    /// Name → JSON pointer into the identity answer (a user, organisation or tenant id).
    #[serde(default)]
    pub identity: BTreeMap<String, String>,
    /// The capture (or field) that names the provider-side account: a reconnect that lands on
    /// another account is refused unless its link allows the change.
    pub account: Option<String>,
}

/// OAuth2 authorization-code details.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Spec {
    /// Authorization endpoint; may contain `{field}` placeholders.
    pub authorization_url: String,
    /// Token endpoint; may contain `{field}` placeholders.
    pub token_url: String,
    /// Scopes requested unless the connector overrides them.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// What common scopes allow, in the provider's words, shown on the Connect page.
    #[serde(default)]
    pub scope_descriptions: BTreeMap<String, String>,
    /// How scopes are joined in the authorization request.
    #[serde(default = "default_separator")]
    pub scope_separator: String,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub token_auth: TokenAuth,
    /// How token requests carry their parameters.
    #[serde(default)]
    pub token_body: TokenBody,
    /// Extra parameters for the authorization request.
    #[serde(default)]
    pub authorization_params: BTreeMap<String, String>,
    /// The authorization server's issuer identifier (RFC 9207), when it sends `iss`.
    pub issuer: Option<String>,
    /// Token revocation endpoint (RFC 7009), if the provider has one.
    pub revocation_url: Option<String>,
    /// How the revocation request is shaped, where it is not RFC 7009's.
    #[serde(default)]
    pub revocation: RevocationSpec,
    /// Whether the authorization request carries a PKCE challenge (RFC 7636).
    #[serde(default)]
    pub pkce: Pkce,
    /// Extra form parameters of the code exchange (Shopify's `expiring = "1"`).
    #[serde(default)]
    pub token_params: BTreeMap<String, String>,
    /// Extra form parameters of refresh requests.
    #[serde(default)]
    pub refresh_params: BTreeMap<String, String>,
    /// Where the token response keeps each value, and how it says no.
    #[serde(default)]
    pub token_response: TokenResponseSpec,
    /// Seconds an access token is assumed to live when the provider sends no `expires_in`
    /// (Salesforce sessions); the token is refreshed before then.
    pub default_expires_in: Option<u32>,
}

/// The shape of a revocation request. The default is RFC 7009: the refresh token (else the
/// access token) as a form with `token_type_hint`, with client authentication as for tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RevocationSpec {
    /// Which token is revoked.
    pub token: RevokeToken,
    /// How the request authenticates.
    pub auth: RevokeAuth,
    /// How the token is sent.
    pub body: RevokeBody,
}

/// Which token a revocation request names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeToken {
    /// The refresh token, or the access token when there is none.
    #[default]
    Refresh,
    /// The access token (Dropbox, Linear).
    Access,
}

/// How a revocation request authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeAuth {
    /// As the token requests (`token_auth`).
    #[default]
    Client,
    /// With the access token itself, `Authorization: Bearer` (Dropbox, Linear).
    Bearer,
}

/// How a revocation request carries the token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeBody {
    /// `token` and `token_type_hint` as a form (RFC 7009).
    #[default]
    Form,
    /// `{"token": …}` as JSON (QuickBooks).
    Json,
    /// No body: the bearer token is what is revoked (Dropbox, Linear).
    None,
}

/// PKCE (RFC 7636) in the authorization request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pkce {
    /// The provider refuses flows without it; always sent.
    Required,
    /// The provider accepts it; sent.
    #[default]
    Optional,
    /// Sending it breaks the flow (Slack treats it as a public client, Pipedrive refuses it).
    Off,
}

impl Pkce {
    /// Whether the challenge is sent.
    pub fn sent(self) -> bool {
        self != Pkce::Off
    }
}

/// Where a token response keeps each value: JSON pointers, tried in order, the first present
/// one wins. Numbers given as strings are accepted everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenResponseSpec {
    /// The access token (Slack: also `/authed_user/access_token`).
    pub access_token: Vec<String>,
    /// The refresh token.
    pub refresh_token: Vec<String>,
    /// The token type; `bearer` when absent (Shopify sends none).
    pub token_type: Vec<String>,
    /// Lifetime in seconds.
    pub expires_in: Vec<String>,
    /// Granted scopes: a space- or comma-separated string, or an array.
    pub scope: Vec<String>,
    /// An error code; an answer with one and no access token is a refusal, even with HTTP 200.
    pub error: Vec<String>,
    /// A flag whose value `false` makes an HTTP 200 answer a refusal (Slack's `/ok`).
    pub ok_flag: Option<String>,
}

impl Default for TokenResponseSpec {
    fn default() -> Self {
        let at = |p: &str| vec![p.to_owned()];
        Self {
            access_token: at("/access_token"),
            refresh_token: at("/refresh_token"),
            token_type: at("/token_type"),
            expires_in: at("/expires_in"),
            scope: at("/scope"),
            error: at("/error"),
            ok_flag: None,
        }
    }
}

impl TokenResponseSpec {
    /// Every pointer, for the catalog checks.
    pub fn pointers(&self) -> impl Iterator<Item = &String> {
        self.access_token
            .iter()
            .chain(&self.refresh_token)
            .chain(&self.token_type)
            .chain(&self.expires_in)
            .chain(&self.scope)
            .chain(&self.error)
            .chain(&self.ok_flag)
    }
}

fn default_separator() -> String {
    " ".to_owned()
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// `client_id` and `client_secret` in the form body.
    #[default]
    RequestBody,
    /// HTTP Basic with the client credentials.
    Basic,
    /// Both (for servers that read one or the other depending on the grant).
    Both,
}

/// The encoding of token requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenBody {
    /// `application/x-www-form-urlencoded` (RFC 6749).
    #[default]
    Form,
    /// A JSON object of the same parameters (Notion, Atlassian).
    Json,
}

/// One value an end user (or admin, as a preset) supplies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Form and placeholder name.
    pub name: String,
    /// Label shown next to the input.
    pub label: String,
    /// Help text under the input.
    pub help: Option<String>,
    /// Input kind.
    #[serde(default)]
    pub kind: FieldKind,
    /// Regular expression the whole value must match (every kind but `select`).
    #[serde(default)]
    pub pattern: String,
    /// Stored encrypted and never shown again.
    #[serde(default)]
    pub secret: bool,
    /// Used when nobody supplies a value.
    pub default: Option<String>,
    /// The choices of a `select` field; a value must be one of them.
    #[serde(default)]
    pub options: Vec<FieldOption>,
}

/// One choice of a select field, and the placeholders choosing it sets (a region's hosts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOption {
    /// The field's value when chosen.
    pub value: String,
    /// What the end user reads.
    pub label: String,
    /// Placeholder name → value, set when this option is chosen (`api_host = "api.eu.intercom.io"`).
    #[serde(default)]
    pub sets: BTreeMap<String, String>,
}

impl Provider {
    /// Adds the placeholders that the chosen options of select fields set to `values`.
    pub fn add_choice_values(&self, values: &mut BTreeMap<String, String>) {
        for f in &self.fields {
            let chosen = values
                .get(&f.name)
                .and_then(|v| f.options.iter().find(|o| &o.value == v));
            if let Some(option) = chosen {
                values.extend(option.sets.clone());
            }
        }
    }
}

/// An outbound HTTP request described as data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// `GET` or `POST`.
    #[serde(default = "default_method")]
    pub method: String,
    /// URL template.
    pub url: String,
    /// Header templates.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP Basic user and password templates.
    pub basic: Option<[String; 2]>,
    /// A JSON body (POST only), sent as `application/json` (Linear's GraphQL query).
    pub body: Option<String>,
    /// Statuses that mean success (verification only): one or a list; `200` stands for any 2xx.
    #[serde(default = "default_status", deserialize_with = "one_or_many")]
    pub expect_status: Vec<u16>,
    /// JSON pointers to the account's name; the first non-empty string wins (identity only).
    #[serde(default)]
    pub pointer: Vec<String>,
}

fn default_method() -> String {
    "GET".to_owned()
}

fn default_status() -> Vec<u16> {
    vec![200]
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(u16),
        Many(Vec<u16>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(status) => vec![status],
        OneOrMany::Many(statuses) => statuses,
    })
}
