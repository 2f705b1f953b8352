//! `spawn_app` and friends: a freshly migrated database per test, on either backend.

use std::collections::HashMap;
use std::sync::Arc;

use app::domain::AppState;
use app::domain::clock::ManualClock;
use app::domain::password::WorkFactors;
use app::domain::services::throttle::ThrottlePolicy;
use app::error::AppError;
use leptos::server_fn::ServerFn;
use reqwest::cookie::{CookieStore, Jar};
use sea_orm::{ConnectionTrait, Database};
use server::{Application, Config, Overrides};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static PG_READY: OnceCell<Option<String>> = OnceCell::const_new();

impl Backend {
    /// PostgreSQL when reachable. With `CI=true` an unreachable server fails the test; elsewhere
    /// the test is skipped with a visible message.
    pub async fn postgres() -> Option<Backend> {
        let url = PG_READY
            .get_or_init(|| async {
                let url = std::env::var("AUTHLINK_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
                match Database::connect(&url).await {
                    Ok(db) => {
                        drop_leftover_databases(&db).await;
                        Some(url)
                    }
                    Err(e) => {
                        if std::env::var("CI").is_ok_and(|v| v == "true") {
                            panic!("CI=true but PostgreSQL at {url} is not reachable: {e}");
                        }
                        eprintln!("SKIPPED PostgreSQL tests: {url} is not reachable ({e}); set AUTHLINK_TEST_POSTGRES_URL");
                        None
                    }
                }
            })
            .await
            .clone();
        url.map(|admin_url| Backend::Postgres { admin_url })
    }
}

/// Removes databases left by earlier runs whose tests panicked before cleaning up: those whose
/// name carries the id of a process that is gone (or no process id, from older runs). A suite
/// running at the same time on the same server keeps its databases.
async fn drop_leftover_databases(db: &sea_orm::DatabaseConnection) {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'authlink_test_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let owner = name
            .strip_prefix("authlink_test_p")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let alive = owner.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = db
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// Runs `$body(backend)` as two tests, `sqlite` and `postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(backend) = $crate::helpers::Backend::postgres().await {
                        super::$name(backend).await;
                    }
                }
            }
        )*
    };
}

/// A running application and a browser-like client with a cookie jar.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    overrides: Overrides,
    /// Holds the SQLite file and master key until the test ends.
    _data_dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
}

/// Cheap hashing so tests stay fast; the OWASP parameters are covered by a unit test.
const TEST_WORK_FACTORS: WorkFactors = WorkFactors {
    memory_kib: 1024,
    iterations: 1,
    parallelism: 1,
};

/// Knobs for [`spawn_app_with`].
#[derive(Default)]
pub struct TestOptions {
    pub throttle: ThrottlePolicy,
    pub extra_env: Vec<(&'static str, String)>,
    /// Time limit of requests to providers (default 5 s).
    pub outbound_timeout: Option<std::time::Duration>,
    /// Run the background workers (off by default: tests drive them by hand).
    pub background_workers: bool,
    /// Ask for the setup code although the test server listens on loopback.
    pub setup_code: bool,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, TestOptions::default()).await
}

/// Everything the servers of this test process logged at `info` and above, as a production
/// server logs by default.
static LOGS: std::sync::OnceLock<Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();

struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> Arc<std::sync::Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let installed = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .try_init();
        assert!(
            installed.is_ok(),
            "the test log capture is the only subscriber"
        );
        buffer
    })
    .clone()
}

/// What every server in this process has logged so far.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&capture_logs().lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// A new, empty database of `backend` (SQLite: file `file` in `dir`): its URL and, on
/// PostgreSQL, `(admin URL, name)` for [`drop_database`].
pub async fn new_database(
    backend: &Backend,
    dir: &std::path::Path,
    file: &str,
) -> (String, Option<(String, String)>) {
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join(file).display()),
            None,
        ),
        Backend::Postgres { admin_url } => {
            let name = format!(
                "authlink_test_p{}_{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            );
            let admin = Database::connect(admin_url)
                .await
                .expect("postgres admin connection");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(admin_url).expect("postgres url");
            url.set_path(&name);
            (url.to_string(), Some((admin_url.clone(), name)))
        }
    }
}

/// Drops a database [`new_database`] created on PostgreSQL.
pub async fn drop_database(pg_database: Option<(String, String)>) {
    if let Some((admin_url, name)) = pg_database
        && let Ok(admin) = Database::connect(&admin_url).await
    {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

pub async fn spawn_app_with(backend: Backend, options: TestOptions) -> TestApp {
    capture_logs();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg_database) = new_database(&backend, data_dir.path(), "test.db").await;

    let mut env: HashMap<&str, String> = HashMap::from([
        ("AUTHLINK_BIND", "127.0.0.1:0".to_owned()),
        ("AUTHLINK_PUBLIC_URL", "http://localhost".to_owned()),
        ("AUTHLINK_DATA_DIR", data_dir.path().display().to_string()),
        ("DATABASE_URL", database_url),
        (
            "LEPTOS_SITE_ROOT",
            data_dir.path().join("site").display().to_string(),
        ),
        ("AUTHLINK_DB_MAX_CONNECTIONS", "5".to_owned()),
        // Receivers in tests listen on loopback.
        ("AUTHLINK_WEBHOOK_ALLOW_PRIVATE", "true".to_owned()),
        // Every test comes from 127.0.0.1 on a clock that stands still; the limit has its own.
        ("AUTHLINK_END_USER_RATE_LIMIT", "1000000".to_owned()),
    ]);
    env.extend(options.extra_env);
    let config = Config::from_lookup(|name| env.get(name).cloned()).expect("test config");

    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let overrides = Overrides {
        clock: clock.clone(),
        work_factors: TEST_WORK_FACTORS,
        throttle: options.throttle,
        outbound_timeout: options
            .outbound_timeout
            .unwrap_or(std::time::Duration::from_secs(5)),
        background_workers: options.background_workers,
        setup_code_on_loopback: options.setup_code,
    };
    let app = Application::build(config.clone(), overrides.clone())
        .await
        .expect("application builds");
    let addr = app.local_addr();
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));

    let jar = Arc::new(Jar::default());
    let client = client_with(jar.clone());
    TestApp {
        base: format!("http://{addr}"),
        client,
        jar,
        state,
        clock,
        config,
        overrides,
        _data_dir: data_dir,
        pg_database,
    }
}

/// A client that keeps cookies in `jar`, never follows redirects, and identifies its requests as
/// same-origin the way a browser does.
pub fn client_with(jar: Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The outcome of a server-function call.
#[derive(Debug)]
pub struct FnResponse {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl FnResponse {
    /// The error the server function returned.
    pub fn app_error(&self) -> AppError {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {} {}", self.status, self.body))
    }

    pub fn is_ok(&self) -> bool {
        self.status.is_success()
    }
}

impl TestApp {
    /// The production environment's id.
    pub async fn production(&self) -> app::domain::ids::EnvironmentId {
        app::domain::ids::EnvironmentId(
            app::domain::services::environments::production(&self.state.db)
                .await
                .expect("production")
                .id,
        )
    }

    /// Starts another server on the same database, data directory and clock: a second instance
    /// behind a load balancer, or this one after a restart.
    pub async fn another_instance(&self) -> AppState {
        let mut config = self.config.clone();
        config.bind = "127.0.0.1:0".parse().expect("address");
        let app = Application::build(config, self.overrides.clone())
            .await
            .expect("second instance builds");
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        state
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls the server function `F` with form fields, as the hydrated UI does.
    pub async fn call<F: ServerFn>(&self, fields: &[(&str, &str)]) -> FnResponse {
        self.call_with(&self.client, F::PATH, fields).await
    }

    pub async fn call_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> FnResponse {
        self.send_same_origin(client.post(self.url(path)).form(fields))
            .await
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json<F: ServerFn>(&self, body: serde_json::Value) -> FnResponse {
        self.call_json_with(&self.client, F::PATH, body).await
    }

    /// Calls the server function at `path`, which takes JSON, from `client`.
    pub async fn call_json_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> FnResponse {
        self.send_same_origin(client.post(self.url(path)).json(&body))
            .await
    }

    /// Sends `request` marked as same-origin, the way a browser sends a server-function call.
    async fn send_same_origin(&self, request: reqwest::RequestBuilder) -> FnResponse {
        let response = request
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .expect("request");
        FnResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        }
    }

    /// The value of the session cookie, if the jar holds one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("authlink_session=").map(str::to_owned))
    }

    /// Completes owner setup with these credentials (the client is signed in afterwards).
    pub async fn setup_owner(&self, email: &str, password: &str) -> FnResponse {
        self.call::<app::api::auth::SetupOwner>(&[
            ("email", email),
            ("password", password),
            ("password_confirmation", password),
            ("product_name", "Acme CRM"),
        ])
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> FnResponse {
        self.call::<app::api::auth::SignIn>(&[("email", email), ("password", password)])
            .await
    }

    /// Who the server thinks is signed in on `client`.
    pub async fn whoami_with(&self, client: &reqwest::Client) -> Option<app::types::CurrentUser> {
        let response = self
            .call_with(
                client,
                <app::api::auth::GetCurrentUser as ServerFn>::PATH,
                &[],
            )
            .await;
        assert!(response.is_ok(), "get_current_user failed: {response:?}");
        serde_json::from_str(&response.body).expect("current user json")
    }

    pub async fn whoami(&self) -> Option<app::types::CurrentUser> {
        self.whoami_with(&self.client).await
    }

    /// Drops the PostgreSQL test database (SQLite files go with the temp dir).
    pub async fn cleanup(self) {
        let TestApp {
            state, pg_database, ..
        } = self;
        state.db.close().await.ok();
        drop_database(pg_database).await;
    }
}

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "correct horse battery staple";
