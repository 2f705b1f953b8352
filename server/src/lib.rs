//! The Authlink server: configuration, start-up, the router and its middleware.
//!
//! [`Application::build`] wires everything from a [`Config`]; `main.rs` only parses the command
//! line. Tests build the same application on port 0.

pub mod cli;
pub mod config;
pub mod database;
pub mod demo;
pub mod http;
pub mod mail;
pub mod master_key;
pub mod rest;
pub mod telemetry;
pub mod workers;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use app::domain::password::{PasswordHasher, WorkFactors};
use app::domain::services::throttle::ThrottlePolicy;
use app::domain::{AppState, Clock, DomainSettings, SystemClock};
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

/// How long graceful shutdown waits for in-flight token refreshes.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

pub use config::Config;

/// Knobs that tests turn; production uses [`Overrides::default`].
#[derive(Clone)]
pub struct Overrides {
    /// The clock (tests inject a manual one).
    pub clock: Arc<dyn Clock>,
    /// Password hashing cost (tests use a cheap one).
    pub work_factors: WorkFactors,
    /// Sign-in throttling.
    pub throttle: ThrottlePolicy,
    /// Time limit of each request to a provider.
    pub outbound_timeout: std::time::Duration,
    /// Whether the background workers (webhook delivery, token refresh, sweeps) run; tests that
    /// drive them by hand switch them off.
    pub background_workers: bool,
    /// Ask for the setup code even when bound to a loopback address (tests of the code).
    pub setup_code_on_loopback: bool,
}

impl Default for Overrides {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            work_factors: WorkFactors::OWASP,
            throttle: ThrottlePolicy::default(),
            outbound_timeout: std::time::Duration::from_secs(20),
            background_workers: true,
            setup_code_on_loopback: false,
        }
    }
}

/// Until the owner exists, a server reachable from other machines prints the code that owner
/// setup asks for: only someone who can read this log can claim the installation.
async fn announce_setup_code(state: &AppState) -> anyhow::Result<()> {
    if !state.settings.setup_code_required
        || app::domain::services::admin::is_setup_complete(&state.db).await?
    {
        return Ok(());
    }
    let code = app::domain::services::setup_code::code(&state.keyring);
    tracing::warn!(
        setup_code = %code,
        "setup is not done: open /setup and enter this setup code to create the owner account (or run `authlink admin create`)"
    );
    Ok(())
}

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    workers: Option<workers::Settings>,
}

impl Application {
    /// Connects to the database, runs migrations, loads the master key and binds the listener.
    pub async fn build(config: Config, overrides: Overrides) -> anyhow::Result<Self> {
        let providers = app::domain::catalog::validate_builtin()
            .map_err(|e| anyhow::anyhow!("the built-in provider catalog is invalid: {e}"))?;
        let keyring = master_key::load_keyring(&config)?;
        let db = database::connect(&config).await?;
        database::migrate(&db).await?;

        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {} (AUTHLINK_BIND)", config.bind))?;
        let local_addr = listener.local_addr()?;

        let hashing_concurrency = std::thread::available_parallelism().map_or(2, |n| n.get());
        let state = AppState {
            leptos_options: leptos_options(&config, local_addr),
            db,
            keyring: Arc::new(keyring),
            clock: overrides.clock,
            settings: Arc::new(DomainSettings {
                public_origin: config.public_origin(),
                session_absolute_timeout: time::Duration::try_from(config.session_absolute)
                    .context("session lifetime out of range")?,
                throttle: overrides.throttle,
                secure_cookies: config.secure_cookies(),
                setup_code_required: overrides.setup_code_on_loopback
                    || !config.bind.ip().is_loopback(),
                sso: config.sso.clone(),
                password_sign_in_owner_only: config.password_sign_in_owner_only,
            }),
            http: app::domain::services::outbound::ProviderHttp::new(
                overrides.outbound_timeout,
                config.provider_simulator.clone(),
            ),
            refresh_locks: Arc::default(),
            background: tokio_util::task::TaskTracker::new(),
            webhooks: Arc::new(app::domain::services::webhooks::Deliverer::new(
                app::domain::services::webhooks::DeliveryPolicy {
                    timeout: config.webhook_timeout,
                    allow_private: config.webhook_allow_private,
                },
            )),
            passwords: Arc::new(
                PasswordHasher::new(overrides.work_factors, hashing_concurrency)
                    .map_err(|e| anyhow::anyhow!("password hasher: {e}"))?,
            ),
            installation: Default::default(),
            mail: match &config.smtp {
                Some(smtp) => Some(Arc::new(
                    mail::SmtpMailer::new(smtp).map_err(|e| anyhow::anyhow!("{e}"))?,
                )),
                None => None,
            },
        };
        if config.demo {
            demo::seed(&state)
                .await
                .map_err(|e| anyhow::anyhow!("cannot seed the demo data: {e}"))?;
            tracing::warn!(
                "demo mode: a built-in OAuth2 provider is served under /demo/ with a published client secret; do not use this in production"
            );
        }
        announce_setup_code(&state).await?;
        let router = http::router(&config, state.clone());
        tracing::info!(
            address = %local_addr,
            public_url = %config.public_url,
            database = database::backend_name(&state.db),
            key_id = %state.keyring.active_key_id(),
            providers,
            "Authlink is ready"
        );
        if let Some(simulator) = &config.provider_simulator {
            tracing::warn!(
                %simulator,
                "AUTHLINK_PROVIDER_SIMULATOR is set: every provider request to a non-loopback host goes to the simulator; this is for tests only"
            );
        }
        if config.webhook_allow_private {
            tracing::warn!(
                "AUTHLINK_WEBHOOK_ALLOW_PRIVATE is on: webhooks may be sent to private and loopback addresses"
            );
        }
        Ok(Self {
            listener,
            router,
            state,
            workers: overrides.background_workers.then(|| workers::Settings {
                refresh_margin: time::Duration::try_from(config.refresh_margin)
                    .unwrap_or(time::Duration::minutes(10)),
            }),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The shared state (tests use its database handle).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let workers = match &self.workers {
            Some(settings) => workers::spawn(&self.state, settings),
            None => Vec::new(),
        };
        use axum::serve::ListenerExt;
        // Pages are streamed in several writes; without TCP_NODELAY, Nagle's algorithm holds the
        // last one back until the client's delayed ACK (about 40 ms) on keep-alive connections.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error")?;
        for worker in workers {
            worker.abort();
        }
        // A refresh the provider has answered must be saved, or a rotated refresh token is lost.
        self.state.background.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, self.state.background.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                left = self.state.background.len(),
                "stopping with token refreshes still in flight"
            );
        }
        self.state.db.clone().close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}

fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("authlink")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
