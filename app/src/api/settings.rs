//! Settings: API keys, allowed callback origins, the admin's alert e-mails and branding.

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::error::AppError;
use crate::types::{AlertSettings, ApiKeyInfo, CallbackOriginInfo, CreatedApiKey};

/// Every API key (never the keys themselves).
#[server(prefix = "/rpc")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    use crate::domain::{services::api_keys, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Admin).await?;
    api_keys::list(&state.db, environment).await
}

/// Creates an API key; the key is in this answer and nowhere else.
#[server(prefix = "/rpc", input = Json)]
pub async fn create_api_key(name: String, scopes: Vec<String>) -> Result<CreatedApiKey, AppError> {
    use crate::domain::{services::api_keys, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    if scopes.len() > 20 {
        return Err(AppError::Validation("Too many scopes.".into()));
    }
    // A key that reads credentials reads every tenant's secrets: the owner's decision alone.
    if scopes.iter().any(|s| s == api_keys::CREDENTIALS_READ) && user.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let created = api_keys::create(
        &state.db,
        state.clock.as_ref(),
        environment,
        Some(user.admin.id),
        &name,
        &scopes,
    )
    .await?;
    tracing::info!(api_key_id = %created.info.id, admin_id = %user.admin.id, "API key created");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::ApiKeyCreate,
        &created.info.id,
    )
    .await;
    Ok(created)
}

/// Revokes an API key; it stops working at once.
#[server(prefix = "/rpc")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::domain::{services::api_keys, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    api_keys::revoke(&state.db, state.clock.as_ref(), environment, id).await?;
    tracing::info!(api_key_id = %id, admin_id = %user.admin.id, "API key revoked");
    crate::domain::session::audit_admin(&state, &user, crate::types::AuditAction::ApiKeyRevoke, id)
        .await;
    Ok(())
}

/// The allowed callback origins.
#[server(prefix = "/rpc")]
pub async fn list_callback_origins() -> Result<Vec<CallbackOriginInfo>, AppError> {
    use crate::domain::{services::callbacks, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    Ok(callbacks::list(&state.db, environment)
        .await?
        .into_iter()
        .map(|o| CallbackOriginInfo {
            id: o.id.to_string(),
            origin: o.origin,
        })
        .collect())
}

/// Allows a callback origin.
#[server(prefix = "/rpc")]
pub async fn add_callback_origin(origin: String) -> Result<(), AppError> {
    use crate::domain::{services::callbacks, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let added = callbacks::add(&state.db, state.clock.as_ref(), environment, &origin).await?;
    tracing::info!(origin = %added.origin, admin_id = %user.admin.id, "callback origin allowed");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::CallbackOriginAdd,
        added.id,
    )
    .await;
    Ok(())
}

/// Removes an allowed callback origin.
#[server(prefix = "/rpc")]
pub async fn remove_callback_origin(id: String) -> Result<(), AppError> {
    use crate::domain::{services::callbacks, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    callbacks::remove(&state.db, environment, id).await?;
    tracing::info!(admin_id = %user.admin.id, "callback origin removed");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::CallbackOriginRemove,
        id,
    )
    .await;
    Ok(())
}

/// The signed-in admin's alert settings.
#[server(prefix = "/rpc")]
pub async fn get_alert_settings() -> Result<AlertSettings, AppError> {
    use crate::domain::{services::alerts, session::require_role};
    use crate::types::Role;

    let (state, user) = require_role(Role::Viewer).await?;
    Ok(AlertSettings {
        enabled: alerts::enabled_for(&state.db, user.admin.id).await?,
        mail_configured: state.mail.is_some(),
        recipients: alerts::recipient_addresses(&state.db).await?,
    })
}

/// Turns alerts by e-mail on or off for the signed-in admin.
#[server(prefix = "/rpc")]
pub async fn set_alerts(#[server(default)] enabled: bool) -> Result<(), AppError> {
    use crate::domain::{services::alerts, session::require_role};
    use crate::types::Role;

    let (state, user) = require_role(Role::Viewer).await?;
    alerts::set_enabled(&state.db, user.admin.id, enabled, state.clock.now()).await?;
    tracing::info!(admin_id = %user.admin.id, enabled, "alert e-mails switched");
    Ok(())
}

/// The end-user pages' branding.
#[server(prefix = "/rpc")]
pub async fn get_branding() -> Result<crate::types::Branding, AppError> {
    use crate::domain::{services::branding, session::require_role};
    use crate::types::Role;

    let (state, _) = require_role(Role::Viewer).await?;
    Ok(branding::current(&state.db, &state.installation).await?)
}

/// Saves the product name, accent colour and support contact end users see. An empty colour
/// means the built-in one; empty contacts mean none.
#[server(prefix = "/rpc")]
pub async fn save_branding(
    product_name: String,
    #[server(default)] accent_color: String,
    #[server(default)] support_email: String,
    #[server(default)] support_url: String,
) -> Result<(), AppError> {
    use crate::domain::services::branding::{self, BrandingInput};
    use crate::domain::session::require_role;
    use crate::types::Role;

    let (state, user) = require_role(Role::Admin).await?;
    let input = BrandingInput {
        product_name,
        accent_color,
        support_email,
        support_url,
    };
    let saved = branding::save(&state.db, &state.installation, &input).await?;
    tracing::info!(admin_id = %user.admin.id, "branding saved");
    crate::domain::session::audit_admin_with(
        &state,
        &user,
        crate::types::AuditAction::BrandingUpdate,
        "branding",
        Some(serde_json::json!({
            "product_name": saved.product_name,
            "accent_color": saved.accent_color,
            "support_email": saved.support_email,
            "support_url": saved.support_url,
        })),
    )
    .await;
    Ok(())
}
