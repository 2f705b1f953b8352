//! The router: Leptos pages and server functions, health checks, and the middleware stack.

mod audit_export;
mod brand;
mod connect;
mod end_user_limit;
mod gate;
mod health;
mod language;
pub mod security;
mod sso;

use std::sync::Arc;

use app::api::SERVER_FN_PREFIX;
use app::domain::AppState;
use app::domain::session::DbSessionStore;
use app::domain::session::SignedInMemo;
use app::error::AppError;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the complete router for `state`.
pub fn router(config: &Config, state: AppState) -> Router {
    let context_state = state.clone();
    let context = move || provide_context(context_state.clone());
    let routes = generate_route_list(App);

    let secure = config.secure_cookies();
    let sessions =
        SessionManagerLayer::new(DbSessionStore::new(state.db.clone(), state.clock.clone()))
            // `__Host-` pins the cookie to this host and path `/`, and requires Secure.
            .with_name(if secure {
                "__Host-authlink_session"
            } else {
                "authlink_session"
            })
            .with_secure(secure)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(
                time::Duration::try_from(config.session_idle).unwrap_or(time::Duration::HOUR),
            ));

    let security = Arc::new(security::SecurityConfig::new(config));
    let gate = gate::Gate::new(state.clone());

    let leptos_options = state.leptos_options.clone();
    let end_user_limit = Arc::new(connect::Limited {
        limit: end_user_limit::EndUserLimit::new(
            config.end_user_rate_limit_per_minute,
            state.clock.clone(),
        ),
        state: state.clone(),
    });
    let end_user_routes = Router::new()
        .route("/connect/{token}", get(connect::show).post(connect::submit))
        .route("/oauth/callback", get(connect::callback))
        .route("/oauth/retry", axum::routing::post(connect::retry))
        .route_layer(middleware::from_fn_with_state(
            end_user_limit,
            connect::rate_limit,
        ));
    let mut own_routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/audit.csv", get(audit_export::export))
        .route("/brand/logo/{file}", get(brand::logo))
        .route("/brand/theme/{file}", get(brand::theme))
        .route("/sso/start", axum::routing::post(sso::start))
        .route(
            app::domain::services::sso::CALLBACK_PATH,
            get(sso::callback),
        )
        .merge(end_user_routes);
    own_routes = own_routes.merge(crate::rest::router(
        state.clone(),
        config.api_rate_limit_per_minute,
        security::BODY_LIMIT_BYTES,
    ));
    if config.demo {
        own_routes = own_routes.merge(crate::demo::routes(crate::demo::DemoProvider::new(
            state.clone(),
        )));
    }
    // The one route that takes more than a form's worth of body: its own, larger limit.
    let uploads = Router::new()
        .route(
            brand::LOGO_UPLOAD_PATH,
            axum::routing::post(brand::upload_logo),
        )
        .layer(sessions.clone())
        .layer(RequestBodyLimitLayer::new(brand::UPLOAD_BODY_LIMIT))
        .with_state(state.clone());
    let pages = own_routes
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(
            gate,
            gate::require_setup_and_session,
        ))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(fresh_signed_in_memo))
        .layer(sessions)
        .layer(RequestBodyLimitLayer::new(security::BODY_LIMIT_BYTES))
        .with_state(state)
        .merge(uploads);

    pages.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only (query strings carry codes), without link tokens.
                    tracing::info_span!("request", id = %request_id, method = %request.method(), path = %redact_path(request.uri().path()))
                }),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(middleware::from_fn_with_state(security.clone(), security::headers))
            .layer(middleware::from_fn_with_state(security.clone(), security::limit_body))
            .layer(middleware::from_fn_with_state(security.clone(), security::client_ip))
            .layer(middleware::from_fn_with_state(security, security::reject_cross_site)),
    )
}

/// Gives every request its own [`SignedInMemo`], so the account is read once per request.
async fn fresh_signed_in_memo(mut request: Request<Body>, next: Next) -> Response {
    request.extensions_mut().insert(SignedInMemo::default());
    next.run(request).await
}

/// The request path as logged: the token of a connect link or an invitation is a credential and
/// is cut out.
pub(crate) fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/connect/", "/invite/"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return format!("{prefix}…").into();
        }
    }
    path.into()
}

/// Leptos answers every server-function error with 500; the status is corrected here from the
/// [`AppError`] in the body, so clients and logs see 422, 401, 403, 409 or 429 for what they are.
async fn server_fn_error_status(request: Request<Body>, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with(SERVER_FN_PREFIX);
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, security::BODY_LIMIT_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status_code();
        if let AppError::RateLimited { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
