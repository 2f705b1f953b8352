//! The REST API under `/api/v1` for the admin's backend: bearer API keys with scopes, errors as
//! `application/problem+json` (RFC 9457), cursor pagination, per-key rate limits and
//! `Idempotency-Key` on creates. The OpenAPI 3.1 document is generated from the handlers.
//!
//! Handlers are thin: authenticate → check scope → domain service → DTO, the same services the
//! dashboard's server functions call.

mod connections;
mod connectors;
mod contract;
mod docs;
mod environment;
pub(crate) mod idempotency;
mod links;
mod problem;
mod tenants;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::domain::AppState;
use app::domain::services::api_keys::{self, ApiPrincipal};
use app::domain::services::audit;
use app::types::AuditAction;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use problem::Problem;

/// Largest page a listing returns; larger limits are clamped to it.
pub const MAX_LIMIT: u64 = 200;
/// Page size when no limit is given.
pub const DEFAULT_LIMIT: u64 = 50;

/// The API's state: the application's, plus the rate limiter and the rendered document.
#[derive(Clone)]
pub struct Api {
    /// The application state.
    pub app: AppState,
    limiter: Arc<RateLimiter>,
    openapi_json: Arc<String>,
    shapes: Arc<contract::Shapes>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Authlink API",
        description = "Create tenants and connect links, learn when links are used, and read fresh credentials. Authenticate with `Authorization: Bearer <API key>`; errors are `application/problem+json` (RFC 9457) with a stable `code`.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    tags(
        (name = "tenants", description = "Your customers"),
        (name = "connectors", description = "Configured integrations"),
        (name = "connect-links", description = "Links an end user opens to connect"),
        (name = "connections", description = "A tenant's connection to a connector, and its credentials"),
        (name = "environment", description = "The environment an API key belongs to; it sees no other"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key from Settings → API keys."))
                    .build(),
            ),
        );
    }
}

fn parts() -> (Router<Api>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenants::list_tenants, tenants::create_tenant))
        .routes(routes!(
            tenants::get_tenant,
            tenants::update_tenant,
            tenants::delete_tenant
        ))
        .routes(routes!(tenants::upsert_tenant))
        .routes(routes!(
            connectors::list_connectors,
            connectors::create_connector
        ))
        .routes(routes!(
            connectors::get_connector,
            connectors::update_connector
        ))
        .routes(routes!(connectors::enable_connector))
        .routes(routes!(connectors::disable_connector))
        .routes(routes!(links::list_links, links::create_link))
        .routes(routes!(links::get_link))
        .routes(routes!(links::revoke_link))
        .routes(routes!(connections::list_connections))
        .routes(routes!(
            connections::get_connection,
            connections::delete_connection
        ))
        .routes(routes!(connections::get_credentials))
        .routes(routes!(connections::refresh_connection))
        .routes(routes!(connections::exchange_code))
        .routes(routes!(environment::get_environment))
        .split_for_parts();
    contract::document_errors(&mut doc);
    (routes, doc)
}

/// The OpenAPI document of every `/api/v1` route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

/// The `/api/v1` routes, the OpenAPI document and the docs page. Bodies over `body_limit_bytes`
/// are refused with `413`.
pub fn router(
    app: AppState,
    rate_limit_per_minute: u32,
    body_limit_bytes: usize,
) -> Router<AppState> {
    let (routes, doc) = parts();
    // The served text keeps the document's own key order; the docs page and the body checks
    // share one JSON value of it.
    let openapi_json = Arc::new(doc.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let doc = serde_json::to_value(&doc).unwrap_or_default();
    let docs_page = Arc::new(docs::render(&doc));
    let api = Api {
        app,
        limiter: Arc::new(RateLimiter::new(rate_limit_per_minute)),
        openapi_json,
        shapes: Arc::new(contract::Shapes::new(&doc)),
    };
    routes
        .route_layer(axum::middleware::from_fn_with_state(api.clone(), audit))
        .route("/api/v1/openapi.json", get(serve_openapi))
        .route("/api/v1", axum::routing::any(not_found))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
        .layer(axum::middleware::from_fn_with_state(
            body_limit_bytes,
            contract::edges,
        ))
        .route(
            "/api/docs",
            get(move || {
                let page = docs_page.clone();
                async move { docs::response(&page) }
            }),
        )
        .with_state(api)
}

/// Writes an audit entry for every API call that changed something: the key, the action (the
/// dashboard's vocabulary, with the operation in `details.request`), the target (the path's
/// `{id}`, else the `id` in the answer) and the client address.
async fn audit(
    axum::extract::State(api): axum::extract::State<Api>,
    matched: Option<axum::extract::MatchedPath>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().clone();
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        return next.run(request).await;
    }
    let slot = AuditSlot::default();
    request.extensions_mut().insert(slot.clone());
    let ip = request
        .extensions()
        .get::<app::domain::session::ClientIp>()
        .map(|c| c.0.clone());
    let path = request.uri().path().to_owned();
    let template = matched.map(|m| m.as_str().to_owned()).unwrap_or_default();
    let response = next.run(request).await;
    let principal = slot.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(principal) = principal else {
        return response;
    };
    if !response.status().is_success() {
        return response;
    }
    let Some(action) = rest_action(method.as_str(), &template, response.status()) else {
        tracing::error!(%method, %template, "an API operation has no audit action");
        return response;
    };
    let in_path = template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == "{id}")
        .map(|(_, value)| value.to_owned());
    let (response, target_id) = match in_path {
        Some(id) => (response, Some(id)),
        None => match created_id(response).await {
            Ok(pair) => pair,
            Err(response) => return response,
        },
    };
    let actor = audit::Actor::ApiKey {
        id: principal.key_id,
        name: principal.name,
    };
    audit::record_logged(
        &api.app.db,
        api.app.clock.now(),
        audit::Entry {
            actor: &actor,
            action,
            target_id,
            ip: ip.as_deref(),
            details: Some(serde_json::json!({ "request": format!("{method} {template}") })),
        },
    )
    .await;
    response
}

/// The `id` of the answer's JSON body, with the response rebuilt around the bytes read.
async fn created_id(response: Response) -> Result<(Response, Option<String>), Response> {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned));
    Ok((
        Response::from_parts(parts, axum::body::Body::from(bytes)),
        id,
    ))
}

/// The audit action of a changing operation (`PUT` of a tenant creates with `201`).
fn rest_action(method: &str, template: &str, status: StatusCode) -> Option<AuditAction> {
    let route = template.strip_prefix("/api/v1")?;
    Some(match (method, route) {
        ("POST", "/tenants") => AuditAction::TenantCreate,
        ("PUT", "/tenants/by-external-id/{external_id}") if status == StatusCode::CREATED => {
            AuditAction::TenantCreate
        }
        ("PUT", "/tenants/by-external-id/{external_id}") | ("PATCH", "/tenants/{id}") => {
            AuditAction::TenantUpdate
        }
        ("DELETE", "/tenants/{id}") => AuditAction::TenantDelete,
        ("POST", "/connectors") => AuditAction::ConnectorCreate,
        ("PATCH", "/connectors/{id}") => AuditAction::ConnectorUpdate,
        ("POST", "/connectors/{id}/enable") => AuditAction::ConnectorEnable,
        ("POST", "/connectors/{id}/disable") => AuditAction::ConnectorDisable,
        ("POST", "/connect-links") => AuditAction::LinkCreate,
        ("POST", "/connect-links/{id}/revoke") => AuditAction::LinkRevoke,
        ("POST", "/exchange") => AuditAction::LinkExchange,
        ("DELETE", "/connections/{id}") => AuditAction::ConnectionDisconnect,
        ("POST", "/connections/{id}/refresh") => AuditAction::ConnectionRefresh,
        _ => return None,
    })
}

async fn not_found() -> Problem {
    Problem::not_found()
}

async fn serve_openapi(axum::extract::State(api): axum::extract::State<Api>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        api.openapi_json.as_str().to_owned(),
    )
        .into_response()
}

/// Requests per key per minute, counted in fixed one-minute windows in this process.
struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<uuid::Uuid, (Instant, u32)>>,
}

impl RateLimiter {
    fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` when the key has used its minute.
    fn check(&self, key: uuid::Uuid) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let (start, count) = windows.entry(key).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let left = Duration::from_secs(60).saturating_sub(now.duration_since(*start));
            return Err(left.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

/// An authenticated, rate-limited API caller.
pub struct Caller(pub ApiPrincipal);

impl Caller {
    /// `403 insufficient_scope` unless the key carries `scope`.
    pub fn require(&self, scope: &str) -> Result<(), Problem> {
        if self.0.has(scope) {
            Ok(())
        } else {
            Err(Problem::insufficient_scope(scope))
        }
    }
}

/// Where the [`Caller`] extractor leaves the authenticated key for the audit middleware.
#[derive(Clone, Default)]
struct AuditSlot(Arc<Mutex<Option<ApiPrincipal>>>);

impl FromRequestParts<Api> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, value) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
            })
            .unwrap_or_default();
        let principal = api_keys::authenticate(&api.app.db, api.app.clock.as_ref(), bearer)
            .await
            .map_err(Problem::from)?
            .ok_or_else(Problem::unauthorized)?;
        api.limiter
            .check(principal.key_id)
            .map_err(Problem::rate_limited)?;
        if let Some(slot) = parts.extensions.get::<AuditSlot>() {
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(principal.clone());
        }
        Ok(Caller(principal))
    }
}

/// Parses a JSON body: `415` without a JSON content type, `400` when it is not valid JSON of the
/// documented shape (an array where the document names an object is refused, although serde would
/// read a struct from one).
pub fn parse_json<T: DeserializeOwned + utoipa::ToSchema>(
    api: &Api,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Problem> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let mime = v.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
        });
    if !json {
        return Err(Problem::unsupported_media_type());
    }
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}")))?;
    api.shapes
        .check::<T>(&mut value)
        .map_err(|e| Problem::bad_request(format!("The body is not valid: {e}")))?;
    serde_json::from_value(value)
        .map_err(|e| Problem::bad_request(format!("The body is not valid: {e}")))
}

/// Parses a query string: `400` when it does not fit.
pub fn parse_query<T: DeserializeOwned + Default>(query: Option<&str>) -> Result<T, Problem> {
    match query {
        None | Some("") => Ok(T::default()),
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|e| Problem::bad_request(format!("The query is not valid: {e}"))),
    }
}

/// `limit` as given: absent → the default; 0, negative or not a number → `400`; above the
/// maximum → clamped.
pub fn page_limit(limit: Option<&str>) -> Result<u64, Problem> {
    let Some(text) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    let refused = || Problem::bad_request("limit must be a whole number of at least 1.");
    let digits = text.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    // Any count of digits is a whole number; past u64 it is simply larger than the maximum.
    match digits.parse::<u64>() {
        Ok(0) => Err(refused()),
        Ok(n) => Ok(n.min(MAX_LIMIT)),
        Err(_) if digits.bytes().any(|b| b != b'0') => Ok(MAX_LIMIT),
        Err(_) => Err(refused()),
    }
}

/// The documented form of `limit`: any whole number from 1 (larger ones read as [`MAX_LIMIT`]).
pub(crate) fn page_limit_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .build()
}

/// The id an id-ordered listing's `cursor` names: `400` when it is not one the API issued.
pub fn id_cursor(text: &str) -> Result<uuid::Uuid, Problem> {
    app::domain::services::paging::after(text)
        .ok_or_else(|| Problem::bad_request("cursor is not one this API issued."))
}

/// A path id: anything that is not a UUID is simply not found.
pub fn path_id(text: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(text).map_err(|_| Problem::not_found())
}

/// Characters the domain refuses in any one-line text (Unicode's control characters, `Cc`).
const NO_CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// The documented form of a one-line text the domain accepts: something besides white space (it
/// is trimmed), no control characters, at most `max` characters. `nullable` where `null` means
/// "unchanged".
pub(crate) fn one_line_schema(max: usize, nullable: bool) -> utoipa::openapi::Object {
    text_schema(
        max,
        nullable,
        format!("^[^{NO_CONTROL}]*[^\\s{NO_CONTROL}][^{NO_CONTROL}]*$"),
    )
}

/// The documented form of an identifier such as an external id: one line without white space.
pub(crate) fn identifier_schema(max: usize, nullable: bool) -> utoipa::openapi::Object {
    text_schema(max, nullable, format!("^[^\\s{NO_CONTROL}]+$"))
}

fn text_schema(max: usize, nullable: bool, pattern: String) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(pattern))
        .build()
}

/// RFC 3339 text of a time.
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changing_operation_has_an_audit_action() {
        let doc = serde_json::to_value(openapi()).expect("document");
        let paths = doc["paths"].as_object().expect("paths");
        let mut seen = 0;
        for (path, item) in paths {
            for method in ["post", "put", "patch", "delete"] {
                if item.get(method).is_some() {
                    seen += 1;
                    let method = method.to_uppercase();
                    assert!(
                        rest_action(&method, path, StatusCode::OK).is_some(),
                        "{method} {path}"
                    );
                }
            }
        }
        assert!(seen >= 12, "{seen}");
        let upsert = "/api/v1/tenants/by-external-id/{external_id}";
        assert_eq!(
            rest_action("PUT", upsert, StatusCode::CREATED),
            Some(AuditAction::TenantCreate)
        );
        assert_eq!(
            rest_action("PUT", upsert, StatusCode::OK),
            Some(AuditAction::TenantUpdate)
        );
    }

    #[test]
    fn limits_are_checked_or_clamped() {
        assert_eq!(page_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(page_limit(Some("10")), Ok(10));
        assert_eq!(page_limit(Some("1000000000")), Ok(MAX_LIMIT));
        assert_eq!(
            page_limit(Some("99999999999999999999999999")),
            Ok(MAX_LIMIT)
        );
        assert_eq!(page_limit(Some(&"9".repeat(400))), Ok(MAX_LIMIT));
        assert_eq!(page_limit(Some("007")), Ok(7));
        for bad in ["0", "-1", "ten", "", "1.5", "00", "+", "1e3"] {
            assert!(page_limit(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_rate_limit_counts_per_key() {
        let limiter = RateLimiter::new(2);
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let retry = limiter.check(a).expect_err("third request refused");
        assert!((1..=60).contains(&retry));
        assert!(limiter.check(b).is_ok());
    }
}
