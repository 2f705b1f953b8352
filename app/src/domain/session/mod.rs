//! Who is making the request: dashboard sessions and role checks for server functions. The
//! session's contents are [`signed_in`]; its storage is [`store`].

mod signed_in;
mod store;

pub use store::DbSessionStore;

use signed_in::{SIGNED_IN_KEY, SignedIn, Standing};

use sea_orm::ConnectionTrait;
use std::sync::Arc;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::domain::entities::admin_user;
use crate::domain::ids::EnvironmentId;
use crate::domain::services;
use crate::domain::services::admin::find_admin;
use crate::domain::{AppState, app_state};
use crate::error::AppError;
use crate::types::{AuditAction, Role};

/// The client's address as the server determined it (socket peer, or a trusted proxy header).
/// Put into request extensions by the server's middleware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// A signed-in admin user.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The account.
    pub admin: admin_user::Model,
    /// Its role.
    pub role: Role,
}

/// Session key under which a sign-in waiting for its second factor is kept.
const SECOND_FACTOR_KEY: &str = "second_factor";
/// How long a password sign-in waits for its second factor.
pub const SECOND_FACTOR_WAITS_SECS: i64 = 300;

/// A sign-in whose password was right and whose second factor is still to come.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct AwaitingSecondFactor {
    admin_id: uuid::Uuid,
    since: i64,
}

/// Gives `session` a fresh id (no fixation) and drops `stale` from it; what this request knew
/// about who is signed in is forgotten.
async fn renew_id_without(session: &Session, stale: &str) -> Result<(), AppError> {
    current_memo().await.forget().await;
    session.cycle_id().await?;
    session.remove::<serde_json::Value>(stale).await?;
    Ok(())
}

/// Marks `session` as waiting for `admin`'s second factor, under a fresh session id; it is not
/// signed in until [`start_session`].
pub async fn await_second_factor(
    session: &Session,
    admin: &admin_user::Model,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    renew_id_without(session, SIGNED_IN_KEY).await?;
    session
        .insert(
            SECOND_FACTOR_KEY,
            AwaitingSecondFactor {
                admin_id: admin.id,
                since: now.unix_timestamp(),
            },
        )
        .await?;
    Ok(())
}

/// The account whose second factor `session` waits for, if it still waits.
pub async fn awaiting_second_factor(
    session: &Session,
    now: OffsetDateTime,
) -> Result<Option<uuid::Uuid>, AppError> {
    let Some(waiting) = session
        .get::<AwaitingSecondFactor>(SECOND_FACTOR_KEY)
        .await?
    else {
        return Ok(None);
    };
    if now.unix_timestamp() - waiting.since > SECOND_FACTOR_WAITS_SECS {
        session
            .remove::<serde_json::Value>(SECOND_FACTOR_KEY)
            .await?;
        return Ok(None);
    }
    Ok(Some(waiting.admin_id))
}

/// Marks `session` as signed in as `admin`, under a fresh session id (no fixation).
pub async fn start_session(
    session: &Session,
    admin: &admin_user::Model,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    renew_id_without(session, SECOND_FACTOR_KEY).await?;
    session
        .insert(
            SIGNED_IN_KEY,
            SignedIn {
                admin_id: admin.id,
                signed_in_at: now.unix_timestamp(),
                seen_at: now.unix_timestamp(),
            },
        )
        .await?;
    Ok(())
}

/// Ends the session: its row is deleted and the cookie cleared.
pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    current_memo().await.forget().await;
    Ok(())
}

/// The account signed in on `session`, if any. Sessions older than the absolute timeout, or whose
/// account no longer exists, are ended.
pub async fn session_admin(
    db: &impl ConnectionTrait,
    state: &AppState,
    session: &Session,
) -> Result<Option<Authenticated>, AppError> {
    let Some(signed_in) = session.get::<SignedIn>(SIGNED_IN_KEY).await? else {
        return Ok(None);
    };
    let now = state.clock.now().unix_timestamp();
    let standing = signed_in.standing(now, state);
    if standing == Standing::Lapsed {
        session.flush().await?;
        return Ok(None);
    }
    let Some(admin) = find_admin(db, signed_in.admin_id).await? else {
        session.flush().await?;
        return Ok(None);
    };
    let role = admin.role.parse::<Role>().map_err(|e| {
        tracing::error!(admin_id = %admin.id, error = %e, "stored role is invalid");
        AppError::Internal
    })?;
    // The idle timeout counts from the last request, but the session is only written when it
    // changes: mark it changed now and then, not on every request.
    if standing == Standing::DueForRenewal {
        session
            .insert(
                SIGNED_IN_KEY,
                SignedIn {
                    seen_at: now,
                    ..signed_in
                },
            )
            .await?;
    }
    Ok(Some(Authenticated { admin, role }))
}

/// The common case in one query: a live session whose row names its account, within the absolute
/// timeout and not due for renewal. `None` leaves the decision to [`session_admin`], which also
/// ends sessions that have lapsed and renews the idle timeout.
async fn signed_in_at_once(
    state: &AppState,
    session: &Session,
) -> Result<Option<Authenticated>, AppError> {
    let Some(id) = session.id() else {
        return Ok(None);
    };
    let now = state.clock.now();
    let Some((data, Some(admin))) = store::load_with_account(&state.db, &id, now).await? else {
        return Ok(None);
    };
    let Some(signed_in) = SignedIn::from_data(&data) else {
        return Ok(None);
    };
    let current = signed_in.admin_id == admin.id
        && signed_in.standing(now.unix_timestamp(), state) == Standing::Current;
    Ok(match admin.role.parse::<Role>() {
        Ok(role) if current => Some(Authenticated { admin, role }),
        _ => None,
    })
}

/// The current request's session (inside a server function).
pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(AppError::internal("session layer missing"))
}

/// How the store names `session`'s row (the SHA-256 of its id), for keeping it when the account's
/// other sessions are ended.
pub fn stored_id(session: &Session) -> Option<String> {
    session.id().map(|id| store::id_hash(&id))
}

/// The current request's client address (inside a server function).
pub async fn current_client_ip() -> String {
    leptos_axum::extract::<axum::Extension<ClientIp>>()
        .await
        .map(|axum::Extension(ip)| ip.0)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The signed-in account, looked up at most once per request.
///
/// A dashboard page asks several times — the page gate, the layout's user menu and each server
/// function the page renders — and without this each would read the account again. The server
/// puts a fresh memo into every request's extensions; it never outlives the request, so a role
/// change or a deleted account takes effect on the next one.
#[derive(Clone, Default)]
pub struct SignedInMemo(Arc<tokio::sync::Mutex<Option<Option<Authenticated>>>>);

// Not derived: the account row carries the password hash.
impl std::fmt::Debug for SignedInMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedInMemo")
    }
}

impl SignedInMemo {
    /// The account signed in on `session` (see [`session_admin`]), read on first use.
    pub async fn get(
        &self,
        state: &AppState,
        session: &Session,
    ) -> Result<Option<Authenticated>, AppError> {
        // Held across the lookup: concurrent asks within one request wait for the first.
        let mut slot = self.0.lock().await;
        if let Some(known) = slot.as_ref() {
            return Ok(known.clone());
        }
        let found = match signed_in_at_once(state, session).await? {
            Some(found) => Some(found),
            None => session_admin(&state.db, state, session).await?,
        };
        *slot = Some(found.clone());
        Ok(found)
    }

    /// Forgets what was read (the request signed in or out).
    pub async fn forget(&self) {
        *self.0.lock().await = None;
    }
}

/// The current request's [`SignedInMemo`] (inside a server function); a fresh one when the
/// server did not provide it.
pub async fn current_memo() -> SignedInMemo {
    leptos_axum::extract::<axum::Extension<SignedInMemo>>()
        .await
        .map(|axum::Extension(memo)| memo)
        .unwrap_or_default()
}

/// Inside a server function: the account signed in on this request, if any.
pub async fn current_admin(state: &AppState) -> Result<Option<Authenticated>, AppError> {
    let session = current_session().await?;
    current_memo().await.get(state, &session).await
}

/// Inside a server function: the signed-in account, whatever its role, even while the owner's
/// two-factor rule still waits for it (for setting up two-factor sign-in and signing out).
pub async fn require_signed_in() -> Result<(AppState, Authenticated), AppError> {
    let state = app_state()?;
    let user = current_admin(&state)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((state, user))
}

/// Whether `user` may not use the dashboard until they turn on two-factor sign-in, because the
/// owner requires it for everyone.
pub async fn must_set_up_two_factor(
    state: &AppState,
    user: &Authenticated,
) -> Result<bool, AppError> {
    if user.admin.has_two_factor() {
        return Ok(false);
    }
    Ok(state
        .installation
        .get(&state.db)
        .await?
        .is_some_and(|i| i.require_two_factor))
}

/// Inside a server function: the signed-in account if its role allows `required`.
///
/// Every server function that reads or changes dashboard data starts with this. An account the
/// owner's two-factor rule applies to is refused until it has turned two-factor sign-in on.
pub async fn require_role(required: Role) -> Result<(AppState, Authenticated), AppError> {
    let (state, user) = require_signed_in().await?;
    if !user.role.allows(required) || must_set_up_two_factor(&state, &user).await? {
        return Err(AppError::Forbidden);
    }
    Ok((state, user))
}

/// Inside a server function: as [`require_role`], with the environment the admin is looking at;
/// every server function over environment data starts with this and passes it on.
pub async fn require_role_in(
    required: Role,
) -> Result<(AppState, Authenticated, EnvironmentId), AppError> {
    let (state, user) = require_role(required).await?;
    let environment = services::environments::current(&state.db, &user.admin).await?;
    Ok((state, user, EnvironmentId(environment.id)))
}

/// Writes an audit entry for an action the signed-in admin just took (with their address).
pub async fn audit_admin(
    state: &AppState,
    user: &Authenticated,
    action: AuditAction,
    target_id: impl ToString,
) {
    audit_admin_with(state, user, action, target_id, None).await;
}

/// Like [`audit_admin`], with details (never secrets).
pub async fn audit_admin_with(
    state: &AppState,
    user: &Authenticated,
    action: AuditAction,
    target_id: impl ToString,
    details: Option<serde_json::Value>,
) {
    use crate::domain::services::audit::{Actor, Entry, record_logged};

    let ip = current_client_ip().await;
    let actor = Actor::Admin {
        id: user.admin.id,
        email: user.admin.email.clone(),
    };
    record_logged(
        &state.db,
        state.clock.now(),
        Entry {
            actor: &actor,
            action,
            target_id: Some(target_id.to_string()),
            ip: Some(&ip),
            details,
        },
    )
    .await;
}
