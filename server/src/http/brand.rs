//! The brand's files and the logo upload: `GET /brand/logo/{digest}.png`,
//! `GET /brand/theme/{colour}.css` and `POST /settings/branding/logo`.
//!
//! The logo is a form post with a file, so it works without JavaScript; it answers with a
//! redirect back to Settings that names the outcome by code.

use app::brand::{Theme, check_accent};
use app::domain::AppState;
use app::domain::services::audit::{Actor, Entry, record_logged};
use app::domain::services::branding::{self, LogoError, logo};
use app::domain::session::{ClientIp, session_admin};
use app::types::{AuditAction, Role, limits};
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Where the Settings page posts a logo to.
pub const LOGO_UPLOAD_PATH: &str = "/settings/branding/logo";
/// The largest upload request: the logo and the form around it.
pub const UPLOAD_BODY_LIMIT: usize = limits::LOGO_MAX_BYTES + 16 * 1024;

/// Files named by their content are the same for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The current logo, as stored (re-encoded PNG).
pub async fn logo(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(digest) = file
        .strip_suffix(".png")
        .filter(|d| !d.is_empty() && d.len() <= 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match branding::logo_png(&state.db, digest).await {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, IMMUTABLE),
                (header::CONTENT_DISPOSITION, "inline; filename=\"logo.png\""),
                // End users' pages show it; other sites may not.
                (
                    header::HeaderName::from_static("cross-origin-resource-policy"),
                    "same-origin",
                ),
            ],
            png,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "logo could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The stylesheet for an accent colour; only colours that pass the contrast check have one.
pub async fn theme(Path(file): Path<String>) -> Response {
    let accent = file
        .strip_suffix(".css")
        .filter(|hex| hex.len() == 6)
        .and_then(|hex| check_accent(&format!("#{hex}")).ok());
    match accent {
        Some(accent) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, IMMUTABLE),
            ],
            Theme::for_accent(accent).css(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// What the form asked for.
enum Upload {
    Replace(Vec<u8>),
    Remove,
}

/// Reads the form: the file in `logo`, or `remove` to take the logo away. A file over the limit
/// is refused while it arrives, without holding more than the limit.
async fn read_form(mut form: Multipart) -> Result<Upload, LogoError> {
    let mut file = None;
    while let Ok(Some(mut field)) = form.next_field().await {
        match field.name() {
            Some("remove") => return Ok(Upload::Remove),
            Some("logo") => {
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > limits::LOGO_MAX_BYTES {
                                return Err(LogoError::TooLarge);
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        // The body limit cut the request off.
                        Err(_) => return Err(LogoError::TooLarge),
                    }
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    file.map(Upload::Replace).ok_or(LogoError::Empty)
}

fn back_to_settings(outcome: Result<&str, LogoError>) -> Response {
    let query = match outcome {
        Ok(done) => format!("logo={done}"),
        Err(e) => format!("logo_error={}", e.code()),
    };
    Redirect::to(&format!("/settings?{query}#branding")).into_response()
}

/// Replaces or removes the logo (admins only), then goes back to Settings.
pub async fn upload_logo(
    State(state): State<AppState>,
    session: Session,
    ip: Option<Extension<ClientIp>>,
    form: Multipart,
) -> Response {
    let user = match session_admin(&state.db, &state, &session).await {
        Ok(Some(user)) if user.role.allows(Role::Admin) => user,
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return Redirect::to("/sign-in").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let logo = match read_form(form).await {
        Ok(Upload::Remove) => None,
        Ok(Upload::Replace(bytes)) => {
            // Decoding is CPU work; it must not hold up the runtime's other requests.
            match tokio::task::spawn_blocking(move || logo::accept(&bytes)).await {
                Ok(Ok(accepted)) => Some(accepted),
                Ok(Err(refused)) => return back_to_settings(Err(refused)),
                Err(_) => return back_to_settings(Err(LogoError::Unreadable)),
            }
        }
        Err(refused) => return back_to_settings(Err(refused)),
    };
    let removed = logo.is_none();
    let details = logo
        .as_ref()
        .map(|l| serde_json::json!({ "logo": l.digest, "width": l.width, "height": l.height }))
        .unwrap_or_else(|| serde_json::json!({ "logo": null }));
    let now = state.clock.now();
    if let Err(e) = branding::set_logo(&state.db, &state.installation, now, logo).await {
        tracing::error!(error = %e, "logo could not be saved");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let actor = Actor::Admin {
        id: user.admin.id,
        email: user.admin.email.clone(),
    };
    record_logged(
        &state.db,
        now,
        Entry {
            actor: &actor,
            action: AuditAction::BrandingUpdate,
            target_id: Some("branding".into()),
            ip: ip.as_deref(),
            details: Some(details),
        },
    )
    .await;
    tracing::info!(admin_id = %user.admin.id, removed, "logo changed");
    back_to_settings(Ok(if removed { "removed" } else { "saved" }))
}
