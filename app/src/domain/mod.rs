//! The server-side domain: entities, services, crypto and session storage.
//! Compiled only with the `ssr` feature; nothing here reaches the wasm bundle.

pub mod catalog;
pub mod clock;
pub mod crypto;
pub mod entities;
pub mod ids;
pub mod oauth;
pub mod password;
pub mod security;
pub mod services;
pub mod session;

use std::sync::Arc;

use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

pub use clock::{Clock, SystemClock};
pub use crypto::Keyring;

/// Settings the domain needs at run time, taken from the server's configuration.
#[derive(Debug, Clone)]
pub struct DomainSettings {
    /// The origin browsers reach us at, e.g. `https://auth.example.com`.
    pub public_origin: String,
    /// How long a signed-in session may live regardless of activity.
    pub session_absolute_timeout: time::Duration,
    /// Sign-in throttling.
    pub throttle: services::throttle::ThrottlePolicy,
    /// Whether cookies get the `Secure` flag (public URL on https).
    pub secure_cookies: bool,
    /// Whether owner setup needs the setup code from the log (the server is reachable from
    /// other machines).
    pub setup_code_required: bool,
    /// Single sign-on, when configured.
    pub sso: Option<services::sso::SsoSettings>,
    /// Whether only the owner may sign in with a password (everyone else uses single sign-on).
    pub password_sign_in_owner_only: bool,
}

/// Everything a handler or server function needs, provided through Leptos context and axum state.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' own options (site root, output name, …).
    pub leptos_options: LeptosOptions,
    /// The database pool (SQLite or PostgreSQL).
    pub db: DatabaseConnection,
    /// The keys that encrypt secrets at rest.
    pub keyring: Arc<Keyring>,
    /// The source of "now"; injectable so time-dependent behaviour is testable without sleeping.
    pub clock: Arc<dyn Clock>,
    /// Run-time settings.
    pub settings: Arc<DomainSettings>,
    /// Password hashing (work factors and the dummy hash used for unknown accounts).
    pub passwords: Arc<password::PasswordHasher>,
    /// The HTTP client for calls to providers (timeouts, no redirects).
    pub http: services::outbound::ProviderHttp,
    /// One token refresh per connection at a time in this process.
    pub refresh_locks: Arc<services::connections::RefreshLocks>,
    /// Work that must finish even when the request that started it goes away (a token refresh
    /// whose answer may rotate the refresh token); graceful shutdown waits for it.
    pub background: tokio_util::task::TaskTracker,
    /// Sends webhooks (its own HTTP client: no redirects, public addresses only by default).
    pub webhooks: Arc<services::webhooks::Deliverer>,
    /// The installation row once setup has written it.
    pub installation: services::admin::InstallationCache,
    /// How e-mail to end users is sent; `None` when no mail server is configured (links are
    /// then only copied and sent by the admin).
    pub mail: Option<Arc<dyn services::emails::Mailer>>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state of the current request, for server functions.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::AppError::Internal
    })
}
