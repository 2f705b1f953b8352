//! The end user's side of a link: starting and finishing an OAuth2 flow, submitting credentials,
//! and storing the resulting connection.

use std::collections::BTreeMap;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::events;
use super::links::{self, LinkContext};
use super::outbound::{self, OutboundError};
use crate::domain::AppState;
use crate::domain::catalog::{TokenAuth, catalog, fill};
use crate::domain::crypto::{Aad, new_token, token_hash};
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connect_link, connection, oauth_flow};
use crate::error::AppError;
use crate::types::EventType;
use crate::types::{AuthMode, limits};

/// How long an end user has between leaving for the provider and coming back.
const FLOW_LIFETIME: time::Duration = time::Duration::minutes(15);

/// Why the end user's attempt failed. Every message is safe to show to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Unknown, expired, revoked or used-up link: one answer for all.
    #[error("This link is not valid. It may have expired, been used already or been revoked.")]
    LinkUnavailable,
    /// Form values are missing or wrong; per field.
    #[error("Some values need attention.")]
    Invalid(Vec<(String, String)>),
    /// The callback's `state` is missing, unknown, expired or already used.
    #[error("This sign-in attempt is not valid any more. Please start again from your link.")]
    FlowUnknown,
    /// The callback arrived in another browser than the one that started the flow.
    #[error(
        "This sign-in was started in another browser. Please open your link again in this browser."
    )]
    WrongBrowser,
    /// The end user declined at the provider.
    #[error("Access was not granted at the provider. You can try again from your link.")]
    Denied,
    /// The provider reported an error or refused the credentials.
    #[error("{0}")]
    Provider(String),
    /// Something failed on our side.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl ConnectError {
    /// Whether trying again with the same link can help.
    pub fn retryable(&self) -> bool {
        !matches!(self, ConnectError::LinkUnavailable)
    }

    /// The stable code sent to a link's callback URL as `error=`.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::LinkUnavailable => "link_unavailable",
            ConnectError::Invalid(_) => "invalid_input",
            ConnectError::FlowUnknown => "flow_expired",
            ConnectError::WrongBrowser => "wrong_browser",
            ConnectError::Denied => "access_denied",
            ConnectError::Provider(_) => "provider_error",
            ConnectError::Internal => "server_error",
        }
    }
}

impl From<AppError> for ConnectError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ConnectError::LinkUnavailable,
            _ => ConnectError::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for ConnectError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}

/// The token response, keeping the provider's extra fields (e.g. Salesforce's `instance_url`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraFields(#[serde(default)] pub serde_json::Map<String, serde_json::Value>);

impl ExtraTokenFields for ExtraFields {}

/// A token response with the provider's extra fields.
pub type TokenResp = StandardTokenResponse<ExtraFields, BasicTokenType>;

type ExchangeClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What is stored, encrypted, for a connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credentials {
    /// OAuth2 tokens.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// Access token.
        access_token: String,
        /// Refresh token, when issued.
        refresh_token: Option<String>,
        /// Token type, usually `bearer`.
        token_type: String,
        /// Access-token expiry.
        #[serde(with = "time::serde::rfc3339::option")]
        expires_at: Option<OffsetDateTime>,
        /// Granted scopes.
        scopes: Vec<String>,
        /// Placeholder values the flow used (e.g. subdomain).
        values: BTreeMap<String, String>,
        /// Any further fields of the token response.
        raw: serde_json::Map<String, serde_json::Value>,
    },
    /// Field values (API key, username and password, …).
    Fields {
        /// Values by catalog field name.
        values: BTreeMap<String, String>,
    },
}

/// The redirect URI every OAuth connector uses; admins register it at the provider.
pub fn redirect_uri(public_origin: &str) -> String {
    format!("{}/oauth/callback", public_origin.trim_end_matches('/'))
}

/// Fields the end user still has to fill in: the catalog's fields minus the admin's presets.
pub fn open_fields(ctx: &LinkContext) -> Vec<&crate::domain::catalog::FieldSpec> {
    ctx.connector
        .provider
        .fields
        .iter()
        .filter(|f| !ctx.presets.contains_key(&f.name))
        .collect()
}

/// Checks submitted values against the catalog: only known fields, every one present (or
/// defaulted), within size and pattern. Presets win over anything submitted.
pub fn collect_values(
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ConnectError> {
    let provider = &ctx.connector.provider;
    let mut errors = Vec::new();
    for name in submitted.keys() {
        if !provider.fields.iter().any(|f| &f.name == name) {
            errors.push((
                name.clone(),
                format!("{name:?} is not a field of this form."),
            ));
        }
    }
    let mut values = BTreeMap::new();
    for f in &provider.fields {
        let value = match ctx.presets.get(&f.name) {
            Some(preset) => preset.clone(),
            None => {
                let typed = submitted.get(&f.name).map(|v| {
                    if f.secret {
                        v.clone()
                    } else {
                        v.trim().to_owned()
                    }
                });
                match typed.filter(|v| !v.is_empty()) {
                    Some(v) => v,
                    None => match &f.default {
                        Some(d) => d.clone(),
                        None => {
                            errors.push((f.name.clone(), format!("Enter the {}.", f.label)));
                            continue;
                        }
                    },
                }
            }
        };
        if value.chars().count() > limits::FIELD_VALUE_MAX_CHARS {
            errors.push((f.name.clone(), format!("The {} is too long.", f.label)));
        } else if !catalog().field_matches(&provider.id, &f.name, &value) {
            errors.push((
                f.name.clone(),
                format!("The {} does not have the expected format.", f.label),
            ));
        } else {
            values.insert(f.name.clone(), value);
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(ConnectError::Invalid(errors))
    }
}

/// Starts an OAuth2 flow: stores state, PKCE verifier, browser binding and endpoints, and
/// returns the provider's authorization URL.
pub async fn start_oauth(
    state: &AppState,
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
    browser_token: &str,
) -> Result<String, ConnectError> {
    let connector = &ctx.connector;
    let Some(spec) = &connector.provider.oauth2 else {
        return Err(ConnectError::Internal);
    };
    let values = collect_values(ctx, submitted)?;
    let lookup = |name: &str| values.get(name).cloned();
    let authorization_url = fill(&spec.authorization_url, lookup).ok_or(ConnectError::Internal)?;
    let token_url = fill(&spec.token_url, lookup).ok_or(ConnectError::Internal)?;
    let client_id = connector
        .model
        .client_id
        .clone()
        .ok_or(ConnectError::Internal)?;
    let redirect = redirect_uri(&state.settings.public_origin);

    let auth_url = AuthUrl::new(authorization_url.clone()).map_err(|_| ConnectError::Internal)?;
    let client = oauth2::basic::BasicClient::new(ClientId::new(client_id))
        .set_auth_uri(auth_url)
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).map_err(|_| ConnectError::Internal)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state_token = new_token();
    let returned_state = state_token.clone();
    let mut request = client
        .authorize_url(move || CsrfToken::new(returned_state))
        .set_pkce_challenge(challenge);
    if !connector.scopes.is_empty() {
        // Joined by the provider's separator (Slack and Shopify use commas).
        request = request.add_scope(Scope::new(connector.scopes.join(&spec.scope_separator)));
    }
    for (k, v) in &spec.authorization_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let (url, _) = request.url();

    let flow_id = Uuid::now_v7();
    let sealed_verifier = state
        .keyring
        .seal(
            verifier.secret().as_bytes(),
            Aad {
                table: "oauth_flows",
                column: "pkce_verifier",
                row_id: &flow_id.to_string(),
            },
        )
        .map_err(|_| ConnectError::Internal)?;
    let now = state.clock.now();
    let issuer = spec.issuer.clone();
    let txn = state.db.begin().await?;
    oauth_flow::ActiveModel {
        id: Set(flow_id),
        state_hash: Set(token_hash(&state_token)),
        link_id: Set(ctx.link.id),
        browser_hash: Set(token_hash(browser_token)),
        pkce_verifier: Set(sealed_verifier),
        authorization_url: Set(authorization_url),
        token_url: Set(token_url),
        issuer: Set(issuer),
        redirect_uri: Set(redirect),
        values: Set(serde_json::to_string(&values).map_err(|_| ConnectError::Internal)?),
        created_at: Set(now),
        expires_at: Set(now + FLOW_LIFETIME),
        consumed_at: Set(None),
        connector_id: Set(Some(connector.model.id)),
    }
    .insert(&txn)
    .await?;
    links::mark_opened(&txn, state.clock.as_ref(), ctx).await?;
    txn.commit().await?;
    Ok(url.to_string())
}

/// What the provider sent back to `/oauth/callback`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackParams {
    /// Authorization code.
    pub code: Option<String>,
    /// Our state.
    pub state: Option<String>,
    /// Error code (RFC 6749 §4.1.2.1).
    pub error: Option<String>,
    /// Human-readable error.
    pub error_description: Option<String>,
    /// Issuer (RFC 9207).
    pub iss: Option<String>,
}

/// Finishes an OAuth2 flow. The flow is claimed atomically first, so a callback delivered twice
/// makes one token request and at most one connection.
pub async fn finish_oauth(
    state: &AppState,
    params: &CallbackParams,
    browser_token: Option<&str>,
) -> Result<Completed, ConnectError> {
    let state_param = params
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 100)
        .ok_or(ConnectError::FlowUnknown)?;
    let flow = oauth_flow::Entity::find()
        .filter(oauth_flow::Column::StateHash.eq(token_hash(state_param)))
        .one(&state.db)
        .await?
        .ok_or(ConnectError::FlowUnknown)?;
    let same_browser = browser_token.is_some_and(|t| {
        subtle::ConstantTimeEq::ct_eq(&token_hash(t)[..], &flow.browser_hash[..]).into()
    });
    if !same_browser {
        return Err(ConnectError::WrongBrowser);
    }
    let now = state.clock.now();
    let claimed = oauth_flow::Entity::update_many()
        .col_expr(oauth_flow::Column::ConsumedAt, Expr::value(now))
        .filter(oauth_flow::Column::Id.eq(flow.id))
        .filter(oauth_flow::Column::ConsumedAt.is_null())
        .filter(oauth_flow::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(ConnectError::FlowUnknown);
    }
    let result = exchange(state, &flow, params).await;
    if let Err(e) = &result
        && matches!(e, ConnectError::Provider(_) | ConnectError::Denied)
    {
        let connector_id = match flow.connector_id {
            Some(id) => Some(id),
            None => connect_link::Entity::find_by_id(flow.link_id)
                .one(&state.db)
                .await?
                .map(|l| l.connector_id),
        };
        if let Some(connector_id) = connector_id {
            links::record_failure(
                &state.db,
                state.clock.as_ref(),
                flow.link_id,
                connector_id,
                e.code(),
                &e.to_string(),
            )
            .await?;
        }
    }
    result
}

/// Where the browser goes after a failed callback: the link's callback URL and `state`, when
/// the callback's `state` names a known flow whose link has one.
pub async fn callback_for_flow(
    db: &impl ConnectionTrait,
    params: &CallbackParams,
) -> Option<(String, Option<String>)> {
    let state_param = params
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 100)?;
    let flow = oauth_flow::Entity::find()
        .filter(oauth_flow::Column::StateHash.eq(token_hash(state_param)))
        .one(db)
        .await
        .ok()??;
    let link = connect_link::Entity::find_by_id(flow.link_id)
        .one(db)
        .await
        .ok()??;
    Some((link.callback_url?, link.callback_state))
}

async fn exchange(
    state: &AppState,
    flow: &oauth_flow::Model,
    params: &CallbackParams,
) -> Result<Completed, ConnectError> {
    let link = connect_link::Entity::find_by_id(flow.link_id)
        .one(&state.db)
        .await?
        .ok_or(ConnectError::LinkUnavailable)?;
    let ctx = links::load_context(&state.db, state.clock.as_ref(), link, flow.connector_id)
        .await?
        .ok_or(ConnectError::LinkUnavailable)?;

    if let Some(code) = &params.error {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        if code == "access_denied" {
            return Err(ConnectError::Denied);
        }
        return Err(ConnectError::Provider(format!(
            "The provider reported an error ({code}). You can try again from your link."
        )));
    }
    // RFC 9207: an `iss` must name the server the flow went to; without a configured issuer,
    // the authorization endpoint's origin stands in for it.
    if let Some(iss) = &params.iss {
        let expected_ok = match &flow.issuer {
            Some(expected) => iss == expected,
            None => same_origin(iss, &flow.authorization_url),
        };
        if !expected_ok {
            return Err(ConnectError::Provider(
                "The answer came from another authorization server than the one you were sent to."
                    .into(),
            ));
        }
    }
    let code = params
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| ConnectError::Provider("The provider sent no authorization code.".into()))?;

    let connector = &ctx.connector;
    let spec = connector
        .provider
        .oauth2
        .as_ref()
        .ok_or(ConnectError::Internal)?;
    let verifier = state
        .keyring
        .open(
            &flow.pkce_verifier,
            Aad {
                table: "oauth_flows",
                column: "pkce_verifier",
                row_id: &flow.id.to_string(),
            },
        )
        .map_err(|_| ConnectError::Internal)?;
    let verifier = PkceCodeVerifier::new(
        String::from_utf8(verifier.to_vec()).map_err(|_| ConnectError::Internal)?,
    );
    let client_id = connector
        .model
        .client_id
        .clone()
        .ok_or(ConnectError::Internal)?;
    let mut client: ExchangeClient = oauth2::Client::new(ClientId::new(client_id))
        .set_auth_uri(
            AuthUrl::new(flow.authorization_url.clone()).map_err(|_| ConnectError::Internal)?,
        )
        .set_token_uri(TokenUrl::new(flow.token_url.clone()).map_err(|_| ConnectError::Internal)?)
        .set_redirect_uri(
            RedirectUrl::new(flow.redirect_uri.clone()).map_err(|_| ConnectError::Internal)?,
        )
        .set_auth_type(match spec.token_auth {
            TokenAuth::Basic => AuthType::BasicAuth,
            TokenAuth::RequestBody => AuthType::RequestBody,
        });
    if let Some(secret) = connector.client_secret(&state.keyring)? {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(verifier)
        .request_async(&state.http)
        .await
        .map_err(|e| {
            let message = match &e {
                RequestTokenError::ServerResponse(r) => format!(
                    "The provider refused to issue a token ({}). Please try again from your link.",
                    r.error().as_ref()
                ),
                RequestTokenError::Request(_) => {
                    "The provider did not answer in time. Please try again.".to_owned()
                }
                RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) => {
                    "The provider's answer could not be understood. Please try again.".to_owned()
                }
            };
            tracing::info!(flow_id = %flow.id, kind = token_error_kind(&e), "token exchange failed");
            ConnectError::Provider(message)
        })?;

    let now = state.clock.now();
    let values: BTreeMap<String, String> = flow.values()?;
    let scopes = token
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|| connector.scopes.clone());
    let expires_at = token
        .expires_in()
        .and_then(|d| time::Duration::try_from(d).ok())
        .map(|d| now + d);
    let access_token = token.access_token().secret().clone();
    let lookup = |name: &str| {
        if name == "access_token" {
            Some(access_token.clone())
        } else {
            values.get(name).cloned()
        }
    };
    let label = verify_and_identify(state, &ctx, &lookup, Some(&access_token)).await?;
    let credentials = Credentials::OAuth2 {
        access_token: access_token.clone(),
        refresh_token: token.refresh_token().map(|t| t.secret().clone()),
        token_type: token.token_type().as_ref().to_owned(),
        expires_at,
        scopes: scopes.clone(),
        values: values.clone(),
        raw: token.extra_fields().0.clone(),
    };
    complete(state, &ctx, &credentials, &scopes, label, expires_at).await
}

fn token_error_kind<RE: std::error::Error, T: oauth2::ErrorResponse>(
    e: &RequestTokenError<RE, T>,
) -> &'static str {
    match e {
        RequestTokenError::ServerResponse(_) => "server_response",
        RequestTokenError::Request(_) => "request",
        RequestTokenError::Parse(_, _) => "parse",
        RequestTokenError::Other(_) => "other",
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Runs the catalog's verification request (which must succeed) and identity lookup (best
/// effort), returning the account label.
async fn verify_and_identify(
    state: &AppState,
    ctx: &LinkContext,
    lookup: &(dyn Fn(&str) -> Option<String> + Sync),
    bearer: Option<&str>,
) -> Result<Option<String>, ConnectError> {
    let provider = &ctx.connector.provider;
    if let Some(verify) = &provider.verify {
        outbound::send(&state.http, verify, lookup, bearer, None)
            .await
            .map_err(|e| {
                ConnectError::Provider(match e {
                    OutboundError::Status(401 | 403) => {
                        "The provider did not accept these credentials. Check them and try again."
                            .to_owned()
                    }
                    other => {
                        format!("The credentials could not be checked: {other}. Please try again.")
                    }
                })
            })?;
    }
    let Some(identity) = &provider.identity else {
        return Ok(None);
    };
    match outbound::send(
        &state.http,
        identity,
        lookup,
        bearer,
        provider.verify.as_ref(),
    )
    .await
    {
        Ok(body) => Ok(outbound::pick_label(&body, &identity.pointer)),
        Err(e) => {
            tracing::info!(provider = %provider.id, error = %e, "identity lookup failed");
            Ok(None)
        }
    }
}

/// Submits the credential form of an API-key, basic or custom connector.
pub async fn submit_credentials(
    state: &AppState,
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
) -> Result<Completed, ConnectError> {
    if ctx.connector.provider.auth == AuthMode::OAuth2 {
        return Err(ConnectError::Internal);
    }
    let values = collect_values(ctx, submitted)?;
    // The mark and its `link.opened` event commit together.
    let txn = state.db.begin().await?;
    links::mark_opened(&txn, state.clock.as_ref(), ctx).await?;
    txn.commit().await?;
    let lookup = |name: &str| values.get(name).cloned();
    let label = match verify_and_identify(state, ctx, &lookup, None).await {
        Ok(label) => label,
        Err(e) => {
            if let ConnectError::Provider(message) = &e {
                links::record_failure(
                    &state.db,
                    state.clock.as_ref(),
                    ctx.link.id,
                    ctx.connector.model.id,
                    e.code(),
                    message,
                )
                .await?;
            }
            return Err(e);
        }
    };
    let credentials = Credentials::Fields { values };
    complete(state, ctx, &credentials, &[], label, None).await
}

/// A stored connection and how the end user's browser should learn about it.
#[derive(Debug, Clone)]
pub struct Completed {
    /// The connection.
    pub connection: connection::Model,
    /// The link that completed it.
    pub link: connect_link::Model,
    /// The exchange code, when the link was minted with a `state`.
    pub exchange_code: Option<String>,
}

impl Completed {
    /// The callback URL to send the browser to, with `status=success` (and `code` + `state`).
    pub fn callback_redirect(&self) -> Option<String> {
        let callback = self.link.callback_url.as_deref()?;
        let mut pairs = vec![("status", "success")];
        if let (Some(code), Some(state)) = (&self.exchange_code, &self.link.callback_state) {
            pairs.push(("code", code));
            pairs.push(("state", state));
        }
        super::callbacks::with_params(callback, &pairs)
    }
}

/// The callback URL for a failure: `status=error&error=<code>` (and `state`).
pub fn failure_redirect(
    callback: &str,
    state: Option<&str>,
    error: &ConnectError,
) -> Option<String> {
    let mut pairs = vec![("status", "error"), ("error", error.code())];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    super::callbacks::with_params(callback, &pairs)
}

/// Stores the connection and marks the link completed, in one transaction. For a single-use link
/// exactly one of several simultaneous completions succeeds; a reconnect keeps the connection's
/// id and replaces its credentials.
pub async fn complete(
    state: &AppState,
    ctx: &LinkContext,
    credentials: &Credentials,
    scopes: &[String],
    account_label: Option<String>,
    expires_at: Option<OffsetDateTime>,
) -> Result<Completed, ConnectError> {
    let now = state.clock.now();
    let plaintext = zeroize::Zeroizing::new(
        serde_json::to_vec(credentials).map_err(|_| ConnectError::Internal)?,
    );
    let txn = state.db.begin().await?;
    let claimed = connect_link::Entity::update_many()
        .col_expr(connect_link::Column::CompletedAt, Expr::value(now))
        .col_expr(
            connect_link::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(connect_link::Column::Id.eq(ctx.link.id))
        .filter(links::usable_condition(now))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(ConnectError::LinkUnavailable);
    }
    let existing = connection::Entity::find()
        .filter(connection::Column::TenantId.eq(ctx.tenant.id))
        .filter(connection::Column::ConnectorId.eq(ctx.connector.model.id))
        .one(&txn)
        .await?;
    let id = existing.as_ref().map_or_else(Uuid::now_v7, |c| c.id);
    let event_type = match existing.as_ref().map(|c| c.status) {
        None | Some(ConnectionState::Disconnected) => EventType::ConnectionCreated,
        Some(ConnectionState::Connected) => EventType::ConnectionUpdated,
        Some(_) => EventType::ConnectionRecovered,
    };
    let refreshable = matches!(
        credentials,
        Credentials::OAuth2 {
            refresh_token: Some(_),
            ..
        }
    );
    let sealed = state
        .keyring
        .seal(
            &plaintext,
            Aad {
                table: "connections",
                column: "credentials",
                row_id: &id.to_string(),
            },
        )
        .map_err(|_| ConnectError::Internal)?;
    let scopes_json = serde_json::to_string(scopes).map_err(|_| ConnectError::Internal)?;
    let model = match existing {
        Some(existing) => {
            let mut row: connection::ActiveModel = existing.into();
            row.status = Set(ConnectionState::Connected);
            row.credentials = Set(sealed);
            row.scopes = Set(scopes_json);
            row.account_label = Set(account_label);
            row.last_error = Set(None);
            row.expires_at = Set(expires_at);
            row.connected_at = Set(now);
            row.updated_at = Set(now);
            row.refresh_failures = Set(0);
            row.next_refresh_at = Set(None);
            row.refreshed_at = Set(None);
            row.refreshable = Set(refreshable);
            row.update(&txn).await?
        }
        None => {
            connection::ActiveModel {
                id: Set(id),
                tenant_id: Set(ctx.tenant.id),
                connector_id: Set(ctx.connector.model.id),
                status: Set(ConnectionState::Connected),
                credentials: Set(sealed),
                scopes: Set(scopes_json),
                account_label: Set(account_label),
                last_error: Set(None),
                expires_at: Set(expires_at),
                connected_at: Set(now),
                updated_at: Set(now),
                refresh_claimed_until: Set(None),
                refresh_failures: Set(0),
                refreshed_at: Set(None),
                next_refresh_at: Set(None),
                refreshable: Set(refreshable),
            }
            .insert(&txn)
            .await?
        }
    };
    let exchange_code = match ctx.link.callback_state {
        Some(_) => {
            Some(super::exchange::issue(&txn, state.clock.as_ref(), ctx.link.id, model.id).await?)
        }
        None => None,
    };
    let subject = events::Subject::new(&ctx.tenant, &ctx.connector.model)
        .with_connection(&model)
        .with_link(&ctx.link)?;
    events::emit(&txn, now, event_type, &subject).await?;
    events::emit(&txn, now, EventType::LinkCompleted, &subject).await?;
    txn.commit().await?;
    tracing::info!(
        connection_id = %model.id,
        tenant_id = %ctx.tenant.id,
        connector = %ctx.connector.model.key,
        "connection stored"
    );
    Ok(Completed {
        connection: model,
        link: ctx.link.clone(),
        exchange_code,
    })
}

/// Reads and decrypts a connection's credentials.
pub fn open_credentials(
    state: &AppState,
    model: &connection::Model,
) -> Result<Credentials, AppError> {
    let plain = state
        .keyring
        .open(
            &model.credentials,
            Aad {
                table: "connections",
                column: "credentials",
                row_id: &model.id.to_string(),
            },
        )
        .map_err(|e| {
            tracing::error!(connection_id = %model.id, error = %e, "credentials cannot be decrypted");
            AppError::Internal
        })?;
    serde_json::from_slice(&plain).map_err(|_| AppError::Internal)
}
