//! `/api/v1/tenants`: create, upsert by external id, list, get, update, delete.

use app::domain::entities::tenant;
use app::domain::services::tenants::{self, TenantInput, TenantQuery};
use app::types::{TenantSort, limits};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Api, Caller, Problem, idempotency, page_limit, parse_json, parse_query, rfc3339};

/// A tenant: one of your customers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    /// Id (UUID).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Your own id for this customer; unique.
    pub external_id: String,
    /// Connectors with a live connection.
    pub connected_count: u64,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// One page of tenants.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantList {
    /// The tenants.
    pub data: Vec<Tenant>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A new tenant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Display name.
    #[schema(schema_with = name_schema)]
    pub name: String,
    /// Your own id for this customer.
    #[schema(schema_with = external_id_schema)]
    pub external_id: String,
}

/// Changes to a tenant; absent (or `null`) fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    /// Display name.
    #[schema(schema_with = name_or_null_schema)]
    pub name: Option<String>,
    /// Your own id for this customer.
    #[schema(schema_with = external_id_or_null_schema)]
    pub external_id: Option<String>,
}

/// The name of a tenant created or updated by external id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpsert {
    /// Display name.
    #[schema(schema_with = name_schema)]
    pub name: String,
}

pub(super) fn name_schema() -> utoipa::openapi::Object {
    super::one_line_schema(limits::TENANT_NAME_MAX_CHARS, false)
}

pub(super) fn name_or_null_schema() -> utoipa::openapi::Object {
    super::one_line_schema(limits::TENANT_NAME_MAX_CHARS, true)
}

pub(super) fn external_id_schema() -> utoipa::openapi::Object {
    super::identifier_schema(limits::EXTERNAL_ID_MAX_CHARS, false)
}

fn external_id_or_null_schema() -> utoipa::openapi::Object {
    super::identifier_schema(limits::EXTERNAL_ID_MAX_CHARS, true)
}

/// The order of a tenant listing.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TenantListSort {
    /// By name.
    Name,
    /// Newest first.
    Newest,
}

/// The path of an upsert.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ExternalIdPath {
    /// Your own id for the customer.
    #[param(schema_with = external_id_schema)]
    pub external_id: String,
}

/// Listing filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantListQuery {
    /// Part of the name (any case) or the start of the external id.
    pub search: Option<String>,
    /// Exactly this external id.
    pub external_id: Option<String>,
    /// `name` (default) or `newest`.
    #[param(inline)]
    pub sort: Option<TenantListSort>,
    /// Page size, at least 1 (default 50); values above 200 are read as 200.
    #[param(schema_with = super::page_limit_schema)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn to_dto(api: &Api, model: tenant::Model) -> Result<Tenant, Problem> {
    let counts = tenants::connected_counts(&api.app.db, &[model.id]).await?;
    let n = counts.get(&model.id).copied().unwrap_or(0);
    Ok(Tenant {
        id: model.id.to_string(),
        connected_count: n,
        created_at: rfc3339(model.created_at),
        updated_at: rfc3339(model.updated_at),
        name: model.name,
        external_id: model.external_id,
    })
}

/// List tenants.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", params(TenantListQuery),
    responses(
        (status = 200, description = "A page of tenants", body = TenantList),
        (status = 400, description = "Bad limit or cursor", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "Needs `tenants:read`", body = Problem),
    ))]
pub async fn list_tenants(
    State(api): State<Api>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<TenantList>, Problem> {
    caller.require("tenants:read")?;
    let q: TenantListQuery = parse_query(query.as_deref())?;
    let limit = page_limit(q.limit.as_deref())?;
    if let Some(external_id) = q.external_id {
        let found =
            tenants::find_by_external_id(&api.app.db, caller.0.environment, &external_id).await?;
        let mut data = Vec::new();
        if let Some(model) = found {
            data.push(to_dto(&api, model).await?);
        }
        return Ok(Json(TenantList {
            data,
            next_cursor: None,
        }));
    }
    if let Some(c) = &q.cursor
        && !tenants::cursor_is_valid(c)
    {
        return Err(Problem::bad_request("cursor is not one this API issued."));
    }
    let sort = match q.sort {
        None | Some(TenantListSort::Name) => TenantSort::Name,
        Some(TenantListSort::Newest) => TenantSort::Newest,
    };
    let page = tenants::list(
        &api.app.db,
        caller.0.environment,
        &TenantQuery {
            search: q.search.unwrap_or_default(),
            sort,
            cursor: q.cursor,
            limit: limit.min(100),
        },
    )
    .await?;
    let data = page
        .rows
        .into_iter()
        .map(|row| Tenant {
            id: row.id,
            name: row.name,
            external_id: row.external_id,
            connected_count: row.connected_count,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
        })
        .collect();
    Ok(Json(TenantList {
        data,
        next_cursor: page.next,
    }))
}

/// Create a tenant.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", request_body = TenantCreate,
    params(idempotency::IdempotencyHeader),
    responses(
        (status = 201, description = "Created", body = Tenant),
        (status = 409, description = "The external id is taken", body = Problem),
        (status = 422, description = "Invalid input", body = Problem),
    ))]
pub async fn create_tenant(
    State(api): State<Api>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(p) = caller.require("tenants:write") {
        return p.into_response();
    }
    idempotency::once(&api, &caller, &headers, "POST /tenants", &body, || async {
        let result: Result<Tenant, Problem> = async {
            let input: TenantCreate = parse_json(&api, &headers, &body)?;
            let model = tenants::create(
                &api.app.db,
                api.app.clock.as_ref(),
                caller.0.environment,
                &TenantInput {
                    name: input.name,
                    external_id: input.external_id,
                },
            )
            .await?;
            to_dto(&api, model).await
        }
        .await;
        match result {
            Ok(t) => (StatusCode::CREATED, Json(t)).into_response(),
            Err(p) => p.into_response(),
        }
    })
    .await
}

/// Create or update the tenant with this external id.
#[utoipa::path(put, path = "/api/v1/tenants/by-external-id/{external_id}", tag = "tenants",
    params(ExternalIdPath),
    request_body = TenantUpsert,
    responses(
        (status = 200, description = "Updated (or unchanged)", body = Tenant),
        (status = 201, description = "Created", body = Tenant),
        (status = 422, description = "Invalid input", body = Problem),
    ))]
pub async fn upsert_tenant(
    State(api): State<Api>,
    caller: Caller,
    Path(ExternalIdPath { external_id }): Path<ExternalIdPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    caller.require("tenants:write")?;
    let input: TenantUpsert = parse_json(&api, &headers, &body)?;
    let (model, created) = tenants::upsert_by_external_id(
        &api.app.db,
        api.app.clock.as_ref(),
        caller.0.environment,
        &TenantInput {
            name: input.name,
            external_id,
        },
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(to_dto(&api, model).await?)).into_response())
}

/// Get a tenant by id, or by external id.
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id, or its external id")),
    responses(
        (status = 200, description = "The tenant", body = Tenant),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn get_tenant(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Tenant>, Problem> {
    caller.require("tenants:read")?;
    let model = tenants::find_by_key(&api.app.db, caller.0.environment, &id).await?;
    Ok(Json(to_dto(&api, model).await?))
}

/// Change a tenant's name or external id.
#[utoipa::path(patch, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id, or its external id")),
    request_body = TenantUpdate,
    responses(
        (status = 200, description = "Updated", body = Tenant),
        (status = 404, description = "Not found", body = Problem),
        (status = 409, description = "The external id is taken", body = Problem),
        (status = 422, description = "Invalid input", body = Problem),
    ))]
pub async fn update_tenant(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Tenant>, Problem> {
    caller.require("tenants:write")?;
    let existing = tenants::find_by_key(&api.app.db, caller.0.environment, &id).await?;
    let input: TenantUpdate = parse_json(&api, &headers, &body)?;
    let model = tenants::update(
        &api.app.db,
        api.app.clock.as_ref(),
        caller.0.environment,
        existing.id,
        &TenantInput {
            name: input.name.unwrap_or(existing.name),
            external_id: input.external_id.unwrap_or(existing.external_id),
        },
    )
    .await?;
    Ok(Json(to_dto(&api, model).await?))
}

/// Delete a tenant with its connections and links.
#[utoipa::path(delete, path = "/api/v1/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "Tenant id, or its external id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn delete_tenant(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require("tenants:write")?;
    let existing = tenants::find_by_key(&api.app.db, caller.0.environment, &id).await?;
    tenants::delete(&api.app.db, caller.0.environment, existing.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
