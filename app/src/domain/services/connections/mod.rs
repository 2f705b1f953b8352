//! Connections after they exist: listing, metadata, health, disconnecting; their stored
//! [`credentials`]; and [`refresh`] of credentials whose access token is expired or about to
//! expire.

pub mod api;
pub mod credentials;
mod expiring;
mod on_demand;
mod refresh;
mod refresh_lock;

pub use credentials::{Credentials, open_credentials};
pub use expiring::{WARN_DAYS, announce_expiring};
pub use on_demand::{checked_credentials, force_refresh};
pub use refresh::{
    IDLE_REFRESH, MAX_REFRESH_FAILURES, REFRESH_MARGIN, fresh_credentials, refresh_ahead,
    refresh_due,
};
pub use refresh_lock::RefreshLocks;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::paging::{self, Page};
use super::{connectors, events};
use crate::domain::AppState;
use crate::domain::catalog::fill;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connection, exchange_code};
use crate::domain::ids::{ConnectorId, EnvironmentId, TenantId};
use crate::domain::oauth::OAuthApp;
use crate::error::AppError;
use crate::failure::ProviderFailure;
use crate::types::ConnectionStatus;
use crate::types::EventType;

/// Tokens that cannot be refreshed show "expires soon" this long before they expire.
pub const EXPIRES_SOON: Duration = Duration::days(7);

/// Filters of a connection listing.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Only this tenant's.
    pub tenant_id: Option<Uuid>,
    /// Only this connector's.
    pub connector_id: Option<Uuid>,
    /// Only with this state.
    pub status: Option<ConnectionState>,
}

/// One page of up to `limit` connections by id (creation order), after `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    filter: &ConnectionFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<connection::Model>, AppError> {
    let mut condition = Condition::all()
        .add(connection::Column::TenantId.in_subquery(super::tenants::ids_in(environment)));
    if let Some(t) = filter.tenant_id {
        condition = condition.add(connection::Column::TenantId.eq(t));
    }
    if let Some(c) = filter.connector_id {
        condition = condition.add(connection::Column::ConnectorId.eq(c));
    }
    if let Some(s) = &filter.status {
        condition = condition.add(connection::Column::Status.eq(*s));
    }
    if let Some(after) = after {
        condition = condition.add(connection::Column::Id.gt(after));
    }
    let rows = connection::Entity::find()
        .filter(condition)
        .order_by_asc(connection::Column::Id)
        .limit(paging::fetch_size(limit))
        .all(db)
        .await?;
    Ok(paging::page(rows, limit, |r| r.id))
}

/// A connection by id, whatever its environment: for work that reached it through a row of its
/// own environment already (workers, the end user's flow). Callers on behalf of an admin or an
/// API key use [`get`].
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<connection::Model, AppError> {
    connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A connection of `environment` by id; one of another environment is not found.
pub async fn get(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<connection::Model, AppError> {
    connection::Entity::find_by_id(id)
        .filter(connection::Column::TenantId.in_subquery(super::tenants::ids_in(environment)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// How the admin should see a connection now.
pub fn health(model: &connection::Model, now: OffsetDateTime) -> ConnectionStatus {
    match model.status {
        ConnectionState::Disconnected => ConnectionStatus::Disconnected,
        ConnectionState::NeedsReauth => ConnectionStatus::NeedsReauth,
        ConnectionState::Error => ConnectionStatus::Error,
        ConnectionState::PendingConfirmation => ConnectionStatus::PendingConfirmation,
        ConnectionState::Connected => match model.expires_at {
            Some(t) if !model.refreshable && t <= now => ConnectionStatus::NeedsReauth,
            Some(t) if !model.refreshable && t <= now + EXPIRES_SOON => {
                ConnectionStatus::ExpiresSoon
            }
            _ => ConnectionStatus::Connected,
        },
    }
}

/// Why fresh credentials could not be handed out. The REST problem documents put these into
/// words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// Not found.
    #[error("not_found")]
    NotFound,
    /// The connection was disconnected; its credentials are deleted.
    #[error("disconnected")]
    Disconnected,
    /// The connection waits for its exchange code to be redeemed; nothing is usable yet.
    #[error("pending_confirmation")]
    PendingConfirmation,
    /// The provider refused the refresh token: the tenant must reconnect.
    #[error("needs_reauth")]
    NeedsReauth,
    /// The provider could not be reached or answered with an error; the old credentials stay.
    #[error("provider_unavailable ({0})")]
    Unavailable(ProviderFailure),
    /// The access token is expired and there is no refresh token.
    #[error("expired")]
    Expired,
    /// A refresh was asked for, but the provider issued no refresh token.
    #[error("not_refreshable")]
    NotRefreshable,
    /// Something failed on our side.
    #[error("internal")]
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

/// Disconnects: revokes the token at the provider when the catalog names a revocation endpoint
/// (best effort: a provider that is down does not keep the admin from disconnecting), then
/// deletes the credentials and announces `connection.deleted`. The row stays, marked
/// `disconnected`, so that a later reconnect keeps its id. Disconnecting twice is not an error.
pub async fn disconnect(
    state: &AppState,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(), AppError> {
    let model = get(&state.db, environment, id).await?;
    if model.status == ConnectionState::Disconnected {
        return Ok(());
    }
    if model.status == ConnectionState::PendingConfirmation {
        // Never announced and holding nothing: it goes, and so do the codes waiting on it.
        connection::Entity::delete_by_id(id).exec(&state.db).await?;
        tracing::info!(connection_id = %id, "pending connection removed");
        return Ok(());
    }
    if let Ok(credentials) = open_credentials(state, &model) {
        revoke_at_provider(state, model.connector_id, model.id, credentials).await;
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let changed = connection::Entity::update_many()
        .col_expr(
            connection::Column::Status,
            Expr::value(ConnectionState::Disconnected),
        )
        .col_expr(
            connection::Column::Credentials,
            Expr::value(Vec::<u8>::new()),
        )
        .col_expr(connection::Column::Scopes, Expr::value("[]"))
        .col_expr(
            connection::Column::ExpiresAt,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(
            connection::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(connection::Column::Refreshable, Expr::value(false))
        .col_expr(connection::Column::RefreshFailures, Expr::value(0))
        .col_expr(
            connection::Column::NextRefreshAt,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(connection::Column::UpdatedAt, Expr::value(now))
        .filter(connection::Column::Id.eq(id))
        .filter(connection::Column::Status.ne(ConnectionState::Disconnected))
        .exec(&txn)
        .await?;
    // A completion still waiting for its exchange code must not bring the connection back.
    exchange_code::Entity::update_many()
        .col_expr(exchange_code::Column::DiscardedAt, Expr::value(now))
        .col_expr(
            exchange_code::Column::Pending,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(exchange_code::Column::ConnectionId.eq(id))
        .filter(exchange_code::Column::RedeemedAt.is_null())
        .filter(exchange_code::Column::DiscardedAt.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected == 1 {
        let updated = by_id(&txn, id).await?;
        let subject = events::Subject::of_connection(&txn, &updated).await?;
        events::emit(&txn, now, EventType::ConnectionDeleted, &subject).await?;
    }
    txn.commit().await?;
    tracing::info!(connection_id = %id, "connection disconnected");
    Ok(())
}

/// The connection of one tenant and connector, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: TenantId,
    connector_id: ConnectorId,
) -> Result<connection::Model, AppError> {
    connection::Entity::find()
        .filter(connection::Column::TenantId.eq(tenant_id))
        .filter(connection::Column::ConnectorId.eq(connector_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Revocation of the refresh token (which revokes its access tokens too) or, without one, the
/// access token: RFC 7009 unless the entry shapes it otherwise. Failures are logged, never
/// raised.
pub(crate) async fn revoke_at_provider(
    state: &AppState,
    connector_id: Uuid,
    connection_id: Uuid,
    credentials: Credentials,
) {
    let Credentials::OAuth2 {
        access_token,
        refresh_token,
        values,
        ..
    } = credentials
    else {
        return;
    };
    let Ok(connector) = connectors::by_id(&state.db, connector_id).await else {
        return;
    };
    let Some(spec) = connector.provider.oauth2.as_ref() else {
        return;
    };
    let Some(template) = spec.revocation_url.as_deref() else {
        return;
    };
    let Some(url) = fill(template, |name| values.get(name).cloned()) else {
        return;
    };
    let Ok(app) = OAuthApp::of(&connector, &state.keyring) else {
        return;
    };
    let Ok(request) = app.revocation_request(
        &state.http,
        &spec.revocation,
        &url,
        &access_token,
        refresh_token.as_deref(),
    ) else {
        tracing::warn!(connection_id = %connection_id, "the revocation URL is not valid");
        return;
    };
    match request.send().await {
        Ok(r) if r.status().is_success() => {
            tracing::info!(connection_id = %connection_id, "token revoked at the provider");
        }
        Ok(r) => {
            tracing::warn!(connection_id = %connection_id, status = r.status().as_u16(), "the provider refused the token revocation");
        }
        Err(e) => {
            tracing::warn!(connection_id = %connection_id, timeout = e.is_timeout(), "token revocation failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn model(now: OffsetDateTime) -> connection::Model {
        connection::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            connector_id: Uuid::nil(),
            status: ConnectionState::Connected,
            credentials: Vec::new(),
            scopes: "[]".to_owned(),
            account_label: None,
            last_error: None,
            expires_at: None,
            connected_at: now,
            updated_at: now,
            refresh_claimed_until: None,
            refresh_failures: 0,
            refreshed_at: None,
            next_refresh_at: None,
            refreshable: true,
            config: "{}".to_owned(),
            account_id: None,
            expiry_warned_for: None,
            expiry_warned_days: None,
        }
    }

    pub(super) fn oauth(expires_at: Option<OffsetDateTime>, refresh: bool) -> Credentials {
        Credentials::OAuth2 {
            access_token: "at".into(),
            refresh_token: refresh.then(|| "rt".to_owned()),
            token_type: "Bearer".into(),
            expires_at,
            scopes: Vec::new(),
            values: std::collections::BTreeMap::new(),
            raw: serde_json::Map::new(),
        }
    }

    #[test]
    fn health_shows_what_the_admin_must_do() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut m = model(now);
        assert_eq!(health(&m, now), ConnectionStatus::Connected);
        m.refreshable = false;
        m.expires_at = Some(now + Duration::days(3));
        assert_eq!(health(&m, now), ConnectionStatus::ExpiresSoon);
        m.expires_at = Some(now - Duration::minutes(1));
        assert_eq!(health(&m, now), ConnectionStatus::NeedsReauth);
        m.expires_at = Some(now + Duration::days(30));
        assert_eq!(health(&m, now), ConnectionStatus::Connected);
        m.status = ConnectionState::Error;
        assert_eq!(health(&m, now), ConnectionStatus::Error);
        m.status = ConnectionState::Disconnected;
        assert_eq!(health(&m, now), ConnectionStatus::Disconnected);
    }
}
