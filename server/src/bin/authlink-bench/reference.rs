//! The reference server: plain axum handlers doing the same database work as Authlink's pages,
//! rendering plain HTML. It runs as a child process pinned to the server's core, so a ratio
//! compares like with like.

use app::domain::crypto::new_token;
use app::domain::entities::{connect_link, connection, connector, tenant};
use app::domain::password::{PasswordHasher, WorkFactors};
use app::domain::services::tenants::{self, TenantQuery};
use app::types::TenantSort;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Database, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use secrecy::SecretString;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    cursor: Option<String>,
}

/// Serves `/ref/tenants` on `bind` until killed.
pub async fn serve(bind: &str, database_url: &str) -> anyhow::Result<()> {
    // The server's own pool settings, so only the handling of a request differs.
    let db = Database::connect(server::database::connect_options(
        database_url,
        server::config::DEFAULT_DB_MAX_CONNECTIONS,
    ))
    .await?;
    let router = Router::new()
        .route("/ref/tenants", get(tenants_page))
        .route("/ref/tenants/{id}", get(tenant_page))
        .route("/ref/links", post(insert_link))
        .route("/ref/credentials", post(store_credentials))
        .route("/ref/hash", post(hash_password))
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
    // As the dashboard does: the environment first, then its tenants.
    let listed = match app::domain::services::environments::production(&db).await {
        Ok(production) => {
            let environment = app::domain::ids::EnvironmentId(production.id);
            tenants::list(&db, environment, &query).await
        }
        Err(e) => Err(e),
    };
    match listed {
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

/// Tenant Details' reads (the tenant, its connections, every connector, its latest links) as a
/// bare HTML list.
async fn tenant_page(State(db): State<DatabaseConnection>, Path(id): Path<Uuid>) -> Response {
    let Ok(Some(tenant)) = tenant::Entity::find_by_id(id).one(&db).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (Ok(connections), Ok(connectors), Ok(links)) = (
        connection::Entity::find()
            .filter(connection::Column::TenantId.eq(id))
            .all(&db)
            .await,
        connector::Entity::find()
            .order_by_asc(connector::Column::Name)
            .all(&db)
            .await,
        connect_link::Entity::find()
            .filter(connect_link::Column::TenantId.eq(id))
            .order_by_desc(connect_link::Column::Id)
            .limit(200)
            .all(&db)
            .await,
    ) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut html = format!(
        "<!doctype html><title>{0}</title><h1>{0}</h1><ul>",
        escape(&tenant.name)
    );
    for c in connectors {
        let status = connections
            .iter()
            .find(|x| x.connector_id == c.id)
            .map_or("not connected", |x| x.status.as_str());
        let count = links.iter().filter(|l| l.connector_id == c.id).count();
        html.push_str(&format!(
            "<li>{} — {status} — {count} links <button>Connect</button></li>",
            escape(&c.name)
        ));
    }
    html.push_str("</ul>");
    Html(html).into_response()
}

#[derive(Debug, Deserialize)]
struct LinkTarget {
    tenant: Uuid,
    connector: Uuid,
}

/// The INSERT behind Generate Customer Link, with a token and its hash, answering the URL.
async fn insert_link(
    State(db): State<DatabaseConnection>,
    Query(target): Query<LinkTarget>,
) -> Response {
    let token = new_token();
    let now = time::OffsetDateTime::now_utc();
    let expires_at = now + time::Duration::days(7);
    let inserted = connect_link::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token.hash().to_vec()),
        tenant_id: Set(target.tenant),
        connector_id: Set(target.connector),
        expires_at: Set(expires_at),
        single_use: Set(true),
        note: Set(None),
        presets: Set("{}".into()),
        created_by: Set(None),
        created_at: Set(now),
        opened_at: Set(None),
        completed_at: Set(None),
        revoked_at: Set(None),
        last_error: Set(None),
        callback_url: Set(None),
        callback_state: Set(None),
        end_user_email: Set(None),
        end_user_name: Set(None),
        tags: Set(None),
        allowed_connectors: Set(None),
        created_by_key: Set(None),
        expiry_announced_at: Set(None),
        allow_account_change: Set(false),
        email_to: Set(None),
        email_locale: Set(None),
        reminder_queued_at: Set(None),
        failures: Set(0),
    }
    .insert(&db)
    .await;
    match inserted {
        Ok(_) => Json(serde_json::json!({
            "url": format!("http://127.0.0.1/connect/{}", token.expose()),
            "expires_at": expires_at.unix_timestamp(),
        }))
        .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The argon2id hash a sign-in verifies, alone: the same work factors and the same cap on
/// concurrent hashes (the cores this process may use) as the server.
async fn hash_password() -> Response {
    static HASHER: std::sync::OnceLock<Option<PasswordHasher>> = std::sync::OnceLock::new();
    let hasher = HASHER.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordHasher::new(WorkFactors::OWASP, cores).ok()
    });
    let Some(hasher) = hasher else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match hasher
        .hash(SecretString::from(crate::scenarios::OWNER_PASSWORD))
        .await
    {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The write behind an API-key submission: the form read, the connection row inserted (or
/// replaced, as a reconnect does) with the submitted fields.
async fn store_credentials(
    State(db): State<DatabaseConnection>,
    Query(target): Query<LinkTarget>,
    body: axum::body::Bytes,
) -> Response {
    use sea_orm::sea_query::OnConflict;

    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Ok(credentials) = serde_json::to_vec(&fields) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let now = time::OffsetDateTime::now_utc();
    let row = connection::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(target.tenant),
        connector_id: Set(target.connector),
        status: Set(connection::ConnectionState::Connected),
        credentials: Set(credentials),
        scopes: Set(String::new()),
        account_label: Set(None),
        last_error: Set(None),
        expires_at: Set(None),
        connected_at: Set(now),
        updated_at: Set(now),
        refresh_claimed_until: Set(None),
        refresh_failures: Set(0),
        refreshed_at: Set(None),
        next_refresh_at: Set(None),
        refreshable: Set(false),
        config: Set("{}".to_owned()),
        account_id: Set(None),
        expiry_warned_for: Set(None),
        expiry_warned_days: Set(None),
    };
    let stored = connection::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                connection::Column::TenantId,
                connection::Column::ConnectorId,
            ])
            .update_columns([
                connection::Column::Credentials,
                connection::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&db)
        .await;
    match stored {
        Ok(_) => Html("<!doctype html><title>Connected</title><p>Connected.</p>").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
