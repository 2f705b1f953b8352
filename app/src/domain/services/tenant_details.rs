//! What Tenant Details shows: the tenant, and per connector its connection and links.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{connections, connectors, links, tenants};
use crate::domain::AppState;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connection, connector};
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{ConnectionStatus, TenantConnector, TenantDetails};

/// Loads Tenant Details: every enabled connector, plus disabled ones the tenant is connected to.
pub async fn load(
    state: &AppState,
    environment: EnvironmentId,
    tenant_id: Uuid,
) -> Result<TenantDetails, AppError> {
    let db = &state.db;
    let tenant = tenants::get(db, environment, tenant_id).await?;
    let connections: HashMap<Uuid, connection::Model> = connection::Entity::find()
        .filter(connection::Column::TenantId.eq(tenant_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.connector_id, c))
        .collect();
    let all_links = links::list_for_tenant(db, tenant_id).await?;
    let now = state.clock.now();
    let connected_count = connections
        .values()
        .filter(|c| c.status == ConnectionState::Connected)
        .count() as u64;

    let mut connectors_out = Vec::new();
    for model in connector::Entity::find()
        .filter(connector::Column::EnvironmentId.eq(environment))
        .order_by_asc(connector::Column::Name)
        .all(db)
        .await?
    {
        let conn = connections.get(&model.id);
        if !model.enabled && conn.is_none() {
            continue;
        }
        let resolved = connectors::resolve(model)?;
        let links_here: Vec<_> = all_links
            .iter()
            .filter(|l| l.connector_id == resolved.model.id)
            .collect();
        let latest_error = links_here
            .iter()
            .find(|l| l.completed_at.is_none())
            .and_then(|l| l.last_error.clone());
        let (status, last_error) = match conn {
            // A failed attempt to reconnect a disconnected connection is the news.
            Some(c) if c.status == ConnectionState::Disconnected && latest_error.is_some() => {
                (ConnectionStatus::Error, latest_error)
            }
            Some(c) => (connections::health(c, now), c.last_error.clone()),
            None if latest_error.is_some() => (ConnectionStatus::Error, latest_error),
            None => (ConnectionStatus::NotConnected, None),
        };
        connectors_out.push(TenantConnector {
            connector_id: resolved.model.id.to_string(),
            name: resolved.model.name.clone(),
            provider_name: resolved.provider.name.clone(),
            auth: resolved.provider.auth,
            status,
            has_connection: conn.is_some(),
            account_label: conn.and_then(|c| c.account_label.clone()),
            pinned_account: conn
                .filter(|c| c.status != ConnectionState::Disconnected)
                .and_then(|c| c.account_id.clone()),
            connected_at: conn.map(|c| c.connected_at),
            expires_at: conn.and_then(|c| c.expires_at),
            last_error,
            preset_fields: resolved.preset_fields(),
            links: links_here.iter().map(|l| links::info(l, now)).collect(),
            email_links: state.mail.is_some(),
        });
    }
    Ok(TenantDetails {
        tenant: tenants::row(tenant, connected_count),
        connectors: connectors_out,
    })
}
