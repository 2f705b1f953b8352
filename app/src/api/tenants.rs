//! Tenants and Tenant Details.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{TenantDetails, TenantPage};

/// One page of tenants.
#[server(prefix = "/rpc")]
pub async fn list_tenants(
    search: String,
    sort: String,
    cursor: Option<String>,
) -> Result<TenantPage, AppError> {
    use crate::domain::{services::tenants, session::require_role_in};
    use crate::types::{Role, TenantSort, limits};

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    let query = tenants::TenantQuery {
        search,
        sort: TenantSort::parse(&sort),
        cursor: cursor.filter(|c| !c.is_empty()),
        limit: limits::TENANT_PAGE_SIZE,
    };
    tenants::list(&state.db, environment, &query).await
}

/// Creates a tenant and returns its id.
#[server(prefix = "/rpc")]
pub async fn create_tenant(name: String, external_id: String) -> Result<String, AppError> {
    use crate::domain::{services::tenants, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let tenant = tenants::create(
        &state.db,
        state.clock.as_ref(),
        environment,
        &tenants::TenantInput { name, external_id },
    )
    .await?;
    tracing::info!(tenant_id = %tenant.id, admin_id = %user.admin.id, "tenant created");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::TenantCreate,
        tenant.id,
    )
    .await;
    Ok(tenant.id.to_string())
}

/// Changes a tenant's name and external id.
#[server(prefix = "/rpc")]
pub async fn update_tenant(id: String, name: String, external_id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::tenants, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    tenants::update(
        &state.db,
        state.clock.as_ref(),
        environment,
        id,
        &tenants::TenantInput { name, external_id },
    )
    .await?;
    crate::domain::session::audit_admin(&state, &user, crate::types::AuditAction::TenantUpdate, id)
        .await;
    Ok(())
}

/// Deletes a tenant with its connections and links, then returns to the list.
#[server(prefix = "/rpc")]
pub async fn delete_tenant(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::tenants, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    tenants::delete(&state.db, environment, id).await?;
    tracing::info!(tenant_id = %id, admin_id = %user.admin.id, "tenant deleted");
    crate::domain::session::audit_admin(&state, &user, crate::types::AuditAction::TenantDelete, id)
        .await;
    leptos_axum::redirect("/tenants");
    Ok(())
}

/// Everything Tenant Details shows.
#[server(prefix = "/rpc")]
pub async fn get_tenant_details(id: String) -> Result<TenantDetails, AppError> {
    use crate::domain::{services::parse_id, services::tenant_details, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    tenant_details::load(&state, environment, parse_id(&id)?).await
}

/// Disconnects a tenant from a connector: the token is revoked at the provider when it can be,
/// and the stored credentials are deleted.
#[server(prefix = "/rpc")]
pub async fn disconnect(tenant_id: String, connector_id: String) -> Result<(), AppError> {
    use crate::domain::ids::{ConnectorId, TenantId};
    use crate::domain::{services::connections, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let (tenant_id, connector_id) = (parse_id(&tenant_id)?, parse_id(&connector_id)?);
    let connection =
        connections::find(&state.db, TenantId(tenant_id), ConnectorId(connector_id)).await?;
    connections::disconnect(&state, environment, connection.id).await?;
    tracing::info!(%tenant_id, %connector_id, admin_id = %user.admin.id, "disconnected");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::ConnectionDisconnect,
        connection.id,
    )
    .await;
    Ok(())
}

/// A page of the status overview: tenants × enabled connectors, optionally only tenants with
/// problems.
#[server(prefix = "/rpc")]
pub async fn get_overview(
    only_problems: bool,
    cursor: Option<String>,
) -> Result<crate::types::OverviewData, AppError> {
    use crate::domain::{services::overview, session::require_role_in};
    use crate::types::Role;

    let (state, _, environment) = require_role_in(Role::Viewer).await?;
    overview::load(
        &state.db,
        environment,
        state.clock.now(),
        only_problems,
        cursor.as_deref().filter(|c| !c.is_empty()),
    )
    .await
}
