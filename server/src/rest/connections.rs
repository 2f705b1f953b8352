//! `/api/v1/connections`: list, get (metadata), credentials (refreshed when due), delete; and
//! `/api/v1/exchange` for exchange codes.

use std::collections::BTreeMap;

use app::domain::entities::connection;
use app::domain::entities::connection::ConnectionState;
use app::domain::services::connections::Credentials;
use app::domain::services::connections::api as provider_api;
use app::domain::services::connections::{self, ConnectionFilter};
use app::domain::services::{audit, connectors, exchange, tenants};
use app::types::AuditAction;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    Api, Caller, Problem, id_cursor, page_limit, parse_json, parse_query, path_id, rfc3339,
};

/// A connection's metadata (never its credentials).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Connection {
    /// Id (UUID); stays the same across reconnects.
    pub id: String,
    /// Health: `connected`, `expires_soon` (usable, but the token cannot be refreshed and
    /// expires within 7 days), `needs_reauth`, `error` (the last refresh failed; see
    /// `last_error`), `disconnected` (credentials deleted) or `pending_confirmation` (the end
    /// user finished a link minted with `state`; nothing is usable until the exchange code is
    /// redeemed).
    pub status: String,
    /// The tenant.
    pub tenant: TenantSummary,
    /// The connector's key.
    pub connector: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The provider account, as the provider names it.
    pub account: Option<String>,
    /// The provider-side account id the connection is pinned to (a user, organisation, realm or
    /// shop); a reconnect that lands on another one is refused unless its link allows it.
    pub account_id: Option<String>,
    /// The values a backend needs besides the credentials: the non-secret ones the end user
    /// gave (a shop, a subdomain, a region and its hosts) and those captured while connecting,
    /// as the catalog entry says (QuickBooks `realm_id`, Salesforce `instance_url`, Slack
    /// `team_id`, …).
    pub connection_config: BTreeMap<String, String>,
    /// How to call the provider's API with this connection; secret values are left as
    /// placeholders (`{access_token}`, `{api_key}`) to fill from the credentials.
    pub api: ProviderApi,
    /// Why the last attempt or refresh failed, as `code` or `code: provider's words`, e.g.
    /// `token_refused: invalid_grant`, `credentials_rejected`, `unreachable`.
    pub last_error: Option<String>,
    /// When the access token expires (RFC 3339).
    pub expires_at: Option<String>,
    /// When it was (last) connected (RFC 3339).
    pub connected_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// Where the provider's API is and what a request to it carries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProviderApi {
    /// The API's base URL (`https://acme.myshopify.com/admin/api/2026-10`), when the catalog
    /// knows it.
    pub base_url: Option<String>,
    /// Headers to send, e.g. `Authorization: Bearer {access_token}`.
    pub headers: BTreeMap<String, String>,
    /// Query parameters to send.
    pub query: BTreeMap<String, String>,
    /// HTTP Basic user and password, when the provider takes them (on a connection only; the
    /// credentials carry them as an `Authorization` header).
    pub basic: Option<Vec<String>>,
}

impl From<provider_api::ApiAccess> for ProviderApi {
    fn from(a: provider_api::ApiAccess) -> Self {
        Self {
            base_url: a.base_url,
            headers: a.headers,
            query: a.query,
            basic: a.basic.map(Vec::from),
        }
    }
}

/// Who a connection belongs to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantSummary {
    /// Tenant id.
    pub id: String,
    /// Your own id for the customer.
    pub external_id: String,
}

/// One page of connections.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectionList {
    /// The connections, oldest first.
    pub data: Vec<Connection>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// A connection's credentials.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectionCredentials {
    /// The connection.
    pub connection_id: String,
    /// `oauth2` or `fields`.
    #[serde(rename = "type")]
    pub kind: String,
    /// OAuth2: the access token.
    pub access_token: Option<String>,
    /// OAuth2: the refresh token.
    pub refresh_token: Option<String>,
    /// OAuth2: token type.
    pub token_type: Option<String>,
    /// OAuth2: access-token expiry (RFC 3339).
    pub expires_at: Option<String>,
    /// OAuth2: granted scopes.
    pub scopes: Vec<String>,
    /// OAuth2: values used in the provider's URLs (e.g. subdomain); credential connectors: the
    /// submitted fields (API key, username, password, …).
    pub values: BTreeMap<String, String>,
    /// OAuth2: further fields of the provider's token response (e.g. `instance_url`).
    #[schema(value_type = Object)]
    pub raw: serde_json::Map<String, serde_json::Value>,
    /// How to call the provider's API with these credentials, ready to use: the base URL and
    /// the filled-in headers and query parameters.
    pub api: ProviderApi,
}

/// Listing filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConnectionListQuery {
    /// Only this tenant's (id).
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant_id: Option<String>,
    /// Only this connector's (id or key).
    pub connector: Option<String>,
    /// Only with this stored status: `connected`, `needs_reauth`, `error` or `disconnected`.
    #[param(inline)]
    pub status: Option<StoredStatus>,
    /// Page size, at least 1 (default 50); values above 200 are read as 200.
    #[param(schema_with = super::page_limit_schema)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// A connection's stored status, as a listing filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoredStatus {
    /// Connected.
    Connected,
    /// The provider refused the refresh token.
    NeedsReauth,
    /// The last refresh failed.
    Error,
    /// Credentials deleted.
    Disconnected,
    /// Waiting for the exchange code to be redeemed; nothing usable yet.
    PendingConfirmation,
}

impl From<StoredStatus> for ConnectionState {
    fn from(s: StoredStatus) -> Self {
        match s {
            StoredStatus::Connected => ConnectionState::Connected,
            StoredStatus::NeedsReauth => ConnectionState::NeedsReauth,
            StoredStatus::Error => ConnectionState::Error,
            StoredStatus::Disconnected => ConnectionState::Disconnected,
            StoredStatus::PendingConfirmation => ConnectionState::PendingConfirmation,
        }
    }
}

/// An exchange code from a callback URL.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    /// The `code` the end user's browser brought to your callback URL.
    pub code: String,
}

/// What an exchange code stood for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExchangeResult {
    /// The connection.
    pub connection: Connection,
    /// The link that was completed.
    pub link_id: String,
}

async fn to_dtos(api: &Api, models: Vec<connection::Model>) -> Result<Vec<Connection>, Problem> {
    let now = api.app.clock.now();
    // One query per table for the whole page.
    let tenant_ids: Vec<uuid::Uuid> = models.iter().map(|m| m.tenant_id).collect();
    let external_ids = tenants::external_ids(&api.app.db, &tenant_ids).await?;
    let connector_ids: Vec<uuid::Uuid> = models.iter().map(|m| m.connector_id).collect();
    let connectors = connectors::resolved_by_id(&api.app.db, &connector_ids).await?;
    models
        .into_iter()
        .map(|m| {
            let connector = connectors
                .get(&m.connector_id)
                .ok_or_else(Problem::internal)?;
            let config = m.config()?;
            Ok(Connection {
                id: m.id.to_string(),
                tenant: TenantSummary {
                    id: m.tenant_id.to_string(),
                    external_id: external_ids.get(&m.tenant_id).cloned().unwrap_or_default(),
                },
                connector: connector.model.key.clone(),
                scopes: m.scopes()?,
                expires_at: m.expires_at.map(rfc3339),
                connected_at: rfc3339(m.connected_at),
                updated_at: rfc3339(m.updated_at),
                status: connections::health(&m, now).as_str().to_owned(),
                api: provider_api::describe(&connector.provider, &config).into(),
                connection_config: config,
                account: m.account_label,
                account_id: m.account_id,
                last_error: m.last_error,
            })
        })
        .collect()
}

async fn one(api: &Api, model: connection::Model) -> Result<Connection, Problem> {
    to_dtos(api, vec![model])
        .await?
        .pop()
        .ok_or_else(Problem::internal)
}

/// List connections.
#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", params(ConnectionListQuery),
    responses(
        (status = 200, description = "A page of connections", body = ConnectionList),
        (status = 400, description = "Bad limit, cursor or status", body = Problem),
        (status = 404, description = "No tenant or connector with this id or key", body = Problem),
    ))]
pub async fn list_connections(
    State(api): State<Api>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ConnectionList>, Problem> {
    caller.require("connections:read")?;
    let q: ConnectionListQuery = parse_query(query.as_deref())?;
    let limit = page_limit(q.limit.as_deref())?;
    let status = q.status.map(ConnectionState::from);
    let connector_id = match &q.connector {
        Some(c) => Some(
            connectors::find_by_key(&api.app.db, caller.0.environment, c)
                .await?
                .model
                .id,
        ),
        None => None,
    };
    let tenant_id = q.tenant_id.as_deref().map(path_id).transpose()?;
    let after = q.cursor.as_deref().map(id_cursor).transpose()?;
    let page = connections::list(
        &api.app.db,
        caller.0.environment,
        &ConnectionFilter {
            tenant_id,
            connector_id,
            status,
        },
        after,
        limit,
    )
    .await?;
    Ok(Json(ConnectionList {
        data: to_dtos(&api, page.rows).await?,
        next_cursor: page.next,
    }))
}

/// Get a connection's metadata.
#[utoipa::path(get, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = String, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The connection", body = Connection),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn get_connection(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Connection>, Problem> {
    caller.require("connections:read")?;
    let model = connections::get(&api.app.db, caller.0.environment, path_id(&id)?).await?;
    Ok(Json(one(&api, model).await?))
}

/// How credentials are read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CredentialsQuery {
    /// Check the access token with the provider first (the entry's verify or identity
    /// request); when the provider answers 401, the token is refreshed and the fresh one
    /// returned. Costs one request to the provider.
    pub verify: Option<bool>,
}

/// Get a connection's credentials. An OAuth access token that has expired or expires within a
/// minute is refreshed first; simultaneous requests share one refresh. With `verify=true` the
/// token is also checked with the provider and refreshed when it was rejected early.
#[utoipa::path(get, path = "/api/v1/connections/{id}/credentials", tag = "connections",
    params(("id" = String, Path, description = "Connection id"), CredentialsQuery),
    responses(
        (status = 200, description = "Fresh credentials", body = ConnectionCredentials),
        (status = 403, description = "Needs `credentials:read`", body = Problem),
        (status = 404, description = "Not found", body = Problem),
        (status = 409, description = "The tenant must reconnect (`needs_reauth`) or was disconnected (`disconnected`)", body = Problem),
        (status = 502, description = "The provider could not refresh the token now (`provider_unavailable`)", body = Problem),
    ))]
pub async fn get_credentials(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ConnectionCredentials>, Problem> {
    caller.require("credentials:read")?;
    let id = connections::get(&api.app.db, caller.0.environment, path_id(&id)?)
        .await?
        .id;
    let query: CredentialsQuery = parse_query(query.as_deref())?;
    let (model, credentials) = if query.verify == Some(true) {
        connections::checked_credentials(&api.app, id).await?
    } else {
        connections::fresh_credentials(&api.app, id).await?
    };
    tracing::info!(connection_id = %model.id, api_key = %caller.0.name, "credentials read");
    Ok(Json(credentials_dto(&api, &model, credentials).await?))
}

/// Refresh a connection's access token now — when the provider rejected it before its expiry,
/// or a new one is wanted. Simultaneous requests share one refresh. Answers the fresh
/// credentials.
#[utoipa::path(post, path = "/api/v1/connections/{id}/refresh", tag = "connections",
    params(("id" = String, Path, description = "Connection id")),
    responses(
        (status = 200, description = "Refreshed credentials", body = ConnectionCredentials),
        (status = 403, description = "Needs `credentials:read`", body = Problem),
        (status = 404, description = "Not found", body = Problem),
        (status = 409, description = "No refresh token (`not_refreshable`), or the tenant must reconnect (`needs_reauth`) or was disconnected (`disconnected`)", body = Problem),
        (status = 502, description = "The provider could not refresh the token now (`provider_unavailable`)", body = Problem),
    ))]
pub async fn refresh_connection(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConnectionCredentials>, Problem> {
    caller.require("credentials:read")?;
    let id = connections::get(&api.app.db, caller.0.environment, path_id(&id)?)
        .await?
        .id;
    let (model, credentials) = connections::force_refresh(&api.app, id).await?;
    tracing::info!(connection_id = %model.id, api_key = %caller.0.name, "credentials refreshed on request");
    Ok(Json(credentials_dto(&api, &model, credentials).await?))
}

async fn credentials_dto(
    api: &Api,
    model: &connection::Model,
    credentials: Credentials,
) -> Result<ConnectionCredentials, Problem> {
    let connector = connectors::by_id(&api.app.db, model.connector_id).await?;
    let access: ProviderApi =
        provider_api::ready(&connector.provider, &credentials, &model.config()?).into();
    Ok(match credentials {
        Credentials::OAuth2 {
            access_token,
            refresh_token,
            token_type,
            expires_at,
            scopes,
            values,
            raw,
        } => ConnectionCredentials {
            connection_id: model.id.to_string(),
            kind: "oauth2".into(),
            access_token: Some(access_token),
            refresh_token,
            token_type: Some(token_type),
            expires_at: expires_at.map(rfc3339),
            scopes,
            values,
            raw,
            api: access,
        },
        Credentials::Fields { values } => ConnectionCredentials {
            connection_id: model.id.to_string(),
            kind: "fields".into(),
            access_token: None,
            refresh_token: None,
            token_type: None,
            expires_at: None,
            scopes: Vec::new(),
            values,
            raw: serde_json::Map::new(),
            api: access,
        },
    })
}

/// Disconnect: revoke the token at the provider (when it has a revocation endpoint) and delete
/// the credentials. The connection stays, `disconnected`, and keeps its id when the tenant
/// connects again. Repeating the call changes nothing.
#[utoipa::path(delete, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = String, Path, description = "Connection id")),
    responses(
        (status = 204, description = "Disconnected (or already was)"),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn delete_connection(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require("connections:write")?;
    let model = connections::get(&api.app.db, caller.0.environment, path_id(&id)?).await?;
    connections::disconnect(&api.app, caller.0.environment, model.id).await?;
    tracing::info!(connection_id = %model.id, api_key = %caller.0.name, "connection deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Redeem an exchange code (single use, 5 minutes): the connection it stands for becomes live
/// (until then it is `pending_confirmation` and its credentials cannot be read).
#[utoipa::path(post, path = "/api/v1/exchange", tag = "connections", request_body = ExchangeRequest,
    responses(
        (status = 200, description = "The connection, now live", body = ExchangeResult),
        (status = 400, description = "`invalid_grant`: unknown, expired or already used code", body = Problem),
    ))]
pub async fn exchange_code(
    State(api): State<Api>,
    caller: Caller,
    client: Option<axum::Extension<app::domain::session::ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ExchangeResult>, Problem> {
    caller.require("links:write")?;
    let input: ExchangeRequest = parse_json(&api, &headers, &body)?;
    let confirmed = match exchange::confirm(&api.app, caller.0.environment, &input.code).await {
        Ok(confirmed) => confirmed,
        Err(exchange::ExchangeError::Reused { link_id }) => {
            // A second redemption means someone else holds the callback URL.
            tracing::warn!(%link_id, api_key = %caller.0.name, "an exchange code was presented again");
            let actor = audit::Actor::ApiKey {
                id: caller.0.key_id,
                name: caller.0.name.clone(),
            };
            audit::record_logged(
                &api.app.db,
                api.app.clock.now(),
                audit::Entry {
                    actor: &actor,
                    action: AuditAction::LinkExchangeReused,
                    target_id: Some(link_id.to_string()),
                    ip: client.as_ref().map(|c| c.0.0.as_str()),
                    details: None,
                },
            )
            .await;
            return Err(Problem::invalid_grant());
        }
        Err(exchange::ExchangeError::Invalid) => return Err(Problem::invalid_grant()),
        Err(exchange::ExchangeError::App(e)) => return Err(e.into()),
    };
    Ok(Json(ExchangeResult {
        connection: one(&api, confirmed.connection).await?,
        link_id: confirmed.link_id.to_string(),
    }))
}
