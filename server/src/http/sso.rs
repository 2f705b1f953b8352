//! Single sign-on: `POST /sso/start` sends the browser to the company's OpenID Connect provider,
//! `GET /sso/callback` signs it in (or on to its second factor). Failures go back to the sign-in
//! page as a code (`/sign-in?sso_error=…`), which it puts into words.

use app::domain::AppState;
use app::domain::services::audit::{Actor, Entry, record_logged};
use app::domain::services::sso::{self, Callback, PendingSso, SsoFailure};
use app::domain::session::{self, ClientIp};
use app::types::AuditAction;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Session key of a sign-in waiting for the provider.
const PENDING_KEY: &str = "sso_pending";

fn refused(failure: SsoFailure) -> Response {
    Redirect::to(&format!("/sign-in?sso_error={}", failure.code())).into_response()
}

/// Starts a sign-in with the provider (a form post, so no GET changes anything).
pub async fn start(State(state): State<AppState>, session: Session) -> Response {
    let Some(settings) = &state.settings.sso else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (url, pending) = match sso::start(
        settings,
        &state.settings.public_origin,
        state.clock.as_ref(),
    )
    .await
    {
        Ok(started) => started,
        Err(failure) => return refused(failure),
    };
    if session.insert(PENDING_KEY, pending).await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Redirect::to(&url).into_response()
}

/// The provider's answer: checks it, finds or creates the member and signs the browser in.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    ip: Option<Extension<ClientIp>>,
    Query(answer): Query<Callback>,
) -> Response {
    let Some(settings) = &state.settings.sso else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Taken out at once: a callback is used once, whatever becomes of it.
    let Ok(Some(pending)) = session.remove::<PendingSso>(PENDING_KEY).await else {
        return refused(SsoFailure::StateMismatch);
    };
    let email = match sso::finish(
        settings,
        &state.settings.public_origin,
        state.clock.as_ref(),
        pending,
        answer,
    )
    .await
    {
        Ok(email) => email,
        Err(failure) => {
            tracing::info!(failure = failure.code(), "single sign-on refused");
            return refused(failure);
        }
    };
    match sign_in(&state, &session, ip, email, settings.default_role).await {
        Ok(path) => Redirect::to(path).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "single sign-on could not sign in");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn sign_in(
    state: &AppState,
    session: &Session,
    ip: Option<Extension<ClientIp>>,
    email: String,
    role: app::types::Role,
) -> Result<&'static str, app::error::AppError> {
    let now = state.clock.now();
    let (account, created) = sso::member_for(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        email,
        role,
    )
    .await?;
    if account.has_two_factor() {
        session::await_second_factor(session, &account, now).await?;
        return Ok("/sign-in/two-factor");
    }
    let account = app::domain::services::admin::record_sign_in(&state.db, &account, now).await?;
    session::start_session(session, &account, now).await?;
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let actor = Actor::Admin {
        id: account.id,
        email: account.email.clone(),
    };
    record_logged(
        &state.db,
        now,
        Entry {
            actor: &actor,
            action: AuditAction::AdminSignIn,
            target_id: Some(account.id.to_string()),
            ip: ip.as_deref(),
            details: Some(serde_json::json!({ "method": "sso", "joined": created })),
        },
    )
    .await;
    tracing::info!(admin_id = %account.id, created, "signed in by single sign-on");
    Ok("/tenants")
}
