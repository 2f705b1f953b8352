//! Tenants: create, edit, delete, and the keyset-paginated, searchable list.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    FromQueryResult, Order, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{is_unique_violation, one_line};
use crate::domain::clock::Clock;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connection, tenant};
use crate::error::AppError;
use crate::types::{TenantPage, TenantRow, TenantSort, limits};

/// What the admin types for a tenant.
#[derive(Debug, Clone)]
pub struct TenantInput {
    /// Display name.
    pub name: String,
    /// The admin's own id for the customer.
    pub external_id: String,
}

fn validate(input: &TenantInput) -> Result<(String, String), AppError> {
    let name = one_line(&input.name, "a name", limits::TENANT_NAME_MAX_CHARS)?;
    let external_id = one_line(
        &input.external_id,
        "an external ID",
        limits::EXTERNAL_ID_MAX_CHARS,
    )?;
    if external_id.chars().any(char::is_whitespace) {
        return Err(AppError::Validation(
            "An external ID cannot contain spaces.".into(),
        ));
    }
    Ok((name, external_id))
}

fn duplicate(external_id: &str) -> AppError {
    AppError::Conflict(format!(
        "A tenant with the external ID {external_id:?} already exists."
    ))
}

/// Creates a tenant.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    input: &TenantInput,
) -> Result<tenant::Model, AppError> {
    let (name, external_id) = validate(input)?;
    let now = clock.now();
    tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        name_key: Set(name.to_lowercase()),
        name: Set(name),
        external_id: Set(external_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate(&external_id)
        } else {
            e.into()
        }
    })
}

/// Changes a tenant's name and external id.
pub async fn update(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    id: Uuid,
    input: &TenantInput,
) -> Result<tenant::Model, AppError> {
    let (name, external_id) = validate(input)?;
    let existing = get(db, id).await?;
    let mut row: tenant::ActiveModel = existing.into();
    row.name_key = Set(name.to_lowercase());
    row.name = Set(name);
    row.external_id = Set(external_id.clone());
    row.updated_at = Set(clock.now());
    row.update(db).await.map_err(|e| match e {
        // Deleted between the read and the write.
        sea_orm::DbErr::RecordNotUpdated => AppError::NotFound,
        e if is_unique_violation(&e) => duplicate(&external_id),
        e => e.into(),
    })
}

/// Deletes a tenant with its connections, links and flows (foreign keys cascade).
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let result = tenant::Entity::delete_by_id(id).exec(db).await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// One tenant.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<tenant::Model, AppError> {
    tenant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// How many of a tenant's connections are live.
pub async fn connected_counts(
    db: &impl ConnectionTrait,
    tenant_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, AppError> {
    #[derive(FromQueryResult)]
    struct Count {
        tenant_id: Uuid,
        n: i64,
    }
    if tenant_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let counts = connection::Entity::find()
        .select_only()
        .column(connection::Column::TenantId)
        .column_as(Expr::col(connection::Column::Id).count(), "n")
        .filter(connection::Column::TenantId.is_in(tenant_ids.iter().copied()))
        .filter(connection::Column::Status.eq(ConnectionState::Connected))
        .group_by(connection::Column::TenantId)
        .into_model::<Count>()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|c| (c.tenant_id, u64::try_from(c.n).unwrap_or(0)))
        .collect())
}

/// A row as the list shows it.
pub fn row(model: tenant::Model, connected_count: u64) -> TenantRow {
    TenantRow {
        id: model.id.to_string(),
        name: model.name,
        external_id: model.external_id,
        created_at: model.created_at,
        updated_at: model.updated_at,
        connected_count,
    }
}

/// Position in the list: the last (or first) row seen and which way to go.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Sort key of the boundary row (`name_key` for name order; unused for newest).
    pub(crate) k: String,
    /// Id of the boundary row.
    pub(crate) id: Uuid,
    /// `true`: rows after the boundary; `false`: rows before it.
    pub(crate) fwd: bool,
}

pub(crate) fn encode(cursor: &Cursor) -> String {
    let json = serde_json::to_vec(cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode(text: &str) -> Option<Cursor> {
    if text.len() > 1024 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The cursor of the page (by name) that starts right after `model`; for links and benchmarks.
pub fn cursor_after(model: &tenant::Model) -> String {
    encode(&Cursor {
        k: model.name_key.clone(),
        id: model.id,
        fwd: true,
    })
}

/// Whether `text` is a cursor this listing issued (the API refuses others).
pub fn cursor_is_valid(text: &str) -> bool {
    decode(text).is_some()
}

/// Creates the tenant with this external id, or renames the existing one; `true` when created.
/// Safe to call concurrently: a lost insert race turns into an update.
pub async fn upsert_by_external_id(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    input: &TenantInput,
) -> Result<(tenant::Model, bool), AppError> {
    let (name, external_id) = validate(input)?;
    // Each round loses at most one race: the tenant deleted after it was read (update it → create
    // it), or created by someone else after it was found missing (create it → update it).
    for _ in 0..3 {
        if let Some(existing) = tenant::Entity::find()
            .filter(tenant::Column::ExternalId.eq(external_id.as_str()))
            .one(db)
            .await?
        {
            if existing.name == name {
                return Ok((existing, false));
            }
            let mut row: tenant::ActiveModel = existing.into();
            row.name_key = Set(name.to_lowercase());
            row.name = Set(name.clone());
            row.updated_at = Set(clock.now());
            match row.update(db).await {
                Ok(model) => return Ok((model, false)),
                Err(sea_orm::DbErr::RecordNotUpdated) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        match create(db, clock, input).await {
            Ok(model) => return Ok((model, true)),
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Conflict(
        "The tenant was changed by another request at the same time; try again.".into(),
    ))
}

/// What the Tenants page asks for.
#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    /// Matches a part of the name (any case) or the start of the external id.
    pub search: String,
    /// Order.
    pub sort: TenantSort,
    /// Opaque cursor from a previous page; unreadable cursors start at the first page.
    pub cursor: Option<String>,
    /// Page size (clamped to 1..=100).
    pub limit: u64,
}

/// One page of tenants, by keyset pagination: the cost of a page does not grow with its depth.
pub async fn list(db: &impl ConnectionTrait, query: &TenantQuery) -> Result<TenantPage, AppError> {
    let limit = query.limit.clamp(1, 100);
    let cursor = query.cursor.as_deref().and_then(decode);
    let forward = cursor.as_ref().is_none_or(|c| c.fwd);

    let mut select = tenant::Entity::find();
    if let Some(condition) = search_condition(&query.search) {
        select = select.filter(condition);
    }
    // Ascending order in the direction of travel; a backwards page is read reversed.
    let (ascending, key_col) = match query.sort {
        TenantSort::Name => (forward, Some(tenant::Column::NameKey)),
        TenantSort::Newest => (!forward, None),
    };
    let order = if ascending { Order::Asc } else { Order::Desc };
    if let Some(c) = &cursor {
        let id_after = if ascending {
            tenant::Column::Id.gt(c.id)
        } else {
            tenant::Column::Id.lt(c.id)
        };
        select = match key_col {
            Some(col) => {
                let (beyond, at_or_beyond) = if ascending {
                    (col.gt(c.k.clone()), col.gte(c.k.clone()))
                } else {
                    (col.lt(c.k.clone()), col.lte(c.k.clone()))
                };
                // `k >= x AND (k > x OR id > y)`: the first term lets the index seek.
                select.filter(at_or_beyond).filter(
                    Condition::any()
                        .add(beyond)
                        .add(Condition::all().add(col.eq(c.k.clone())).add(id_after)),
                )
            }
            None => select.filter(id_after),
        };
    }
    if let Some(col) = key_col {
        select = select.order_by(col, order.clone());
    }
    let mut rows = select
        .order_by(tenant::Column::Id, order)
        .limit(limit + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if !forward {
        rows.reverse();
    }

    let (next, prev) = page_cursors(
        &rows,
        key_col.is_some(),
        forward,
        has_more,
        cursor.is_some(),
    );

    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counts = connected_counts(db, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|m| {
            let n = counts.get(&m.id).copied().unwrap_or(0);
            row(m, n)
        })
        .collect();
    Ok(TenantPage { rows, next, prev })
}

/// Tenants whose name contains `search` (any case) or whose external id starts with it.
fn search_condition(search: &str) -> Option<Condition> {
    let search = search.trim();
    if search.is_empty() {
        return None;
    }
    let escaped = escape_like(&search.to_lowercase());
    let prefix = escape_like(search);
    Some(
        Condition::any()
            .add(
                Expr::col(tenant::Column::NameKey)
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            )
            .add(
                Expr::col(tenant::Column::ExternalId)
                    .like(LikeExpr::new(format!("{prefix}%")).escape('\\')),
            ),
    )
}

/// The cursors of the pages after and before `rows` (in display order), where there are such
/// pages.
fn page_cursors(
    rows: &[tenant::Model],
    by_name: bool,
    forward: bool,
    has_more: bool,
    came_from_cursor: bool,
) -> (Option<String>, Option<String>) {
    let boundary = |model: &tenant::Model, fwd: bool| {
        encode(&Cursor {
            k: if by_name {
                model.name_key.clone()
            } else {
                String::new()
            },
            id: model.id,
            fwd,
        })
    };
    match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => {
            let more_after = if forward { has_more } else { true };
            let more_before = if forward { came_from_cursor } else { has_more };
            (
                more_after.then(|| boundary(last, true)),
                more_before.then(|| boundary(first, false)),
            )
        }
        _ => (None, None),
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Creates `count` tenants named "Tenant 000001"… in batches, for trying and measuring the list.
/// External ids are `{prefix}-{n}`; returns how many were created.
pub async fn seed(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    prefix: &str,
    count: u64,
) -> Result<u64, AppError> {
    const BATCH: u64 = 500;
    let now = clock.now();
    let mut created = 0;
    while created < count {
        let batch = std::cmp::min(BATCH, count - created);
        let models = (created..created + batch).map(|i| {
            let name = format!("Tenant {:06}", i + 1);
            tenant::ActiveModel {
                id: Set(Uuid::now_v7()),
                name_key: Set(name.to_lowercase()),
                name: Set(name),
                external_id: Set(format!("{prefix}-{}", i + 1)),
                created_at: Set(now),
                updated_at: Set(now),
            }
        });
        tenant::Entity::insert_many(models).exec(db).await.map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!(
                    "Tenants with external IDs starting {prefix:?} already exist; choose another prefix."
                ))
            } else {
                e.into()
            }
        })?;
        created += batch;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_ignored() {
        let c = Cursor {
            k: "acme".into(),
            id: Uuid::now_v7(),
            fwd: false,
        };
        assert_eq!(decode(&encode(&c)), Some(c));
        assert_eq!(decode("not a cursor"), None);
        assert_eq!(decode(&"A".repeat(5000)), None);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn tenant_input_is_validated() {
        let ok = TenantInput {
            name: "  Acme Inc ".into(),
            external_id: "cus_123".into(),
        };
        assert_eq!(
            validate(&ok).expect("valid"),
            ("Acme Inc".into(), "cus_123".into())
        );
        for (name, ext) in [("", "x"), ("A", ""), ("A", "has space"), ("A\u{7}", "x")] {
            let input = TenantInput {
                name: name.into(),
                external_id: ext.into(),
            };
            assert!(matches!(validate(&input), Err(AppError::Validation(_))));
        }
        let long = TenantInput {
            name: "x".repeat(limits::TENANT_NAME_MAX_CHARS + 1),
            external_id: "x".into(),
        };
        assert!(validate(&long).is_err());
    }
}
