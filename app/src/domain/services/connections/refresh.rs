//! Refresh of OAuth tokens: by a reader that needs fresh credentials, or ahead of time by the
//! refresh worker. One refresh per connection at a time, within this process (a lock per
//! connection) and across instances (a claim on the row).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::refresh_lock::{claim, release};
use super::{Credentials, CredentialsError, by_id, credentials, open_credentials};
use crate::domain::AppState;
use crate::domain::catalog::OAuth2Spec;
use crate::domain::catalog::fill;
use crate::domain::entities::connection;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::oauth::{Grant, OAuthApp, TokenFailure, Tokens};
use crate::domain::services::{connectors, events};
use crate::error::AppError;
use crate::failure::{ProviderFailure, ProviderProblem};
use crate::text;
use crate::types::EventType;

/// An access token expiring within this margin is refreshed before it is handed out.
pub const REFRESH_MARGIN: Duration = Duration::seconds(60);
/// Tokens are refreshed at least this often, for providers that revoke idle refresh tokens.
pub const IDLE_REFRESH: Duration = Duration::days(1);
/// After this many refresh failures in a row the connection needs reauthorisation.
pub const MAX_REFRESH_FAILURES: i32 = 5;
/// Delay before the worker retries a failed refresh: 1, 2, 4, 8 minutes … at most an hour.
fn refresh_backoff(failures: i32) -> Duration {
    let exp = u32::try_from(failures.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes(2i64.pow(exp)).min(Duration::hours(1))
}
/// How often a server waiting for another one's refresh looks again.
const CLAIM_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Who needs the token refreshed, which decides when it is due.
#[derive(Debug, Clone)]
pub(super) enum Need {
    /// A reader: due when expired or expiring within [`REFRESH_MARGIN`].
    Read,
    /// The worker: due when expiring within `margin`, or not refreshed for a day.
    Ahead { margin: Duration },
    /// A caller saw the provider reject this access token: due while it is still the stored
    /// one, so that callers at the same time share one refresh.
    Replace { rejected: String },
}

fn due(
    need: &Need,
    model: &connection::Model,
    credentials: &Credentials,
    now: OffsetDateTime,
) -> bool {
    let expiring = |margin: Duration| {
        matches!(
            credentials,
            Credentials::OAuth2 { expires_at: Some(t), .. } if *t - margin <= now
        )
    };
    match need {
        Need::Read => expiring(REFRESH_MARGIN),
        Need::Replace { rejected } => matches!(
            credentials,
            Credentials::OAuth2 { access_token, refresh_token: Some(_), .. } if access_token == rejected
        ),
        Need::Ahead { margin } => {
            let has_refresh_token = matches!(
                credentials,
                Credentials::OAuth2 {
                    refresh_token: Some(_),
                    ..
                }
            );
            let idle = model.refreshed_at.unwrap_or(model.connected_at) + IDLE_REFRESH <= now;
            let waiting = model.next_refresh_at.is_some_and(|t| t > now);
            has_refresh_token && !waiting && (expiring(*margin) || idle)
        }
    }
}

/// The connection and its credentials, refreshed first when the access token is expired or
/// expires within [`REFRESH_MARGIN`]. Many simultaneous callers share one refresh.
pub async fn fresh_credentials(
    state: &AppState,
    id: Uuid,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    ensure_fresh(state, id, Need::Read).await
}

/// Refreshes one connection's token ahead of time when it expires within `margin` or was not
/// refreshed for a day. `Ok(true)` when a refresh succeeded.
pub async fn refresh_ahead(
    state: &AppState,
    id: Uuid,
    margin: Duration,
) -> Result<bool, CredentialsError> {
    let before = by_id(&state.db, id).await?;
    let (after, _) = ensure_fresh(state, id, Need::Ahead { margin }).await?;
    Ok(after.refreshed_at != before.refreshed_at)
}

/// Refreshes every connection whose token is due (see [`refresh_ahead`]), at most `limit` per
/// call. Returns how many refreshes were attempted. Failures are recorded on the connections.
pub async fn refresh_due(
    state: &AppState,
    margin: Duration,
    limit: u64,
) -> Result<usize, AppError> {
    let now = state.clock.now();
    let candidates: Vec<Uuid> = connection::Entity::find()
        .select_only()
        .column(connection::Column::Id)
        .filter(connection::Column::Refreshable.eq(true))
        .filter(
            connection::Column::Status.is_in([ConnectionState::Connected, ConnectionState::Error]),
        )
        .filter(
            Condition::any()
                .add(connection::Column::NextRefreshAt.is_null())
                .add(connection::Column::NextRefreshAt.lte(now)),
        )
        .filter(
            Condition::any()
                .add(connection::Column::ExpiresAt.lte(now + margin))
                .add(connection::Column::RefreshedAt.lte(now - IDLE_REFRESH))
                .add(
                    Condition::all()
                        .add(connection::Column::RefreshedAt.is_null())
                        .add(connection::Column::ConnectedAt.lte(now - IDLE_REFRESH)),
                ),
        )
        .order_by_asc(connection::Column::ExpiresAt)
        .limit(limit)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut attempted = 0;
    for id in candidates {
        attempted += 1;
        match refresh_ahead(state, id, margin).await {
            Ok(_) => {}
            Err(CredentialsError::Internal) => {
                tracing::warn!(connection_id = %id, "refresh could not run");
            }
            Err(e) => tracing::debug!(connection_id = %id, reason = %e, "refresh not done"),
        }
    }
    Ok(attempted)
}

pub(super) async fn ensure_fresh(
    state: &AppState,
    id: Uuid,
    need: Need,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let model = usable(by_id(&state.db, id).await?)?;
    let credentials = open_credentials(state, &model)?;
    if !due(&need, &model, &credentials, state.clock.now()) {
        return Ok((model, credentials));
    }
    let lock = state.refresh_locks.get(id);
    let _guard = lock.lock().await;
    loop {
        // Whoever held the lock (or another server) may have refreshed meanwhile.
        let model = usable(by_id(&state.db, id).await?)?;
        let credentials = open_credentials(state, &model)?;
        let now = state.clock.now();
        if !due(&need, &model, &credentials, now) {
            return Ok((model, credentials));
        }
        if claim(&state.db, id, now).await? {
            return detached_refresh(state, model, credentials).await;
        }
        tokio::time::sleep(CLAIM_POLL).await;
    }
}

/// Runs a claimed refresh as its own task, so that it completes and is saved even when the
/// caller is cancelled (its HTTP client went away) or the process is shutting down: once the
/// provider has answered, a rotated refresh token exists nowhere else. A panic in it is
/// contained to it.
async fn detached_refresh(
    state: &AppState,
    model: connection::Model,
    credentials: Credentials,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let id = model.id;
    let task_state = state.clone();
    let task = state.background.spawn(async move {
        let result = refresh(&task_state, &model, credentials).await;
        release(&task_state.db, model.id).await?;
        result
    });
    task.await.unwrap_or_else(|e| {
        tracing::error!(connection_id = %id, panicked = e.is_panic(), "token refresh task failed");
        Err(CredentialsError::Internal)
    })
}

pub(super) fn usable(model: connection::Model) -> Result<connection::Model, CredentialsError> {
    match model.status {
        ConnectionState::Disconnected => Err(CredentialsError::Disconnected),
        ConnectionState::NeedsReauth => Err(CredentialsError::NeedsReauth),
        ConnectionState::PendingConfirmation => Err(CredentialsError::PendingConfirmation),
        ConnectionState::Connected | ConnectionState::Error => Ok(model),
    }
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
    let (spec, result) = request_refresh(state, model, &values, &refresh_token).await?;
    let now = state.clock.now();
    let tokens = match result {
        Ok(tokens) => tokens,
        Err(e) => return Err(refresh_failed(state, model, now, e).await),
    };
    let expires_at = tokens.expires_at(&spec, now);
    let mut extra = raw;
    extra.extend(tokens.raw);
    let fresh = Credentials::OAuth2 {
        access_token: tokens.access_token,
        // Providers that do not rotate refresh tokens omit them: keep the one we have.
        refresh_token: Some(tokens.refresh_token.unwrap_or(refresh_token)),
        // A refresh answer without a type keeps the type of the first one.
        token_type: if tokens.token_type == "bearer" && !token_type.is_empty() {
            token_type
        } else {
            tokens.token_type
        },
        expires_at,
        scopes: tokens.scopes.unwrap_or(scopes),
        values,
        raw: extra,
    };
    let updated = store_refreshed(state, model, &fresh, now).await?;
    tracing::info!(connection_id = %model.id, "access token refreshed");
    Ok((updated, fresh))
}

/// Asks the connector's token endpoint (filled in with the flow's values) for new tokens. The
/// outer error is ours; the inner one the provider's answer.
async fn request_refresh(
    state: &AppState,
    model: &connection::Model,
    values: &std::collections::BTreeMap<String, String>,
    refresh_token: &str,
) -> Result<(OAuth2Spec, Result<Tokens, TokenFailure>), CredentialsError> {
    let connector = connectors::by_id(&state.db, model.connector_id).await?;
    let spec = connector
        .provider
        .oauth2
        .clone()
        .ok_or(CredentialsError::Internal)?;
    let token_url = fill(&spec.token_url, |name| values.get(name).cloned())
        .ok_or(CredentialsError::Internal)?;
    let result = OAuthApp::of(&connector, &state.keyring)?
        .request_tokens(
            &state.http,
            &spec,
            &token_url,
            Grant::Refresh { refresh_token },
        )
        .await;
    Ok((spec, result))
}

/// Records why a refresh failed and answers with the error the caller sees: `invalid_grant`
/// means the tenant must reconnect; anything else may pass, until too many failures in a row.
async fn refresh_failed(
    state: &AppState,
    model: &connection::Model,
    now: OffsetDateTime,
    error: TokenFailure,
) -> CredentialsError {
    if error.is_final() {
        tracing::info!(connection_id = %model.id, "refresh token refused");
        let code = match &error {
            TokenFailure::Refused(code) => code.as_str(),
            _ => "invalid_grant",
        };
        let failure = ProviderFailure::with_detail(ProviderProblem::RefreshRefused, code);
        return match record_failure(state, model, now, "invalid_grant", &failure, true).await {
            Ok(_) => CredentialsError::NeedsReauth,
            Err(e) => e,
        };
    }
    let failure = error.failure();
    tracing::info!(connection_id = %model.id, reason = %failure, "token refresh failed");
    match record_failure(state, model, now, "provider_unavailable", &failure, false).await {
        Ok(true) => CredentialsError::NeedsReauth,
        Ok(false) => CredentialsError::Unavailable(failure),
        Err(e) => e,
    }
}

/// Stores refreshed credentials and clears the failure state, announcing a recovery when the
/// connection was in error.
async fn store_refreshed(
    state: &AppState,
    model: &connection::Model,
    fresh: &Credentials,
    now: OffsetDateTime,
) -> Result<connection::Model, CredentialsError> {
    let (scopes, expires_at) = match fresh {
        Credentials::OAuth2 {
            scopes, expires_at, ..
        } => (scopes.as_slice(), *expires_at),
        Credentials::Fields { .. } => (&[][..], None),
    };
    let sealed = credentials::seal(&state.keyring, model.id, fresh)?;
    let scopes = serde_json::to_string(scopes).map_err(|_| CredentialsError::Internal)?;
    let txn = state.db.begin().await?;
    connection::Entity::update_many()
        .col_expr(connection::Column::Credentials, Expr::value(sealed))
        .col_expr(connection::Column::Scopes, Expr::value(scopes))
        .col_expr(connection::Column::ExpiresAt, Expr::value(expires_at))
        .col_expr(
            connection::Column::Status,
            Expr::value(ConnectionState::Connected),
        )
        .col_expr(
            connection::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(connection::Column::RefreshFailures, Expr::value(0))
        .col_expr(
            connection::Column::NextRefreshAt,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(connection::Column::RefreshedAt, Expr::value(now))
        .col_expr(
            connection::Column::Refreshable,
            Expr::value(fresh.refreshable()),
        )
        .col_expr(connection::Column::UpdatedAt, Expr::value(now))
        .filter(connection::Column::Id.eq(model.id))
        .exec(&txn)
        .await?;
    let updated = by_id(&txn, model.id).await?;
    if model.status != ConnectionState::Connected {
        let subject = events::Subject::of_connection(&txn, &updated).await?;
        events::emit(&txn, now, EventType::ConnectionRecovered, &subject).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Records a failed refresh: `needs_reauth` when the provider refused the refresh token
/// (`final_`) or after [`MAX_REFRESH_FAILURES`] failures in a row, otherwise `error` with a
/// backoff before the worker tries again. Announces `connection.refresh_failed` when the status
/// changes. Returns whether the connection now needs reauthorisation.
async fn record_failure(
    state: &AppState,
    model: &connection::Model,
    now: OffsetDateTime,
    code: &str,
    failure: &ProviderFailure,
    final_: bool,
) -> Result<bool, CredentialsError> {
    let failures = model.refresh_failures.saturating_add(1);
    let gave_up = final_ || failures >= MAX_REFRESH_FAILURES;
    let status = if gave_up {
        ConnectionState::NeedsReauth
    } else {
        ConnectionState::Error
    };
    let txn = state.db.begin().await?;
    connection::Entity::update_many()
        .col_expr(connection::Column::Status, Expr::value(status))
        .col_expr(connection::Column::LastError, Expr::value(failure.stored()))
        .col_expr(connection::Column::RefreshFailures, Expr::value(failures))
        .col_expr(
            connection::Column::NextRefreshAt,
            Expr::value(now + refresh_backoff(failures)),
        )
        .col_expr(connection::Column::UpdatedAt, Expr::value(now))
        .filter(connection::Column::Id.eq(model.id))
        .exec(&txn)
        .await?;
    if model.status != status {
        let updated = by_id(&txn, model.id).await?;
        let subject = events::Subject::of_connection(&txn, &updated)
            .await?
            .with_error(code, &text::provider_failure(failure));
        events::emit(&txn, now, EventType::ConnectionRefreshFailed, &subject).await?;
    }
    txn.commit().await?;
    Ok(gave_up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::services::connections::tests::{model, oauth};

    #[test]
    fn the_worker_refreshes_ahead_of_expiry_and_at_least_daily() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let ahead = Need::Ahead {
            margin: Duration::minutes(10),
        };
        let mut m = model(now - Duration::hours(2));
        // Far from expiry, refreshed recently: not due; close to expiry: due.
        assert!(!due(
            &ahead,
            &m,
            &oauth(Some(now + Duration::hours(1)), true),
            now
        ));
        assert!(due(
            &ahead,
            &m,
            &oauth(Some(now + Duration::minutes(5)), true),
            now
        ));
        // A token that never expires is still refreshed once a day.
        assert!(!due(&ahead, &m, &oauth(None, true), now));
        m.connected_at = now - Duration::hours(25);
        assert!(due(&ahead, &m, &oauth(None, true), now));
        m.refreshed_at = Some(now - Duration::hours(2));
        assert!(!due(&ahead, &m, &oauth(None, true), now));
        // Nothing to refresh with, or backing off after a failure: not due.
        assert!(!due(&ahead, &m, &oauth(Some(now), false), now));
        m.next_refresh_at = Some(now + Duration::minutes(4));
        assert!(!due(&ahead, &m, &oauth(Some(now), true), now));
        // Readers only care about expiry.
        assert!(!due(
            &Need::Read,
            &m,
            &oauth(Some(now + Duration::minutes(5)), true),
            now
        ));
        assert!(due(
            &Need::Read,
            &m,
            &oauth(Some(now + Duration::seconds(30)), true),
            now
        ));
        // A caller that saw a token rejected: due while that token is the stored one.
        let rejected = Need::Replace {
            rejected: "at".into(),
        };
        assert!(due(&rejected, &m, &oauth(None, true), now));
        assert!(!due(&rejected, &m, &oauth(None, false), now));
        let other = Need::Replace {
            rejected: "older".into(),
        };
        assert!(!due(&other, &m, &oauth(None, true), now));
    }
}
