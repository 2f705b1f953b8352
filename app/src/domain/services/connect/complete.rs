//! The end of every successful attempt: checking the credentials with the provider, then storing
//! the connection and completing the link in one transaction.

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ConnectError, capture};
use crate::domain::AppState;
use crate::domain::crypto::Token;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connect_link, connection};
use crate::domain::ids::{ConnectorId, LinkId, TenantId};
use crate::domain::services::connections::{Credentials, credentials};
use crate::domain::services::links::{self, LinkContext};
use crate::domain::services::outbound::{self, OutboundError};
use crate::domain::services::{callbacks, events, exchange};
use crate::failure::{ProviderFailure, ProviderProblem};
use crate::types::EventType;

/// What the identity request told about the account.
#[derive(Debug, Default)]
pub(super) struct Identified {
    /// The account's name.
    pub label: Option<String>,
    /// The entry's identity captures.
    pub captured: BTreeMap<String, String>,
}

/// Runs the catalog's verification request (which must succeed) and identity lookup, returning
/// the account label and identity captures. Without a verification request the identity lookup
/// is the proof that the credentials work, so it must succeed too; otherwise it is best effort.
pub(super) async fn verify_and_identify(
    state: &AppState,
    ctx: &LinkContext,
    lookup: &(dyn Fn(&str) -> Option<String> + Sync),
    bearer: Option<&str>,
) -> Result<Identified, ConnectError> {
    let provider = &ctx.connector.provider;
    if let Some(verify) = &provider.verify {
        outbound::send(&state.http, verify, lookup, bearer, None)
            .await
            .map_err(|e| ConnectError::Provider(verification_failure(&e)))?;
    }
    let Some(identity) = &provider.identity else {
        return Ok(Identified::default());
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
        Ok(body) => Ok(Identified {
            label: outbound::pick_label(&body, &identity.pointer),
            captured: capture::from_json(&provider.capture.identity, &body),
        }),
        Err(e) if provider.verify.is_none() => {
            tracing::info!(provider = %provider.id, error = %e, "identity check failed");
            Err(ConnectError::Provider(verification_failure(&e)))
        }
        Err(e) => {
            tracing::info!(provider = %provider.id, error = %e, "identity lookup failed");
            Ok(Identified::default())
        }
    }
}

/// Why the verification request failed: 401 and 403 mean the provider refused the credentials.
fn verification_failure(e: &OutboundError) -> ProviderFailure {
    match e {
        OutboundError::Status(401 | 403) => {
            ProviderFailure::new(ProviderProblem::CredentialsRejected)
        }
        OutboundError::Status(status) => {
            ProviderFailure::with_detail(ProviderProblem::CheckFailed, &format!("HTTP {status}"))
        }
        OutboundError::Unreachable => ProviderFailure::new(ProviderProblem::Unreachable),
        OutboundError::MissingValue => {
            ProviderFailure::with_detail(ProviderProblem::CheckFailed, "missing value")
        }
        OutboundError::BadUrl => {
            ProviderFailure::with_detail(ProviderProblem::CheckFailed, "bad URL")
        }
        OutboundError::TooLarge => {
            ProviderFailure::with_detail(ProviderProblem::CheckFailed, "answer too large")
        }
    }
}

/// A stored connection and how the end user's browser should learn about it.
#[derive(Debug, Clone)]
pub struct Completed {
    /// The connection.
    pub connection: connection::Model,
    /// The link that completed it.
    pub link: connect_link::Model,
    /// The exchange code, when the link was minted with a `state`.
    pub exchange_code: Option<Token>,
}

impl Completed {
    /// The callback URL to send the browser to, with `status=success` (and `code` + `state`).
    pub fn callback_redirect(&self) -> Option<String> {
        let callback = self.link.callback_url.as_deref()?;
        let mut pairs = vec![("status", "success")];
        if let (Some(code), Some(state)) = (&self.exchange_code, &self.link.callback_state) {
            pairs.push(("code", code.expose()));
            pairs.push(("state", state));
        }
        callbacks::with_params(callback, &pairs)
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
    callbacks::with_params(callback, &pairs)
}

/// What a successful attempt produced, to be stored (in exchange-code mode: sealed, until the
/// code is redeemed).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The credentials.
    pub credentials: Credentials,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The account's name.
    pub account_label: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<OffsetDateTime>,
    /// The connection config: captured values.
    pub config: BTreeMap<String, String>,
    /// The provider-side account, when the entry names one.
    pub account_id: Option<String>,
}

impl Outcome {
    /// The account id the entry's `capture.account` names, from the captures or the fields.
    pub fn pinned_account(
        ctx: &LinkContext,
        config: &BTreeMap<String, String>,
        values: &BTreeMap<String, String>,
    ) -> Option<String> {
        let name = ctx.connector.provider.capture.account.as_ref()?;
        config.get(name).or_else(|| values.get(name)).cloned()
    }
}

/// Stores the connection and marks the link completed, in one transaction. For a single-use link
/// exactly one of several simultaneous completions succeeds; a reconnect keeps the connection's
/// id and replaces its credentials — unless it landed on another provider account than the one
/// the connection is pinned to and the link does not allow that: then nothing is changed and
/// `connection.account_mismatch` is announced.
///
/// A link minted with `state` (exchange-code mode) stores nothing usable: the outcome waits,
/// sealed, with a new exchange code, and a tenant without a connection gets one in
/// `pending_confirmation`; a live connection keeps its credentials. Nothing is announced until
/// the code is redeemed ([`exchange::confirm`]).
pub async fn complete(
    state: &AppState,
    ctx: &LinkContext,
    outcome: Outcome,
) -> Result<Completed, ConnectError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    // The claim writes first: on SQLite a transaction that read before writing can lose its
    // snapshot to a concurrent completion and fail instead of waiting.
    if !claim_link(&txn, ctx, now).await? {
        txn.rollback().await?;
        links::record_unusable(
            &state.db,
            state.clock.as_ref(),
            LinkId(ctx.link.id),
            ConnectorId(ctx.connector.model.id),
        )
        .await?;
        return Err(ConnectError::LinkUnavailable);
    }
    let existing = connection::Entity::find()
        .filter(connection::Column::TenantId.eq(ctx.tenant.id))
        .filter(connection::Column::ConnectorId.eq(ctx.connector.model.id))
        .one(&txn)
        .await?;
    if let Some(pinned) = account_change(ctx, existing.as_ref(), &outcome) {
        // Nothing of this attempt stays: the link is not used up, the connection not touched.
        txn.rollback().await?;
        links::record_account_mismatch(
            &state.db,
            state.clock.as_ref(),
            ctx,
            &pinned,
            outcome.account_id.as_deref().unwrap_or_default(),
        )
        .await?;
        return Err(ConnectError::AccountMismatch);
    }
    if ctx.link.callback_state.is_some() {
        let completed = hold_for_exchange(&txn, state, ctx, existing, &outcome, now).await?;
        txn.commit().await?;
        return Ok(completed);
    }
    let (model, event_type) = store_connection(
        &txn,
        state,
        TenantId(ctx.tenant.id),
        ConnectorId(ctx.connector.model.id),
        existing,
        outcome,
        now,
    )
    .await?;
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
        exchange_code: None,
    })
}

/// Exchange-code mode: the outcome waits, sealed, with a new code; a tenant without a
/// connection gets one in `pending_confirmation`. Inside the completing transaction.
async fn hold_for_exchange(
    txn: &impl ConnectionTrait,
    state: &AppState,
    ctx: &LinkContext,
    existing: Option<connection::Model>,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<Completed, ConnectError> {
    let model = match existing {
        Some(existing) => existing,
        None => insert_pending(txn, ctx, now).await?,
    };
    let pending = exchange::Pending {
        link_id: ctx.link.id,
        connection_id: model.id,
        tenant_id: ctx.tenant.id,
        connector_id: ctx.connector.model.id,
    };
    let code = exchange::issue(txn, state, pending, outcome).await?;
    tracing::info!(
        connection_id = %model.id,
        tenant_id = %ctx.tenant.id,
        connector = %ctx.connector.model.key,
        "connection pending until its exchange code is redeemed"
    );
    Ok(Completed {
        connection: model,
        link: ctx.link.clone(),
        exchange_code: Some(code),
    })
}

/// A connection that shows the tenant's completion waiting for confirmation: no credentials.
async fn insert_pending(
    txn: &impl ConnectionTrait,
    ctx: &LinkContext,
    now: OffsetDateTime,
) -> Result<connection::Model, ConnectError> {
    Ok(connection::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(ctx.tenant.id),
        connector_id: Set(ctx.connector.model.id),
        status: Set(ConnectionState::PendingConfirmation),
        credentials: Set(Vec::new()),
        scopes: Set("[]".to_owned()),
        account_label: Set(None),
        last_error: Set(None),
        expires_at: Set(None),
        connected_at: Set(now),
        updated_at: Set(now),
        refresh_claimed_until: Set(None),
        refresh_failures: Set(0),
        refreshed_at: Set(None),
        next_refresh_at: Set(None),
        refreshable: Set(false),
        config: Set("{}".to_owned()),
        account_id: Set(None),
        expiry_warned_for: Set(None),
        expiry_warned_days: Set(None),
    }
    .insert(txn)
    .await?)
}

/// Marks the link completed while it is still usable; `false` when it no longer is.
async fn claim_link(
    txn: &impl ConnectionTrait,
    ctx: &LinkContext,
    now: OffsetDateTime,
) -> Result<bool, ConnectError> {
    let claimed = connect_link::Entity::update_many()
        .col_expr(connect_link::Column::CompletedAt, Expr::value(now))
        .col_expr(
            connect_link::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(connect_link::Column::Id.eq(ctx.link.id))
        .filter(links::usable_condition(now))
        .exec(txn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// The account the tenant's connection is pinned to, when this outcome lands on another one
/// and the link does not allow the change. A disconnected connection is pinned to nothing.
fn account_change(
    ctx: &LinkContext,
    existing: Option<&connection::Model>,
    outcome: &Outcome,
) -> Option<String> {
    if ctx.link.allow_account_change {
        return None;
    }
    let new = outcome.account_id.as_ref()?;
    existing
        .filter(|c| c.status != ConnectionState::Disconnected)
        .and_then(|c| c.account_id.clone())
        .filter(|pinned| pinned != new)
}

/// Writes the tenant's connection to the connector: a new row, or the existing one (same id)
/// with new credentials. Returns it with the event that announces the change.
pub(crate) async fn store_connection(
    txn: &impl ConnectionTrait,
    state: &AppState,
    TenantId(tenant_id): TenantId,
    ConnectorId(connector_id): ConnectorId,
    existing: Option<connection::Model>,
    stored: Outcome,
    now: OffsetDateTime,
) -> Result<(connection::Model, EventType), ConnectError> {
    let id = existing.as_ref().map_or_else(Uuid::now_v7, |c| c.id);
    let event_type = match existing.as_ref().map(|c| c.status) {
        None | Some(ConnectionState::Disconnected | ConnectionState::PendingConfirmation) => {
            EventType::ConnectionCreated
        }
        Some(ConnectionState::Connected) => EventType::ConnectionUpdated,
        Some(_) => EventType::ConnectionRecovered,
    };
    let sealed = credentials::seal(&state.keyring, id, &stored.credentials)?;
    let scopes_json = serde_json::to_string(&stored.scopes).map_err(|_| ConnectError::Internal)?;
    let config_json = serde_json::to_string(&stored.config).map_err(|_| ConnectError::Internal)?;
    let refreshable = stored.credentials.refreshable();
    let model = match existing {
        Some(existing) => {
            let mut row: connection::ActiveModel = existing.into();
            row.status = Set(ConnectionState::Connected);
            row.credentials = Set(sealed);
            row.scopes = Set(scopes_json);
            row.account_label = Set(stored.account_label);
            row.last_error = Set(None);
            row.expires_at = Set(stored.expires_at);
            row.connected_at = Set(now);
            row.updated_at = Set(now);
            row.refresh_failures = Set(0);
            row.next_refresh_at = Set(None);
            row.refreshed_at = Set(None);
            row.refreshable = Set(refreshable);
            row.config = Set(config_json);
            if stored.account_id.is_some() {
                row.account_id = Set(stored.account_id);
            }
            row.update(txn).await?
        }
        None => {
            connection::ActiveModel {
                id: Set(id),
                tenant_id: Set(tenant_id),
                connector_id: Set(connector_id),
                status: Set(ConnectionState::Connected),
                credentials: Set(sealed),
                scopes: Set(scopes_json),
                account_label: Set(stored.account_label),
                last_error: Set(None),
                expires_at: Set(stored.expires_at),
                connected_at: Set(now),
                updated_at: Set(now),
                refresh_claimed_until: Set(None),
                refresh_failures: Set(0),
                refreshed_at: Set(None),
                next_refresh_at: Set(None),
                refreshable: Set(refreshable),
                config: Set(config_json),
                account_id: Set(stored.account_id),
                expiry_warned_for: Set(None),
                expiry_warned_days: Set(None),
            }
            .insert(txn)
            .await?
        }
    };
    Ok((model, event_type))
}
