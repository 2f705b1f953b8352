//! The reference server: plain axum handlers doing the same database work as Authlink's pages,
//! rendering plain HTML. It runs as a child process pinned to the server's core, so a ratio
//! compares like with like.

use app::server::services::tenants::{self, TenantQuery};
use app::types::TenantSort;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use sea_orm::{Database, DatabaseConnection};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    cursor: Option<String>,
}

/// Serves `/ref/tenants` on `bind` until killed.
pub async fn serve(bind: &str, database_url: &str) -> anyhow::Result<()> {
    let db = Database::connect(database_url).await?;
    let router = Router::new()
        .route("/ref/tenants", get(tenants_page))
        .route("/ref/healthz", get(|| async { "ok" }))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, router).await?;
    Ok(())
}

/// The Tenants page's query (the same service call) as a bare HTML table.
async fn tenants_page(
    State(db): State<DatabaseConnection>,
    Query(q): Query<ListQuery>,
) -> Html<String> {
    let query = TenantQuery {
        search: q.q,
        sort: TenantSort::Name,
        cursor: q.cursor,
        limit: 50,
    };
    let mut html = String::from("<!doctype html><title>Tenants</title><table>");
    match tenants::list(&db, &query).await {
        Ok(page) => {
            for row in page.rows {
                html.push_str(&format!(
                    "<tr><td><a href=\"/tenants/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    row.id,
                    escape(&row.name),
                    escape(&row.external_id),
                    row.connected_count
                ));
            }
        }
        Err(e) => html.push_str(&escape(&e.to_string())),
    }
    html.push_str("</table>");
    Html(html)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
