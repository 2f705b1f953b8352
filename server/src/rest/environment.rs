//! `GET /api/v1/environment`: which environment the calling key belongs to, so that a backend
//! can check it is pointed at the one it means before it changes anything.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Api, Caller, Problem};

/// The environment of the calling API key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Environment {
    /// Id.
    pub id: String,
    /// Name, e.g. `production` or `development`; webhook payloads carry the same.
    pub name: String,
    /// Whether it is the installation's production environment.
    pub is_production: bool,
}

/// The environment the key belongs to; it sees the data of no other. Needs no scope.
#[utoipa::path(get, path = "/api/v1/environment", tag = "environment",
    responses(
        (status = 200, description = "The key's environment", body = Environment),
    ))]
pub async fn get_environment(
    State(api): State<Api>,
    caller: Caller,
) -> Result<Json<Environment>, Problem> {
    let found = app::domain::services::environments::get(&api.app.db, caller.0.environment).await?;
    Ok(Json(Environment {
        id: found.id.to_string(),
        name: found.name,
        is_production: found.is_production,
    }))
}
