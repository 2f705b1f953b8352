//! The provider catalog and connectors.

// A server function takes one argument per form field; the connector form has many.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{ConnectorInfo, ProviderInfo};

/// The built-in provider catalog.
#[server(prefix = "/rpc")]
pub async fn list_providers() -> Result<Vec<ProviderInfo>, AppError> {
    use crate::domain::{services::connectors, session::require_role};
    use crate::types::Role;

    require_role(Role::Viewer).await?;
    Ok(connectors::providers())
}

/// Every connector.
#[server(prefix = "/rpc")]
pub async fn list_connectors() -> Result<Vec<ConnectorInfo>, AppError> {
    use crate::domain::{services::connectors, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    connectors::list(&state.db, environment).await
}

/// One connector and its catalog provider.
#[server(prefix = "/rpc")]
pub async fn get_connector(id: String) -> Result<(ConnectorInfo, ProviderInfo), AppError> {
    use crate::domain::{services::connectors, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    connectors::describe(&state.db, environment, parse_id(&id)?).await
}

/// The redirect URI every OAuth connector uses.
#[server(prefix = "/rpc")]
pub async fn redirect_uri() -> Result<String, AppError> {
    use crate::domain::{services::connect, session::require_role};
    use crate::types::Role;

    let (state, _) = require_role(Role::Viewer).await?;
    Ok(connect::redirect_uri(&state.settings.public_origin))
}

/// Creates (without `id`) or updates a connector and opens its page.
#[server(prefix = "/rpc")]
pub async fn save_connector(
    id: Option<String>,
    provider: String,
    name: String,
    key: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Option<String>,
    authorization_url: Option<String>,
    token_url: Option<String>,
    token_auth_basic: Option<String>,
    revocation_url: Option<String>,
    verify_url: Option<String>,
    identity_url: Option<String>,
    identity_pointer: Option<String>,
    header_name: Option<String>,
    header_prefix: Option<String>,
    extra_params: Option<String>,
) -> Result<String, AppError> {
    use crate::domain::{services::connectors, services::parse_id, session::require_role_in};
    use crate::types::{AuditAction, ConnectorOptions, Role};
    use secrecy::SecretString;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let mut authorization_params = Vec::new();
    for line in extra_params
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (k, v) = line.split_once('=').ok_or_else(|| {
            AppError::Validation("Write extra parameters one per line as name=value.".into())
        })?;
        authorization_params.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let input = connectors::ConnectorInput {
        provider,
        name,
        key: key.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret: SecretString::from(client_secret.unwrap_or_default()),
        scopes: scopes.unwrap_or_default(),
        options: ConnectorOptions {
            authorization_url,
            token_url,
            token_auth_basic: token_auth_basic.is_some_and(|v| v == "on" || v == "true"),
            revocation_url,
            authorization_params,
            verify_url,
            identity_url,
            identity_pointer,
            header_name,
            header_prefix: header_prefix.filter(|p| !p.is_empty()),
        },
    };
    let changer = if user.role == Role::Owner {
        connectors::Changer::Owner
    } else {
        connectors::Changer::Admin
    };
    let (saved, action, changes) = match id.filter(|i| !i.is_empty()) {
        Some(id) => {
            let (saved, changes) = connectors::update(
                &state.db,
                &state.keyring,
                state.clock.as_ref(),
                environment,
                parse_id(&id)?,
                input,
                changer,
            )
            .await?;
            (saved, AuditAction::ConnectorUpdate, changes)
        }
        None => (
            connectors::create(
                &state.db,
                &state.keyring,
                state.clock.as_ref(),
                environment,
                input,
            )
            .await?,
            AuditAction::ConnectorCreate,
            Vec::new(),
        ),
    };
    tracing::info!(connector_id = %saved.model.id, admin_id = %user.admin.id, "connector saved");
    let details = (!changes.is_empty()).then(|| serde_json::json!({ "endpoints": changes }));
    crate::domain::session::audit_admin_with(&state, &user, action, saved.model.id, details).await;
    Ok(saved.model.id.to_string())
}

/// Offers or withdraws a connector.
#[server(prefix = "/rpc")]
pub async fn set_connector_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::domain::{services::connectors, services::parse_id, session::require_role_in};
    use crate::types::{AuditAction, Role};

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    connectors::set_enabled(&state.db, state.clock.as_ref(), environment, id, enabled).await?;
    let action = if enabled {
        AuditAction::ConnectorEnable
    } else {
        AuditAction::ConnectorDisable
    };
    crate::domain::session::audit_admin(&state, &user, action, id).await;
    Ok(())
}

/// Deletes a connector; with tenants connected, only with `delete_connections`.
#[server(prefix = "/rpc")]
pub async fn delete_connector(id: String, delete_connections: bool) -> Result<(), AppError> {
    use crate::domain::{services::connectors, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    let removed = connectors::delete(&state.db, environment, id, delete_connections).await?;
    tracing::info!(connector_id = %id, admin_id = %user.admin.id, connections = removed, "connector deleted");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::ConnectorDelete,
        id,
    )
    .await;
    Ok(())
}
