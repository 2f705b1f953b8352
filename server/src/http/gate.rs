//! Which pages a visitor may see: the owner-setup page until setup is done, the sign-in pages
//! until signed in, the dashboard after (once two-factor sign-in is on, where the owner requires
//! it). Server functions check roles themselves; this gate only
//! spares visitors pages they cannot use.

use app::domain::AppState;
use app::domain::session::{SignedInMemo, must_set_up_two_factor};
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Paths the gate never touches: assets, health checks, server functions, the REST API, and the
/// pages end users reach without an account.
const UNGATED_PREFIXES: &[&str] = &[
    "/pkg/",
    "/rpc/",
    "/api/",
    "/healthz",
    "/readyz",
    "/favicon",
    "/brand/",
    "/connect/",
    "/invite/",
    "/sso/",
    "/oauth/",
    "/demo/",
];

/// The gate's state.
#[derive(Clone)]
pub struct Gate {
    state: AppState,
}

impl Gate {
    /// A gate over `state`.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Setup, once done, is never undone: the installation cache answers without a query after.
    async fn setup_done(&self) -> bool {
        self.state
            .installation
            .get(&self.state.db)
            .await
            .ok()
            .flatten()
            .is_some()
    }
}

/// Redirects page requests (303) to where the visitor can act.
pub async fn require_setup_and_session(
    State(gate): State<Gate>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_page = matches!(*request.method(), Method::GET | Method::HEAD)
        && !UNGATED_PREFIXES.iter().any(|p| path.starts_with(p));
    if !is_page {
        return next.run(request).await;
    }
    let path = path.to_owned();

    if !gate.setup_done().await {
        return if path == "/setup" {
            next.run(request).await
        } else {
            Redirect::to("/setup").into_response()
        };
    }
    if path == "/setup" {
        return Redirect::to("/sign-in").into_response();
    }
    let memo = request
        .extensions()
        .get::<SignedInMemo>()
        .cloned()
        .unwrap_or_default();
    let user = match request.extensions().get::<Session>() {
        Some(session) => memo.get(&gate.state, session).await.ok().flatten(),
        None => None,
    };
    let Some(user) = user else {
        return if matches!(path.as_str(), "/sign-in" | SECOND_FACTOR_PAGE) {
            next.run(request).await
        } else {
            Redirect::to("/sign-in").into_response()
        };
    };
    if path == "/sign-in" || path == SECOND_FACTOR_PAGE {
        return Redirect::to("/tenants").into_response();
    }
    let must_enrol = must_set_up_two_factor(&gate.state, &user)
        .await
        .unwrap_or(false);
    if must_enrol && path != TWO_FACTOR_SETUP_PAGE {
        return Redirect::to(TWO_FACTOR_SETUP_PAGE).into_response();
    }
    next.run(request).await
}

/// Where a sign-in asks for its second factor.
const SECOND_FACTOR_PAGE: &str = "/sign-in/two-factor";
/// Where an admin the owner's two-factor rule applies to sets it up before anything else.
const TWO_FACTOR_SETUP_PAGE: &str = "/two-factor";
