//! Environments: the shell's switcher and Settings → Environments.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::EnvironmentChoice;

/// The environment the signed-in admin looks at, and the others.
#[server(prefix = "/rpc")]
pub async fn get_environments() -> Result<EnvironmentChoice, AppError> {
    use crate::domain::{services::environments, session::require_role};
    use crate::types::Role;

    let (state, user) = require_role(Role::Viewer).await?;
    environments::choice(&state.db, &user.admin).await
}

/// Switches the dashboard to another environment (remembered for this admin), then reloads the
/// page the admin is on so that everything shown belongs to it.
#[server(prefix = "/rpc")]
pub async fn switch_environment(id: String, back_to: Option<String>) -> Result<(), AppError> {
    use crate::domain::ids::EnvironmentId;
    use crate::domain::{services::environments, services::parse_id, session::require_role};
    use crate::types::Role;

    let (state, user) = require_role(Role::Viewer).await?;
    let switched =
        environments::switch(&state.db, user.admin.id, EnvironmentId(parse_id(&id)?)).await?;
    tracing::info!(admin_id = %user.admin.id, environment = %switched.name, "environment switched");
    // Pages of one record (a tenant, a connector) would be another environment's: go to the list.
    let back_to = back_to
        .as_deref()
        .and_then(section_of)
        .unwrap_or("/tenants");
    leptos_axum::redirect(back_to);
    Ok(())
}

/// The dashboard list a path belongs to, for returning there after a switch.
#[cfg(feature = "ssr")]
fn section_of(path: &str) -> Option<&'static str> {
    const SECTIONS: [&str; 7] = [
        "/overview",
        "/tenants",
        "/connectors",
        "/webhooks",
        "/audit",
        "/settings",
        "/team",
    ];
    SECTIONS.into_iter().find(|s| {
        path.strip_prefix(s)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
    })
}

/// Adds an environment (owner only).
#[server(prefix = "/rpc")]
pub async fn create_environment(name: String) -> Result<(), AppError> {
    use crate::domain::{services::environments, session::require_role};
    use crate::types::{AuditAction, Role};

    let (state, user) = require_role(Role::Owner).await?;
    let created = environments::create(&state.db, state.clock.as_ref(), &name).await?;
    tracing::info!(admin_id = %user.admin.id, environment = %created.name, "environment created");
    crate::domain::session::audit_admin_with(
        &state,
        &user,
        AuditAction::EnvironmentCreate,
        created.id,
        Some(serde_json::json!({ "name": created.name })),
    )
    .await;
    Ok(())
}

/// Renames an environment (owner only).
#[server(prefix = "/rpc")]
pub async fn rename_environment(id: String, name: String) -> Result<(), AppError> {
    use crate::domain::ids::EnvironmentId;
    use crate::domain::{services::environments, services::parse_id, session::require_role};
    use crate::types::{AuditAction, Role};

    let (state, user) = require_role(Role::Owner).await?;
    let id = EnvironmentId(parse_id(&id)?);
    let (old_name, renamed) = environments::rename(&state.db, id, &name).await?;
    crate::domain::session::audit_admin_with(
        &state,
        &user,
        AuditAction::EnvironmentRename,
        renamed.id,
        Some(serde_json::json!({ "old": old_name, "new": renamed.name })),
    )
    .await;
    Ok(())
}

/// Deletes an empty environment (owner only); admins looking at it go back to production.
#[server(prefix = "/rpc")]
pub async fn delete_environment(id: String) -> Result<(), AppError> {
    use crate::domain::ids::EnvironmentId;
    use crate::domain::{services::environments, services::parse_id, session::require_role};
    use crate::types::{AuditAction, Role};

    let (state, user) = require_role(Role::Owner).await?;
    let deleted = environments::delete(&state.db, EnvironmentId(parse_id(&id)?)).await?;
    tracing::info!(admin_id = %user.admin.id, environment = %deleted.name, "environment deleted");
    crate::domain::session::audit_admin_with(
        &state,
        &user,
        AuditAction::EnvironmentDelete,
        deleted.id,
        Some(serde_json::json!({ "name": deleted.name })),
    )
    .await;
    Ok(())
}
