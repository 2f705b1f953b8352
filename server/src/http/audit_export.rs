//! `GET /audit.csv`: the audit log as CSV (RFC 4180), with the page's filters. Admins only.

use app::domain::AppState;
use app::domain::services::audit;
use app::domain::session::session_admin;
use app::types::Role;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// Most rows one export holds; narrow the filters for more.
const EXPORT_MAX: usize = 100_000;

/// The filters, as the audit page's form sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    actor_type: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
}

/// Streams nothing clever: pages through the log newest first and answers one CSV body.
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Response {
    match session_admin(&state.db, &state, &session).await {
        Ok(Some(user)) if user.role.allows(Role::Admin) => {}
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let filter = match audit::filter_from(q.actor_type, q.action, q.target, q.from, q.until) {
        Ok(f) => f,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let mut body = String::from(audit::CSV_HEADER);
    let mut before = None;
    let mut rows = 0;
    loop {
        let page = match audit::list(&state.db, &filter, before, audit::PAGE_MAX).await {
            Ok(page) => page,
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
        let Some(last) = page.last() else { break };
        before = uuid::Uuid::parse_str(&last.id).ok();
        for entry in &page {
            body.push_str(&audit::csv_line(entry));
        }
        rows += page.len();
        if (page.len() as u64) < audit::PAGE_MAX || rows >= EXPORT_MAX || before.is_none() {
            break;
        }
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"authlink-audit.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
