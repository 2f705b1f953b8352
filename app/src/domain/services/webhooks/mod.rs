//! Webhook endpoints: saving them (with their signing secret, shown once), listing their
//! deliveries and replaying one. Requests are signed per the Standard Webhooks specification
//! ([`signing`]) and sent by the [`delivery`] worker, only to public addresses unless
//! configuration allows private ones ([`address_check`]).

mod address_check;
mod delivery;
mod signing;

pub use address_check::{is_public, validate_url};
pub use delivery::{Deliverer, DeliveryPolicy, RETRY_SCHEDULE, backoff, deliver_due};
pub use signing::sign;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::one_line;
use crate::domain::AppState;
use crate::domain::entities::webhook_delivery::DeliveryState;
use crate::domain::entities::{event, webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{
    CreatedWebhookEndpoint, EventType, WebhookAttemptInfo, WebhookDeliveryInfo, WebhookEndpointInfo,
};
use signing::{new_secret, secret_aad};

/// The event types an endpoint receives, each once, in the order of [`EventType::ALL`].
fn validate_event_types(types: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<EventType> = Vec::new();
    for t in types {
        let t = t.trim();
        let known = EventType::parse(t)
            .ok_or_else(|| AppError::Validation(format!("{t:?} is not an event type.")))?;
        if !out.contains(&known) {
            out.push(known);
        }
    }
    out.sort_by_key(|t| EventType::ALL.iter().position(|k| k == t));
    Ok(out.into_iter().map(|t| t.as_str().to_owned()).collect())
}

/// Creates an endpoint in `environment`; its signing secret is in the result only this once.
pub async fn create(
    state: &AppState,
    environment: EnvironmentId,
    url: &str,
    description: Option<&str>,
    event_types: &[String],
) -> Result<CreatedWebhookEndpoint, AppError> {
    let url = validate_url(url, state.webhooks.policy().allow_private)?;
    let description = match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(one_line(d, "a description", 200)?),
        None => None,
    };
    let event_types = validate_event_types(event_types)?;
    let id = Uuid::now_v7();
    let secret = new_secret();
    let sealed = state
        .keyring
        .seal(secret.as_bytes(), secret_aad(&id.to_string()))
        .map_err(|_| AppError::Internal)?;
    let now = state.clock.now();
    let model = webhook_endpoint::ActiveModel {
        id: Set(id),
        environment_id: Set(environment.0),
        url: Set(url.to_string()),
        description: Set(description),
        event_types: Set(serde_json::to_string(&event_types).map_err(|_| AppError::Internal)?),
        secret: Set(sealed),
        enabled: Set(true),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(CreatedWebhookEndpoint {
        info: info(&model)?,
        secret,
    })
}

fn info(model: &webhook_endpoint::Model) -> Result<WebhookEndpointInfo, AppError> {
    Ok(WebhookEndpointInfo {
        id: model.id.to_string(),
        url: model.url.clone(),
        description: model.description.clone(),
        event_types: model.event_types()?,
        enabled: model.enabled,
        disabled_reason: model.disabled_reason.clone(),
        created_at: model.created_at,
    })
}

/// Every endpoint of `environment`, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<Vec<WebhookEndpointInfo>, AppError> {
    webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::EnvironmentId.eq(environment))
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(info)
        .collect()
}

/// One endpoint of `environment`.
pub async fn get(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<WebhookEndpointInfo, AppError> {
    webhook_endpoint::Entity::find_by_id(id)
        .filter(webhook_endpoint::Column::EnvironmentId.eq(environment))
        .one(db)
        .await?
        .as_ref()
        .map(info)
        .ok_or(AppError::NotFound)?
}

/// Enables or disables an endpoint. Enabling clears the reason it was disabled; deliveries
/// that waited meanwhile go out again.
pub async fn set_enabled(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    environment: EnvironmentId,
    id: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    let result = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(enabled))
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .filter(webhook_endpoint::Column::EnvironmentId.eq(environment))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Deletes an endpoint of `environment` with its deliveries.
pub async fn delete(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(), AppError> {
    let result = webhook_endpoint::Entity::delete_many()
        .filter(webhook_endpoint::Column::Id.eq(id))
        .filter(webhook_endpoint::Column::EnvironmentId.eq(environment))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The most recent deliveries (at most `limit`) of an endpoint of `environment`, each with its
/// attempts.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    endpoint_id: Uuid,
    limit: u64,
) -> Result<Vec<WebhookDeliveryInfo>, AppError> {
    get(db, environment, endpoint_id).await?;
    let rows = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let event_ids: Vec<Uuid> = rows.iter().map(|d| d.event_id).collect();
    let types: std::collections::HashMap<Uuid, String> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::EventType)
        .filter(event::Column::Id.is_in(event_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut attempts: std::collections::HashMap<Uuid, Vec<WebhookAttemptInfo>> =
        std::collections::HashMap::new();
    for a in webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?
    {
        attempts
            .entry(a.delivery_id)
            .or_default()
            .push(WebhookAttemptInfo {
                attempt: a.attempt,
                started_at: a.started_at,
                duration_ms: a.duration_ms,
                status_code: a.status_code,
                error: a.error,
                next_attempt_at: a.next_attempt_at,
            });
    }
    Ok(rows
        .into_iter()
        .map(|d| WebhookDeliveryInfo {
            id: d.id.to_string(),
            event_id: d.event_id.to_string(),
            event_type: types.get(&d.event_id).cloned().unwrap_or_default(),
            status: d.status.as_str().to_owned(),
            attempts: attempts.remove(&d.id).unwrap_or_default(),
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
        })
        .collect())
}

/// Sends a delivery again from the start of the retry schedule, whatever happened to it before.
/// Replaying one that is still pending only makes it due now.
pub async fn replay(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    environment: EnvironmentId,
    delivery_id: Uuid,
) -> Result<(), AppError> {
    let endpoints = sea_orm::sea_query::Query::select()
        .column(webhook_endpoint::Column::Id)
        .from(webhook_endpoint::Entity)
        .and_where(webhook_endpoint::Column::EnvironmentId.eq(environment))
        .to_owned();
    let result = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryState::Pending),
        )
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .filter(webhook_delivery::Column::EndpointId.in_subquery(endpoints))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
