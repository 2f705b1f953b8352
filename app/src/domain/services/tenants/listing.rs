//! The Tenants list: searchable, sorted by name or age, paged by keyset so the cost of a page
//! does not grow with its depth; cursors are opaque to callers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::connected_counts;
use crate::domain::entities::tenant;
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{TenantPage, TenantRow, TenantSort};

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
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    query: &TenantQuery,
) -> Result<TenantPage, AppError> {
    let limit = query.limit.clamp(1, 100);
    let cursor = query.cursor.as_deref().and_then(decode);
    let forward = cursor.as_ref().is_none_or(|c| c.fwd);

    let mut select = tenant::Entity::find().filter(tenant::Column::EnvironmentId.eq(environment));
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
}
