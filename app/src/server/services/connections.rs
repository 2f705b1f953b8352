//! Connections as the admin's backend reads them: listing, metadata, and credentials that are
//! refreshed first when their access token is expired or about to expire — one refresh per
//! connection at a time, within this process (a lock per connection) and across instances (a
//! claim on the row).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RefreshToken, RequestTokenError,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use secrecy::ExposeSecret;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::connect::{Credentials, STATUS_CONNECTED, STATUS_ERROR, TokenResp, open_credentials};
use super::connectors;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::catalog::{TokenAuth, fill};
use crate::server::crypto::Aad;
use crate::server::entities::connection;

/// An access token expiring within this margin is refreshed before it is handed out.
pub const REFRESH_MARGIN: Duration = Duration::seconds(60);
/// How long one server holds the right to refresh a connection.
const CLAIM_LIFETIME: Duration = Duration::seconds(30);
/// How often a server waiting for another one's refresh looks again.
const CLAIM_POLL: std::time::Duration = std::time::Duration::from_millis(100);

type RefreshClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// One async lock per connection being refreshed in this process; entries vanish with their
/// last user.
#[derive(Default)]
pub struct RefreshLocks(Mutex<HashMap<Uuid, Weak<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    fn get(&self, id: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lock) = map.get(&id).and_then(Weak::upgrade) {
            return lock;
        }
        map.retain(|_, weak| weak.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(id, Arc::downgrade(&lock));
        lock
    }
}

/// Filters of a connection listing.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Only this tenant's.
    pub tenant_id: Option<Uuid>,
    /// Only this connector's.
    pub connector_id: Option<Uuid>,
    /// Only with this status.
    pub status: Option<String>,
}

/// One page of connections by id (creation order), after `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ConnectionFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<connection::Model>, AppError> {
    let mut condition = Condition::all();
    if let Some(t) = filter.tenant_id {
        condition = condition.add(connection::Column::TenantId.eq(t));
    }
    if let Some(c) = filter.connector_id {
        condition = condition.add(connection::Column::ConnectorId.eq(c));
    }
    if let Some(s) = &filter.status {
        condition = condition.add(connection::Column::Status.eq(s.as_str()));
    }
    if let Some(after) = after {
        condition = condition.add(connection::Column::Id.gt(after));
    }
    Ok(connection::Entity::find()
        .filter(condition)
        .order_by_asc(connection::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A connection by id.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<connection::Model, AppError> {
    connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Why fresh credentials could not be handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// Not found.
    #[error("not found")]
    NotFound,
    /// The provider refused the refresh token: the tenant must reconnect.
    #[error("The provider refused the refresh token; the tenant must reconnect.")]
    NeedsReauth,
    /// The provider could not be reached or answered with an error; the old credentials stay.
    #[error("The provider could not refresh the token right now: {0}")]
    Unavailable(String),
    /// The access token is expired and there is no refresh token.
    #[error(
        "The access token has expired and the provider issued no refresh token; the tenant must reconnect."
    )]
    Expired,
    /// Something failed on our side.
    #[error("internal error")]
    Internal,
}

impl From<AppError> for CredentialsError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => CredentialsError::NotFound,
            _ => CredentialsError::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for CredentialsError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}

fn due(credentials: &Credentials, now: OffsetDateTime) -> bool {
    matches!(
        credentials,
        Credentials::OAuth2 { expires_at: Some(t), .. } if *t - REFRESH_MARGIN <= now
    )
}

/// The connection and its credentials, refreshed first when the access token is expired or
/// expires within [`REFRESH_MARGIN`]. Many simultaneous callers share one refresh.
pub async fn fresh_credentials(
    state: &AppState,
    id: Uuid,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let model = get(&state.db, id).await?;
    let credentials = open_credentials(state, &model)?;
    if !due(&credentials, state.clock.now()) {
        return Ok((model, credentials));
    }
    let lock = state.refresh_locks.get(id);
    let _guard = lock.lock().await;
    loop {
        // Whoever held the lock (or another server) may have refreshed meanwhile.
        let model = get(&state.db, id).await?;
        let credentials = open_credentials(state, &model)?;
        let now = state.clock.now();
        if !due(&credentials, now) {
            return Ok((model, credentials));
        }
        if claim(&state.db, id, now).await? {
            let result = refresh(state, &model, credentials).await;
            release(&state.db, id).await?;
            return result;
        }
        tokio::time::sleep(CLAIM_POLL).await;
    }
}

async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, CredentialsError> {
    let claimed = connection::Entity::update_many()
        .col_expr(
            connection::Column::RefreshClaimedUntil,
            Expr::value(now + CLAIM_LIFETIME),
        )
        .filter(connection::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(connection::Column::RefreshClaimedUntil.is_null())
                .add(connection::Column::RefreshClaimedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

async fn release(db: &impl ConnectionTrait, id: Uuid) -> Result<(), CredentialsError> {
    connection::Entity::update_many()
        .col_expr(
            connection::Column::RefreshClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .filter(connection::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Refreshes the access token at the connector's token endpoint and stores the new tokens (and a
/// rotated refresh token) in one update.
async fn refresh(
    state: &AppState,
    model: &connection::Model,
    credentials: Credentials,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let Credentials::OAuth2 {
        refresh_token,
        values,
        scopes,
        raw,
        token_type,
        ..
    } = credentials
    else {
        return Err(CredentialsError::Internal);
    };
    let Some(refresh_token) = refresh_token else {
        return Err(CredentialsError::Expired);
    };
    let connector = connectors::get(&state.db, model.connector_id).await?;
    let spec = connector
        .provider
        .oauth2
        .as_ref()
        .ok_or(CredentialsError::Internal)?;
    let token_url = fill(&spec.token_url, |name| values.get(name).cloned())
        .ok_or(CredentialsError::Internal)?;
    let client_id = connector
        .model
        .client_id
        .clone()
        .ok_or(CredentialsError::Internal)?;
    let mut client: RefreshClient = oauth2::Client::new(ClientId::new(client_id))
        .set_token_uri(TokenUrl::new(token_url).map_err(|_| CredentialsError::Internal)?)
        .set_auth_type(match spec.token_auth {
            TokenAuth::Basic => AuthType::BasicAuth,
            TokenAuth::RequestBody => AuthType::RequestBody,
        });
    if let Some(secret) = connector.client_secret(&state.keyring)? {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    let result = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.clone()))
        .request_async(&state.http)
        .await;
    let now = state.clock.now();
    let token = match result {
        Ok(token) => token,
        Err(RequestTokenError::ServerResponse(r))
            if matches!(
                r.error(),
                oauth2::basic::BasicErrorResponseType::InvalidGrant
            ) =>
        {
            tracing::info!(connection_id = %model.id, "refresh token refused (invalid_grant)");
            mark_error(
                &state.db,
                model.id,
                now,
                "The provider refused the refresh token; reconnect needed.",
            )
            .await?;
            return Err(CredentialsError::NeedsReauth);
        }
        Err(e) => {
            let reason = match &e {
                RequestTokenError::ServerResponse(r) => format!("error {}", r.error().as_ref()),
                RequestTokenError::Request(_) => "no answer in time".to_owned(),
                RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) => {
                    "an answer that could not be understood".to_owned()
                }
            };
            tracing::info!(connection_id = %model.id, %reason, "token refresh failed");
            return Err(CredentialsError::Unavailable(reason));
        }
    };

    let expires_at = token
        .expires_in()
        .and_then(|d| Duration::try_from(d).ok())
        .map(|d| now + d);
    let scopes = token
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .unwrap_or(scopes);
    let mut extra = raw;
    for (k, v) in &token.extra_fields().0 {
        extra.insert(k.clone(), v.clone());
    }
    let fresh = Credentials::OAuth2 {
        access_token: token.access_token().secret().clone(),
        // Providers that do not rotate refresh tokens omit them: keep the one we have.
        refresh_token: Some(
            token
                .refresh_token()
                .map_or(refresh_token, |t| t.secret().clone()),
        ),
        token_type: if token.token_type().as_ref().is_empty() {
            token_type
        } else {
            token.token_type().as_ref().to_owned()
        },
        expires_at,
        scopes: scopes.clone(),
        values,
        raw: extra,
    };
    let plaintext = zeroize::Zeroizing::new(
        serde_json::to_vec(&fresh).map_err(|_| CredentialsError::Internal)?,
    );
    let sealed = state
        .keyring
        .seal(
            &plaintext,
            Aad {
                table: "connections",
                column: "credentials",
                row_id: &model.id.to_string(),
            },
        )
        .map_err(|_| CredentialsError::Internal)?;
    connection::Entity::update_many()
        .col_expr(connection::Column::Credentials, Expr::value(sealed))
        .col_expr(
            connection::Column::Scopes,
            Expr::value(serde_json::to_string(&scopes).map_err(|_| CredentialsError::Internal)?),
        )
        .col_expr(connection::Column::ExpiresAt, Expr::value(expires_at))
        .col_expr(connection::Column::Status, Expr::value(STATUS_CONNECTED))
        .col_expr(
            connection::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(connection::Column::UpdatedAt, Expr::value(now))
        .filter(connection::Column::Id.eq(model.id))
        .exec(&state.db)
        .await?;
    tracing::info!(connection_id = %model.id, "access token refreshed");
    let model = get(&state.db, model.id).await?;
    Ok((model, fresh))
}

async fn mark_error(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: OffsetDateTime,
    message: &str,
) -> Result<(), CredentialsError> {
    connection::Entity::update_many()
        .col_expr(connection::Column::Status, Expr::value(STATUS_ERROR))
        .col_expr(connection::Column::LastError, Expr::value(message))
        .col_expr(connection::Column::UpdatedAt, Expr::value(now))
        .filter(connection::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
