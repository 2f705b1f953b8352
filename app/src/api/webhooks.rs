//! Settings → Webhooks: endpoints, their deliveries, and replays.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::error::AppError;
use crate::types::{CreatedWebhookEndpoint, WebhookDeliveryInfo, WebhookEndpointInfo};

/// Deliveries shown per endpoint.
pub const DELIVERIES_SHOWN: u64 = 50;

/// Every webhook endpoint (never the secrets).
#[server(prefix = "/rpc")]
pub async fn list_webhook_endpoints() -> Result<Vec<WebhookEndpointInfo>, AppError> {
    use crate::domain::{services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Admin).await?;
    webhooks::list(&state.db, environment).await
}

/// Adds an endpoint; its signing secret is in this answer and nowhere else, so only the owner
/// may add one.
#[server(prefix = "/rpc", input = Json)]
pub async fn create_webhook_endpoint(
    url: String,
    description: Option<String>,
    event_types: Vec<String>,
) -> Result<CreatedWebhookEndpoint, AppError> {
    use crate::domain::{services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Owner).await?;
    if event_types.len() > 50 {
        return Err(AppError::Validation("Too many event types.".into()));
    }
    let created = webhooks::create(
        &state,
        environment,
        &url,
        description.as_deref(),
        &event_types,
    )
    .await?;
    tracing::info!(endpoint_id = %created.info.id, admin_id = %user.admin.id, "webhook endpoint added");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::WebhookCreate,
        &created.info.id,
    )
    .await;
    Ok(created)
}

/// One endpoint and its latest deliveries, newest first.
#[server(prefix = "/rpc")]
pub async fn get_webhook_endpoint(
    id: String,
) -> Result<(WebhookEndpointInfo, Vec<WebhookDeliveryInfo>), AppError> {
    use crate::domain::{services::parse_id, services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    let endpoint = webhooks::get(&state.db, environment, id).await?;
    let deliveries = webhooks::deliveries(&state.db, environment, id, DELIVERIES_SHOWN).await?;
    Ok((endpoint, deliveries))
}

/// Enables or disables an endpoint.
#[server(prefix = "/rpc")]
pub async fn set_webhook_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    webhooks::set_enabled(&state.db, state.clock.now(), environment, id, enabled).await?;
    tracing::info!(endpoint_id = %id, enabled, admin_id = %user.admin.id, "webhook endpoint switched");
    let action = if enabled {
        crate::types::AuditAction::WebhookEnable
    } else {
        crate::types::AuditAction::WebhookDisable
    };
    crate::domain::session::audit_admin(&state, &user, action, id).await;
    Ok(())
}

/// Deletes an endpoint and its delivery history.
#[server(prefix = "/rpc")]
pub async fn delete_webhook_endpoint(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    webhooks::delete(&state.db, environment, id).await?;
    tracing::info!(endpoint_id = %id, admin_id = %user.admin.id, "webhook endpoint deleted");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::WebhookDelete,
        id,
    )
    .await;
    Ok(())
}

/// Sends a delivery again, from the start of the retry schedule.
#[server(prefix = "/rpc")]
pub async fn replay_webhook_delivery(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::webhooks, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    webhooks::replay(&state.db, state.clock.now(), environment, id).await?;
    tracing::info!(delivery_id = %id, admin_id = %user.admin.id, "webhook delivery replayed");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::WebhookReplay,
        id,
    )
    .await;
    Ok(())
}
