//! Exchange-code mode: a link minted with `state` completes into a *pending* connection. The end
//! user's browser is sent to the callback URL with a single-use code; only when the admin's
//! backend redeems it ([`confirm`]) are the credentials stored on the connection and the
//! connection announced. Until then they wait on the code's row, sealed; a code left to expire
//! has them discarded and revoked at the provider ([`discard_expired`]).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::domain::AppState;
use crate::domain::crypto::{Aad, Keyring, Token, TokenHash, new_token, token_hash};
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connect_link, connection, connector, exchange_code, tenant};
use crate::domain::ids::{ConnectorId, EnvironmentId, TenantId};
use crate::domain::services::connect::{Outcome, store_connection};
use crate::domain::services::connections::{self, revoke_at_provider};
use crate::domain::services::{events, tenants};
use crate::error::AppError;
use crate::types::EventType;

/// How long a code can be redeemed.
pub const CODE_LIFETIME: time::Duration = time::Duration::minutes(5);

/// The `connection.failed` error code of a completion whose code was never redeemed.
pub const EXPIRED_CODE: &str = "exchange_expired";

/// Why a code was not redeemed. Unknown, expired and reused codes get the same answer; a reused
/// one is also a sign that the callback URL leaked, so it is told apart for the audit log.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The code is unknown or expired.
    #[error("invalid_grant")]
    Invalid,
    /// The code was already redeemed (the link it completed is named for the audit log).
    #[error("invalid_grant (reused)")]
    Reused {
        /// The link the code completed.
        link_id: Uuid,
    },
    /// Something failed on our side.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sea_orm::DbErr> for ExchangeError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::App(e.into())
    }
}

/// What a redeemed code stood for.
#[derive(Debug, Clone)]
pub struct Confirmed {
    /// The connection, now live.
    pub connection: connection::Model,
    /// The link that was completed.
    pub link_id: Uuid,
}

/// The connection a completion in exchange-code mode is for, and where it leaves the pending
/// credentials.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// The link that was completed.
    pub link_id: Uuid,
    /// The connection (a new one in `pending_confirmation`, or the live one a reconnect would
    /// replace).
    pub connection_id: Uuid,
    /// Its tenant.
    pub tenant_id: Uuid,
    /// Its connector.
    pub connector_id: Uuid,
}

fn aad(id: &str) -> Aad<'_> {
    Aad {
        table: "exchange_codes",
        column: "pending",
        row_id: id,
    }
}

fn seal(keyring: &Keyring, id: Uuid, outcome: &Outcome) -> Result<Vec<u8>, AppError> {
    let plain =
        zeroize::Zeroizing::new(serde_json::to_vec(outcome).map_err(|_| AppError::Internal)?);
    keyring.seal(&plain, aad(&id.to_string())).map_err(|e| {
        tracing::error!(exchange_code = %id, error = %e, "pending credentials cannot be encrypted");
        AppError::Internal
    })
}

fn open(keyring: &Keyring, row: &exchange_code::Model) -> Result<Option<Outcome>, AppError> {
    let Some(sealed) = row.pending.as_deref() else {
        return Ok(None);
    };
    let plain = keyring.open(sealed, aad(&row.id.to_string())).map_err(|e| {
        tracing::error!(exchange_code = %row.id, error = %e, "pending credentials cannot be decrypted");
        AppError::Internal
    })?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| AppError::Internal)
}

/// Issues a code holding a completion's outcome, sealed (inside the completing transaction).
pub async fn issue(
    db: &impl ConnectionTrait,
    state: &AppState,
    pending: Pending,
    outcome: &Outcome,
) -> Result<Token, AppError> {
    let code = new_token();
    let now = state.clock.now();
    let id = Uuid::now_v7();
    exchange_code::ActiveModel {
        id: Set(id),
        code_hash: Set(code.hash().to_vec()),
        link_id: Set(pending.link_id),
        connection_id: Set(pending.connection_id),
        expires_at: Set(now + CODE_LIFETIME),
        redeemed_at: Set(None),
        created_at: Set(now),
        tenant_id: Set(Some(pending.tenant_id)),
        connector_id: Set(Some(pending.connector_id)),
        pending: Set(Some(seal(&state.keyring, id, outcome)?)),
        discarded_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(code)
}

/// Redeems a code once and makes its connection live: the pending credentials are stored on
/// the connection and `connection.created` (or `updated`/`recovered`) and `link.completed` are
/// announced, all in one transaction. Of simultaneous redemptions exactly one succeeds.
///
/// Only a key of the code's own environment redeems it; to the others it is unknown.
pub async fn confirm(
    state: &AppState,
    environment: EnvironmentId,
    code: &str,
) -> Result<Confirmed, ExchangeError> {
    if code.is_empty() || code.len() > 100 {
        return Err(ExchangeError::Invalid);
    }
    let hash = token_hash(code);
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    // The claim writes first: on SQLite a transaction that read before writing can lose its
    // snapshot to a concurrent redemption and fail instead of waiting.
    let claimed = exchange_code::Entity::update_many()
        .col_expr(exchange_code::Column::RedeemedAt, Expr::value(now))
        .filter(exchange_code::Column::CodeHash.eq(hash))
        .filter(exchange_code::Column::RedeemedAt.is_null())
        .filter(exchange_code::Column::DiscardedAt.is_null())
        .filter(exchange_code::Column::ExpiresAt.gt(now))
        .filter(in_environment(environment))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(refusal(state, environment, hash).await);
    }
    let row = exchange_code::Entity::find()
        .filter(exchange_code::Column::CodeHash.eq(hash))
        .one(&txn)
        .await?
        .ok_or(ExchangeError::Invalid)?;
    let (Some(outcome), Some(tenant_id), Some(connector_id)) =
        (open(&state.keyring, &row)?, row.tenant_id, row.connector_id)
    else {
        // Issued before pending values existed: its connection went live when the end user
        // finished.
        let connection = connections::by_id(&txn, row.connection_id).await?;
        txn.commit().await?;
        return Ok(Confirmed {
            connection,
            link_id: row.link_id,
        });
    };
    let existing = connection::Entity::find()
        .filter(connection::Column::TenantId.eq(tenant_id))
        .filter(connection::Column::ConnectorId.eq(connector_id))
        .one(&txn)
        .await?;
    let (model, event_type) = store_connection(
        &txn,
        state,
        TenantId(tenant_id),
        ConnectorId(connector_id),
        existing,
        outcome,
        now,
    )
    .await
    .map_err(|_| AppError::Internal)?;
    exchange_code::Entity::update_many()
        .col_expr(
            exchange_code::Column::Pending,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(exchange_code::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let (tenant, connector, link) = parties(&txn, tenant_id, connector_id, row.link_id).await?;
    let subject = events::Subject::new(&tenant, &connector)
        .with_connection(&model)
        .with_link(&link)?;
    events::emit(&txn, now, event_type, &subject).await?;
    events::emit(&txn, now, EventType::LinkCompleted, &subject).await?;
    txn.commit().await?;
    tracing::info!(connection_id = %model.id, link_id = %row.link_id, "exchange code redeemed; connection live");
    Ok(Confirmed {
        connection: model,
        link_id: row.link_id,
    })
}

/// Why a code could not be claimed: reused when it was redeemed before, else invalid.
/// The codes whose link belongs to a tenant of `environment`.
fn in_environment(environment: EnvironmentId) -> sea_orm::sea_query::SimpleExpr {
    exchange_code::Column::LinkId.in_subquery(
        sea_orm::sea_query::Query::select()
            .column(connect_link::Column::Id)
            .from(connect_link::Entity)
            .and_where(connect_link::Column::TenantId.in_subquery(tenants::ids_in(environment)))
            .to_owned(),
    )
}

async fn refusal(state: &AppState, environment: EnvironmentId, hash: TokenHash) -> ExchangeError {
    let known = exchange_code::Entity::find()
        .filter(exchange_code::Column::CodeHash.eq(hash))
        .filter(in_environment(environment))
        .one(&state.db)
        .await;
    match known {
        Ok(Some(row)) if row.redeemed_at.is_some() => ExchangeError::Reused {
            link_id: row.link_id,
        },
        Ok(_) => ExchangeError::Invalid,
        Err(e) => e.into(),
    }
}

async fn parties(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    connector_id: Uuid,
    link_id: Uuid,
) -> Result<(tenant::Model, connector::Model, connect_link::Model), AppError> {
    let tenant = tenant::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let connector = connector::Entity::find_by_id(connector_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let link = connect_link::Entity::find_by_id(link_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((tenant, connector, link))
}

/// Discards the pending credentials of up to `batch` codes that expired unredeemed: each is
/// marked discarded, a connection that exists only because of it is removed, and
/// `connection.failed` (`exchange_expired`) is announced, in one transaction per code; then the
/// tokens are revoked at the provider (best effort). Any number of instances can run this side
/// by side: each code is claimed by one. Returns how many were discarded.
pub async fn discard_expired(state: &AppState, batch: u64) -> Result<usize, AppError> {
    let now = state.clock.now();
    let due = exchange_code::Entity::find()
        .filter(exchange_code::Column::ExpiresAt.lte(now))
        .filter(exchange_code::Column::RedeemedAt.is_null())
        .filter(exchange_code::Column::DiscardedAt.is_null())
        .filter(exchange_code::Column::Pending.is_not_null())
        .limit(batch)
        .all(&state.db)
        .await?;
    let mut discarded = 0;
    for row in due {
        // Unreadable values are discarded all the same; there is nothing to revoke then.
        let outcome = open(&state.keyring, &row).unwrap_or_default();
        if discard_one(state, &row).await? {
            discarded += 1;
            if let (Some(outcome), Some(connector_id)) = (outcome, row.connector_id) {
                revoke_at_provider(state, connector_id, row.connection_id, outcome.credentials)
                    .await;
            }
        }
    }
    Ok(discarded)
}

async fn discard_one(state: &AppState, row: &exchange_code::Model) -> Result<bool, AppError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let claimed = exchange_code::Entity::update_many()
        .col_expr(exchange_code::Column::DiscardedAt, Expr::value(now))
        .col_expr(
            exchange_code::Column::Pending,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(exchange_code::Column::Id.eq(row.id))
        .filter(exchange_code::Column::RedeemedAt.is_null())
        .filter(exchange_code::Column::DiscardedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    let (Some(tenant_id), Some(connector_id)) = (row.tenant_id, row.connector_id) else {
        txn.commit().await?;
        return Ok(true);
    };
    let link = connect_link::Entity::find_by_id(row.link_id)
        .one(&txn)
        .await?;
    let mut subject = events::Subject::load(&txn, TenantId(tenant_id), ConnectorId(connector_id))
        .await?
        .with_error(EXPIRED_CODE, crate::text::EXCHANGE_EXPIRED);
    if let Some(link) = &link {
        subject = subject.with_link(link)?;
    }
    events::emit(&txn, now, EventType::ConnectionFailed, &subject).await?;
    // A connection that exists only to show this pending completion goes with it, unless
    // another completion is still waiting for its code.
    let others = exchange_code::Entity::find()
        .filter(exchange_code::Column::ConnectionId.eq(row.connection_id))
        .filter(exchange_code::Column::Id.ne(row.id))
        .filter(exchange_code::Column::Pending.is_not_null())
        .one(&txn)
        .await?;
    if others.is_none() {
        connection::Entity::delete_many()
            .filter(connection::Column::Id.eq(row.connection_id))
            .filter(connection::Column::Status.eq(ConnectionState::PendingConfirmation))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(link_id = %row.link_id, "exchange code expired unredeemed; pending credentials discarded");
    Ok(true)
}
