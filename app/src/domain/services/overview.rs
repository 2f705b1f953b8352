//! The status overview: every tenant × every enabled connector, with counts by health at the
//! top and a filter for tenants that need attention. Paged by name with a keyset cursor, so a
//! page costs the same at row 90,000 as at row 1.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::connections::{self, EXPIRES_SOON};
use super::tenants::{self, Cursor};
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connection, connector, tenant};
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{ConnectionStatus, OverviewCounts, OverviewData, OverviewRow, StatusColumn};

/// Tenants per page.
pub const PAGE_SIZE: u64 = 50;

/// Working connections that expire soon with no way to refresh (see `connections::health`).
fn expiring_soon(now: OffsetDateTime) -> Condition {
    Condition::all()
        .add(connection::Column::Status.eq(ConnectionState::Connected))
        .add(connection::Column::Refreshable.eq(false))
        .add(connection::Column::ExpiresAt.lte(now + EXPIRES_SOON))
}

/// Connections the admin should act on: broken, or expiring without a way to refresh.
fn problem_condition(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(
            connection::Column::Status
                .is_in([ConnectionState::NeedsReauth, ConnectionState::Error]),
        )
        .add(expiring_soon(now))
}

async fn count(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    condition: Condition,
) -> Result<u64, AppError> {
    Ok(connection::Entity::find()
        .filter(connection::Column::TenantId.in_subquery(tenants::ids_in(environment)))
        .filter(condition)
        .count(db)
        .await?)
}

/// The totals above the table.
async fn counts(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    now: OffsetDateTime,
) -> Result<OverviewCounts, AppError> {
    let with_state =
        |state: ConnectionState| Condition::all().add(connection::Column::Status.eq(state));
    let env = environment;
    Ok(OverviewCounts {
        tenants: tenant::Entity::find()
            .filter(tenant::Column::EnvironmentId.eq(env))
            .count(db)
            .await?,
        connected: count(db, env, with_state(ConnectionState::Connected)).await?,
        expires_soon: count(db, env, expiring_soon(now)).await?,
        needs_reauth: count(db, env, with_state(ConnectionState::NeedsReauth)).await?,
        error: count(db, env, with_state(ConnectionState::Error)).await?,
    })
}

/// A page of tenants by name after `cursor` (only those with a problem when asked), and the
/// cursor of the next page.
async fn tenant_page(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    now: OffsetDateTime,
    only_problems: bool,
    cursor: Option<&str>,
) -> Result<(Vec<tenant::Model>, Option<String>), AppError> {
    let mut select = tenant::Entity::find().filter(tenant::Column::EnvironmentId.eq(environment));
    if only_problems {
        let with_problems = Query::select()
            .column(connection::Column::TenantId)
            .from(connection::Entity)
            .cond_where(problem_condition(now))
            .to_owned();
        select = select.filter(tenant::Column::Id.in_subquery(with_problems));
    }
    if let Some(c) = cursor.and_then(tenants::decode) {
        select = select
            .filter(tenant::Column::NameKey.gte(c.k.clone()))
            .filter(
                Condition::any()
                    .add(tenant::Column::NameKey.gt(c.k.clone()))
                    .add(
                        Condition::all()
                            .add(tenant::Column::NameKey.eq(c.k))
                            .add(tenant::Column::Id.gt(c.id)),
                    ),
            );
    }
    let mut rows = select
        .order_by_asc(tenant::Column::NameKey)
        .order_by_asc(tenant::Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = more.then(|| rows.last()).flatten().map(|t| {
        tenants::encode(&Cursor {
            k: t.name_key.clone(),
            id: t.id,
            fwd: true,
        })
    });
    Ok((rows, next))
}

/// One page of the overview after `cursor` (from a previous page's `next`).
pub async fn load(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    now: OffsetDateTime,
    only_problems: bool,
    cursor: Option<&str>,
) -> Result<OverviewData, AppError> {
    let counts = counts(db, environment, now).await?;
    let columns: Vec<connector::Model> = connector::Entity::find()
        .filter(connector::Column::EnvironmentId.eq(environment))
        .filter(connector::Column::Enabled.eq(true))
        .order_by_asc(connector::Column::Name)
        .all(db)
        .await?;
    let (rows, next) = tenant_page(db, environment, now, only_problems, cursor).await?;
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut by_pair: HashMap<(Uuid, Uuid), ConnectionStatus> = HashMap::new();
    for c in connection::Entity::find()
        .filter(connection::Column::TenantId.is_in(ids))
        .all(db)
        .await?
    {
        by_pair.insert((c.tenant_id, c.connector_id), connections::health(&c, now));
    }
    let rows = rows
        .into_iter()
        .map(|t| OverviewRow {
            cells: columns
                .iter()
                .map(|c| {
                    by_pair
                        .get(&(t.id, c.id))
                        .copied()
                        .unwrap_or(ConnectionStatus::NotConnected)
                })
                .collect(),
            tenant_id: t.id.to_string(),
            name: t.name,
            external_id: t.external_id,
        })
        .collect();
    Ok(OverviewData {
        counts,
        columns: columns
            .into_iter()
            .map(|c| StatusColumn {
                id: c.id.to_string(),
                name: c.name,
            })
            .collect(),
        rows,
        next,
    })
}
