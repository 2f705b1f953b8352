//! `/api/v1/connectors`: list, get, create from a catalog provider, update, enable, disable.

use app::domain::ids::EnvironmentId;
use app::domain::services::connectors::{self, ConnectorInput};
use app::types::{ConnectorInfo, ConnectorOptions};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Api, Caller, Problem, idempotency, parse_json};

/// A configured connector (the client secret is never returned).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Connector {
    /// Id (UUID).
    pub id: String,
    /// Unique key, e.g. `salesforce-prod`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Catalog provider id, e.g. `salesforce`.
    pub provider: String,
    /// `oauth2`, `api_key`, `basic` or `custom`.
    pub auth: String,
    /// Offered to tenants.
    pub enabled: bool,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// Whether a client secret is stored.
    pub has_client_secret: bool,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Generic templates: endpoints and verification settings.
    pub options: Options,
    /// Tenants connected through it.
    pub connection_count: u64,
}

/// Connector options (generic templates and extra authorization parameters).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Generic OAuth2: authorization endpoint.
    pub authorization_url: Option<String>,
    /// Generic OAuth2: token endpoint.
    pub token_url: Option<String>,
    /// Generic OAuth2: send client credentials with HTTP Basic.
    #[serde(default)]
    pub token_auth_basic: bool,
    /// Generic OAuth2: token revocation endpoint (RFC 7009), called on disconnect.
    pub revocation_url: Option<String>,
    /// Extra authorization request parameters, as `[name, value]` pairs.
    #[serde(default)]
    #[schema(schema_with = pairs_schema)]
    pub authorization_params: Vec<(String, String)>,
    /// Generic templates: URL that must answer 2xx for credentials to count as valid.
    pub verify_url: Option<String>,
    /// Generic templates: URL whose JSON names the account.
    pub identity_url: Option<String>,
    /// JSON pointer into the identity response, e.g. `/email`.
    pub identity_pointer: Option<String>,
    /// Generic API key: header carrying the key.
    pub header_name: Option<String>,
    /// Generic API key: text before the key in that header.
    pub header_prefix: Option<String>,
}

/// An array of `[name, value]` pairs: each exactly two strings.
fn pairs_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let text = || ObjectBuilder::new().schema_type(Type::String);
    ArrayBuilder::new()
        .items(
            ArrayBuilder::new()
                .prefix_items([text(), text()])
                .items(utoipa::openapi::schema::ArrayItems::False)
                .min_items(Some(2))
                .max_items(Some(2)),
        )
        .build()
}

impl From<ConnectorOptions> for Options {
    fn from(o: ConnectorOptions) -> Self {
        Self {
            authorization_url: o.authorization_url,
            token_url: o.token_url,
            token_auth_basic: o.token_auth_basic,
            revocation_url: o.revocation_url,
            authorization_params: o.authorization_params,
            verify_url: o.verify_url,
            identity_url: o.identity_url,
            identity_pointer: o.identity_pointer,
            header_name: o.header_name,
            header_prefix: o.header_prefix,
        }
    }
}

impl From<Options> for ConnectorOptions {
    fn from(o: Options) -> Self {
        Self {
            authorization_url: o.authorization_url,
            token_url: o.token_url,
            token_auth_basic: o.token_auth_basic,
            revocation_url: o.revocation_url,
            authorization_params: o.authorization_params,
            verify_url: o.verify_url,
            identity_url: o.identity_url,
            identity_pointer: o.identity_pointer,
            header_name: o.header_name,
            header_prefix: o.header_prefix,
        }
    }
}

/// A connector to create (from a catalog provider) or the new state of one to update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorWrite {
    /// Catalog provider id (create only; fixed afterwards).
    pub provider: Option<String>,
    /// Display name.
    pub name: String,
    /// Unique key; derived from the name when absent.
    pub key: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret; absent on update keeps the stored one.
    pub client_secret: Option<String>,
    /// Scopes; absent means the catalog's defaults.
    pub scopes: Option<Vec<String>>,
    /// Options.
    pub options: Option<Options>,
}

/// The connectors.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectorList {
    /// Every connector.
    pub data: Vec<Connector>,
}

fn to_dto(info: ConnectorInfo) -> Connector {
    Connector {
        id: info.id,
        key: info.key,
        name: info.name,
        provider: info.provider_id,
        auth: serde_json::to_value(info.auth)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        enabled: info.enabled,
        client_id: info.client_id,
        has_client_secret: info.has_client_secret,
        scopes: info.scopes,
        options: info.options.into(),
        connection_count: info.connection_count,
    }
}

async fn describe(
    api: &Api,
    environment: EnvironmentId,
    id: uuid::Uuid,
) -> Result<Connector, Problem> {
    Ok(to_dto(
        connectors::describe(&api.app.db, environment, id).await?.0,
    ))
}

fn input(write: ConnectorWrite, provider: String) -> ConnectorInput {
    ConnectorInput {
        provider,
        name: write.name,
        key: write.key.unwrap_or_default(),
        client_id: write.client_id.unwrap_or_default(),
        client_secret: SecretString::from(write.client_secret.unwrap_or_default()),
        scopes: write.scopes.unwrap_or_default().join(" "),
        options: write.options.unwrap_or_default().into(),
    }
}

/// List connectors.
#[utoipa::path(get, path = "/api/v1/connectors", tag = "connectors",
    responses(
        (status = 200, description = "Every connector", body = ConnectorList),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "Needs `connectors:read`", body = Problem),
    ))]
pub async fn list_connectors(
    State(api): State<Api>,
    caller: Caller,
) -> Result<Json<ConnectorList>, Problem> {
    caller.require("connectors:read")?;
    let data = connectors::list(&api.app.db, caller.0.environment)
        .await?
        .into_iter()
        .map(to_dto)
        .collect();
    Ok(Json(ConnectorList { data }))
}

/// Create a connector from a catalog provider.
#[utoipa::path(post, path = "/api/v1/connectors", tag = "connectors", request_body = ConnectorWrite,
    params(idempotency::IdempotencyHeader),
    responses(
        (status = 201, description = "Created", body = Connector),
        (status = 409, description = "The key is taken", body = Problem),
        (status = 422, description = "Invalid input", body = Problem),
    ))]
pub async fn create_connector(
    State(api): State<Api>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(p) = caller.require("connectors:write") {
        return p.into_response();
    }
    idempotency::once(
        &api,
        &caller,
        &headers,
        "POST /connectors",
        &body,
        || async {
            let result: Result<Connector, Problem> = async {
                let write: ConnectorWrite = parse_json(&api, &headers, &body)?;
                let provider = write.provider.clone().unwrap_or_default();
                let created = connectors::create(
                    &api.app.db,
                    &api.app.keyring,
                    api.app.clock.as_ref(),
                    caller.0.environment,
                    input(write, provider),
                )
                .await?;
                describe(&api, caller.0.environment, created.model.id).await
            }
            .await;
            match result {
                Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
                Err(p) => p.into_response(),
            }
        },
    )
    .await
}

/// Get a connector by id or key.
#[utoipa::path(get, path = "/api/v1/connectors/{id}", tag = "connectors",
    params(("id" = String, Path, description = "Connector id or key")),
    responses(
        (status = 200, description = "The connector", body = Connector),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn get_connector(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Connector>, Problem> {
    caller.require("connectors:read")?;
    let found = connectors::find_by_key(&api.app.db, caller.0.environment, &id).await?;
    Ok(Json(
        describe(&api, caller.0.environment, found.model.id).await?,
    ))
}

/// Replace a connector's name, key, client credentials, scopes and options.
#[utoipa::path(patch, path = "/api/v1/connectors/{id}", tag = "connectors",
    params(("id" = String, Path, description = "Connector id or key")),
    request_body = ConnectorWrite,
    responses(
        (status = 200, description = "Updated", body = Connector),
        (status = 404, description = "Not found", body = Problem),
        (status = 422, description = "Invalid input", body = Problem),
    ))]
pub async fn update_connector(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Connector>, Problem> {
    caller.require("connectors:write")?;
    let found = connectors::find_by_key(&api.app.db, caller.0.environment, &id).await?;
    let write: ConnectorWrite = parse_json(&api, &headers, &body)?;
    if write
        .provider
        .as_deref()
        .is_some_and(|p| p != found.model.provider)
    {
        return Err(Problem::from(app::error::AppError::Validation(
            "A connector's provider cannot change; create a new connector.".into(),
        )));
    }
    let provider = found.model.provider.clone();
    connectors::update(
        &api.app.db,
        &api.app.keyring,
        api.app.clock.as_ref(),
        caller.0.environment,
        found.model.id,
        input(write, provider),
        connectors::Changer::ApiKey,
    )
    .await
    .map_err(|e| match e {
        app::error::AppError::Forbidden => Problem::new(
            StatusCode::FORBIDDEN,
            "owner_required",
            "Owner required",
            Some(
                "Tenants are connected through this connector: its endpoint URLs can only be \
                 changed by the owner, in the dashboard, with the client secret."
                    .into(),
            ),
        ),
        e => e.into(),
    })?;
    Ok(Json(
        describe(&api, caller.0.environment, found.model.id).await?,
    ))
}

async fn set_enabled(
    api: &Api,
    environment: EnvironmentId,
    id: &str,
    enabled: bool,
) -> Result<Json<Connector>, Problem> {
    let found = connectors::find_by_key(&api.app.db, environment, id).await?;
    connectors::set_enabled(
        &api.app.db,
        api.app.clock.as_ref(),
        environment,
        found.model.id,
        enabled,
    )
    .await?;
    Ok(Json(describe(api, environment, found.model.id).await?))
}

/// Offer a connector to tenants again.
#[utoipa::path(post, path = "/api/v1/connectors/{id}/enable", tag = "connectors",
    params(("id" = String, Path, description = "Connector id or key")),
    responses(
        (status = 200, description = "Enabled", body = Connector),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn enable_connector(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Connector>, Problem> {
    caller.require("connectors:write")?;
    set_enabled(&api, caller.0.environment, &id, true).await
}

/// Stop offering a connector; existing connections stay.
#[utoipa::path(post, path = "/api/v1/connectors/{id}/disable", tag = "connectors",
    params(("id" = String, Path, description = "Connector id or key")),
    responses(
        (status = 200, description = "Disabled", body = Connector),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn disable_connector(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Connector>, Problem> {
    caller.require("connectors:write")?;
    set_enabled(&api, caller.0.environment, &id, false).await
}
