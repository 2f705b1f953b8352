//! The scenarios: data preparation, the server and the reference server, and each measurement
//! next to its reference.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use leptos::server_fn::ServerFn;
use sea_orm::{ConnectionTrait, Database, EntityTrait, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::load::{Measured, Request, measure};
use crate::{Guard, free_port, pinned, proc_stats, wait_ready};

/// How to run.
pub struct Settings {
    /// The server binary.
    pub server_bin: PathBuf,
    /// PostgreSQL admin URL, or SQLite when `None`.
    pub postgres: Option<String>,
    /// Tenants to seed.
    pub tenants: u64,
    /// Length of each measurement.
    pub duration: Duration,
    /// Load generator workers.
    pub concurrency: u32,
    /// The compiled site.
    pub site_root: PathBuf,
    /// Short run.
    pub smoke: bool,
    /// Logical cores of the machine (counted before pinning).
    pub cores: usize,
    /// Where `perf` profiles of the server go, when profiling.
    pub perf_dir: Option<PathBuf>,
}

/// One scenario's outcome.
#[derive(Debug, Serialize)]
pub struct ScenarioResult {
    /// Name.
    pub name: String,
    /// What the reference is.
    pub reference_name: String,
    /// The target, in words.
    pub target: String,
    /// Authlink.
    pub product: Measured,
    /// The reference.
    pub reference: Option<Measured>,
    /// The ratio the target is about.
    pub ratio: Option<f64>,
    /// Whether the target holds.
    pub met: Option<bool>,
    /// Server CPU time per request, ms.
    pub cpu_ms_per_request: Option<f64>,
    /// With `--perf`: the server's busiest functions during the measurement, `(percent, name)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<(f64, String)>,
}

/// Sizes of the wasm bundle.
#[derive(Debug, Default, Serialize)]
pub struct BundleSizes {
    /// Bytes as served.
    pub raw: u64,
    /// gzip -9.
    pub gzip: u64,
    /// brotli q11.
    pub brotli: u64,
    /// The crates with the most code, from the bundle as compiled (before wasm-opt).
    pub contributors: Vec<crate::wasm_size::Contributor>,
    /// Static data bytes in that bundle.
    pub data_bytes: u64,
}

/// Everything one run found.
#[derive(Debug, Serialize)]
pub struct Results {
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Tenants seeded.
    pub tenants: u64,
    /// Seconds per measurement.
    pub seconds: u64,
    /// Load generator workers.
    pub concurrency: u32,
    /// Logical cores of the machine.
    pub cores: usize,
    /// The scenarios.
    pub scenarios: Vec<ScenarioResult>,
    /// Server memory at rest after start-up, MiB.
    pub idle_rss_mib: Option<f64>,
    /// Server peak memory over the run, MiB.
    pub peak_rss_mib: Option<f64>,
    /// The wasm bundle.
    pub wasm: Option<BundleSizes>,
    /// Scenarios that could not run, with why.
    pub failures: Vec<String>,
}

impl Results {
    /// Whether every scenario ran with successful requests.
    pub fn all_ran(&self) -> bool {
        self.failures.is_empty()
            && self.scenarios.iter().all(|s| {
                s.product.success > 0.99 && s.reference.as_ref().is_none_or(|r| r.success > 0.99)
            })
    }
}

const OWNER_EMAIL: &str = "bench@example.com";
pub(crate) const OWNER_PASSWORD: &str = "bench password 123";

struct Running {
    base: String,
    reference_base: String,
    pid: u32,
    database_url: String,
    _server: Guard,
    _reference: Guard,
    _data: PathBuf,
}

fn env_for(
    data_dir: &std::path::Path,
    database_url: &str,
    site_root: &std::path::Path,
) -> Vec<(String, String)> {
    vec![
        ("AUTHLINK_DATA_DIR".into(), data_dir.display().to_string()),
        ("DATABASE_URL".into(), database_url.to_owned()),
        ("LEPTOS_SITE_ROOT".into(), site_root.display().to_string()),
        ("AUTHLINK_LOG".into(), "warn".into()),
        ("AUTHLINK_API_RATE_LIMIT".into(), "1000000".into()),
        // The load comes from one address; the end-user limit would answer 429 instead.
        ("AUTHLINK_END_USER_RATE_LIMIT".into(), "1000000".into()),
        ("AUTHLINK_DB_MAX_CONNECTIONS".into(), "16".into()),
    ]
}

async fn start(settings: &Settings) -> anyhow::Result<Running> {
    let data = std::env::temp_dir().join(format!("authlink-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let database_url = match &settings.postgres {
        None => format!("sqlite://{}?mode=rwc", data.join("bench.db").display()),
        Some(admin) => {
            let db = Database::connect(admin).await?;
            db.execute_unprepared("DROP DATABASE IF EXISTS authlink_bench WITH (FORCE)")
                .await?;
            db.execute_unprepared("CREATE DATABASE authlink_bench")
                .await?;
            let mut url = url::Url::parse(admin)?;
            url.set_path("/authlink_bench");
            url.to_string()
        }
    };
    let env = env_for(&data, &database_url, &settings.site_root);

    eprintln!("seeding {} tenants…", settings.tenants);
    let seeded = std::process::Command::new(&settings.server_bin)
        .args(["seed", "--tenants", &settings.tenants.to_string()])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .status()?;
    if !seeded.success() {
        bail!("seeding failed");
    }

    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let server = pinned(&settings.server_bin, "0")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("AUTHLINK_BIND", format!("127.0.0.1:{port}"))
        .env("AUTHLINK_PUBLIC_URL", &base)
        .env("AUTHLINK_DEMO", "true")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the server")?;
    let pid = server.id();
    let server = Guard(server);
    wait_ready(&format!("{base}/healthz")).await?;

    let reference_port = free_port()?;
    let reference_base = format!("http://127.0.0.1:{reference_port}");
    let reference = pinned(&std::env::current_exe()?, "0")
        .args([
            "--reference-bind",
            &format!("127.0.0.1:{reference_port}"),
            "--reference-db",
            &database_url,
        ])
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the reference server")?;
    let reference = Guard(reference);
    wait_ready(&format!("{reference_base}/ref/healthz")).await?;
    Ok(Running {
        base,
        reference_base,
        pid,
        database_url,
        _server: server,
        _reference: reference,
        _data: data,
    })
}

/// A client signed in as the owner (created on the fresh server).
async fn signed_in(base: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()?;
    let response = client
        .post(format!("{base}{}", app::api::auth::SetupOwner::PATH))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", OWNER_EMAIL),
            ("password", OWNER_PASSWORD),
            ("password_confirmation", OWNER_PASSWORD),
            ("product_name", "Bench"),
        ])
        .send()
        .await?;
    if !(response.status().is_success() || response.status().is_redirection()) {
        bail!("owner setup failed: {}", response.status());
    }
    Ok(client)
}

fn get(client: &reqwest::Client, url: String, first_byte_only: bool) -> Request {
    Request {
        client: client.clone(),
        method: reqwest::Method::GET,
        url,
        headers: Vec::new(),
        body: None,
        expect: 200,
        first_byte_only,
    }
}

/// How a scenario is named and judged in the report.
struct Labels<'a> {
    name: &'a str,
    target: &'a str,
    reference_name: &'a str,
}

/// Measures `product` and `reference` one after the other, with the server's CPU time.
async fn compare(
    settings: &Settings,
    pid: u32,
    labels: Labels<'_>,
    product: Request,
    reference: Option<Request>,
    judge: impl Fn(&Measured, Option<&Measured>) -> (Option<f64>, Option<bool>),
) -> anyhow::Result<ScenarioResult> {
    let Labels {
        name,
        target,
        reference_name,
    } = labels;
    eprintln!("measuring {name}…");
    let recording = start_profile(settings, name, pid);
    let before = proc_stats::cpu_ms(pid);
    let product = measure(product, settings.duration, settings.concurrency).await?;
    let after = proc_stats::cpu_ms(pid);
    let profile = finish_profile(recording);
    let reference = match reference {
        Some(r) => Some(measure(r, settings.duration, settings.concurrency).await?),
        None => None,
    };
    let (ratio, met) = judge(&product, reference.as_ref());
    let cpu_ms_per_request = cpu_per_request(before, after, product.requests);
    Ok(ScenarioResult {
        name: name.to_owned(),
        reference_name: reference_name.to_owned(),
        target: target.to_owned(),
        product,
        reference,
        ratio,
        met,
        cpu_ms_per_request,
        profile,
    })
}

/// Starts a `perf` profile of the server for the scenario `name` when `--perf` asks for one.
fn start_profile(settings: &Settings, name: &str, pid: u32) -> Option<crate::profile::Recording> {
    let dir = settings.perf_dir.as_ref()?;
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let recording = crate::profile::start(dir, &slug, pid);
    if recording.is_none() {
        eprintln!("perf could not start; no profile for {name}");
    }
    recording
}

/// The top functions of a finished profile.
fn finish_profile(recording: Option<crate::profile::Recording>) -> Vec<(f64, String)> {
    recording.map_or_else(Vec::new, |r| r.finish(12))
}

/// Throughput ratio product / reference, against a minimum.
fn throughput_at_least(
    min: f64,
) -> impl Fn(&Measured, Option<&Measured>) -> (Option<f64>, Option<bool>) {
    move |p, r| match r {
        Some(r) if r.rps > 0.0 => {
            let ratio = p.rps / r.rps;
            (Some(ratio), Some(ratio >= min))
        }
        _ => (None, None),
    }
}

/// Median latency ratio product / reference, against a maximum.
fn latency_at_most(
    max: f64,
) -> impl Fn(&Measured, Option<&Measured>) -> (Option<f64>, Option<bool>) {
    move |p, r| match r {
        Some(r) if r.p50_ms > 0.0 => {
            let ratio = p.p50_ms / r.p50_ms;
            (Some(ratio), Some(ratio <= max))
        }
        _ => (None, None),
    }
}

/// A link on the demo tenant for `connector` that stays usable (not single-use), made through
/// the REST API.
async fn reusable_link(
    base: &str,
    admin: &reqwest::Client,
    connector: &str,
) -> anyhow::Result<String> {
    let key = api_key(base, admin, &["links:write"]).await?;
    let link: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/connect-links"))
        .bearer_auth(&key)
        .json(&serde_json::json!({
            "tenant": {"external_id": "demo-acme"},
            "connector": connector,
            "single_use": false,
            "expires_in": 86_400,
        }))
        .send()
        .await?
        .json()
        .await?;
    link["url"]
        .as_str()
        .map(str::to_owned)
        .context("the API returned no link")
}

/// Server CPU time per request between two readings.
fn cpu_per_request(before: Option<f64>, after: Option<f64>, requests: u64) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if requests > 0 => Some((a - b) / requests as f64),
        _ => None,
    }
}

/// The cursor of the Tenants page that starts near row `row` (by name).
async fn deep_cursor(database_url: &str, row: u64) -> anyhow::Result<String> {
    use app::domain::entities::tenant;
    let db = Database::connect(database_url).await?;
    let model = tenant::Entity::find()
        .order_by_asc(tenant::Column::NameKey)
        .order_by_asc(tenant::Column::Id)
        .offset(row.saturating_sub(1))
        .limit(1)
        .one(&db)
        .await?
        .context("not enough tenants for the deep page")?;
    Ok(app::domain::services::tenants::cursor_after(&model))
}

/// The first seeded tenant by name (not the demo tenant), for the reference's writes.
async fn first_tenant(database_url: &str) -> anyhow::Result<uuid::Uuid> {
    use app::domain::entities::tenant;
    use sea_orm::{ColumnTrait, QueryFilter};
    let db = Database::connect(database_url).await?;
    let model = tenant::Entity::find()
        .filter(tenant::Column::ExternalId.ne("demo-acme"))
        .order_by_asc(tenant::Column::NameKey)
        .one(&db)
        .await?
        .context("no seeded tenant")?;
    Ok(model.id)
}

/// Ids of the demo tenant and the demo API-key connector.
async fn demo_ids(database_url: &str) -> anyhow::Result<(uuid::Uuid, uuid::Uuid)> {
    use app::domain::entities::{connector, tenant};
    use sea_orm::{ColumnTrait, QueryFilter};
    let db = Database::connect(database_url).await?;
    let tenant = tenant::Entity::find()
        .filter(tenant::Column::ExternalId.eq("demo-acme"))
        .one(&db)
        .await?
        .context("no demo tenant")?;
    let connector = connector::Entity::find()
        .filter(connector::Column::Key.eq("demo-api-key"))
        .one(&db)
        .await?
        .context("no demo connector")?;
    Ok((tenant.id, connector.id))
}

fn post_json(
    client: &reqwest::Client,
    url: String,
    body: serde_json::Value,
    expect: u16,
) -> Request {
    let bytes = Arc::new(body.to_string().into_bytes());
    Request {
        client: client.clone(),
        method: reqwest::Method::POST,
        url,
        headers: Vec::new(),
        body: Some(Arc::new(move |_| {
            ("application/json".to_owned(), bytes.to_vec())
        })),
        expect,
        first_byte_only: false,
    }
}

/// Tenant Details, Generate Customer Link (server function and REST API) and sign-in.
async fn more_scenarios(
    settings: &Settings,
    running: &Running,
    admin: &reqwest::Client,
    anonymous: &reqwest::Client,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let (base, reference) = (&running.base, &running.reference_base);
    let (tenant, connector) = demo_ids(&running.database_url).await?;
    let same_origin = vec![
        ("origin".to_owned(), base.clone()),
        ("sec-fetch-site".to_owned(), "same-origin".to_owned()),
    ];
    let mut out = Vec::new();

    out.push(
        compare(
            settings,
            running.pid,
            Labels {
                name: "Tenant Details page",
                target: "≥ 0.5× the reference's req/s",
                reference_name: "plain axum handler, same reads, plain HTML",
            },
            get(admin, format!("{base}/tenants/{tenant}"), false),
            Some(get(
                anonymous,
                format!("{reference}/ref/tenants/{tenant}"),
                false,
            )),
            throughput_at_least(0.5),
        )
        .await?,
    );

    let insert = post_json(
        anonymous,
        format!("{reference}/ref/links?tenant={tenant}&connector={connector}"),
        serde_json::json!({}),
        200,
    );
    let mut generate = post_json(
        admin,
        format!("{base}{}", app::api::links::GenerateLink::PATH),
        serde_json::json!({
            "tenant_id": tenant, "connector_id": connector, "expires_in_minutes": 10_080,
            "single_use": true, "note": "", "presets": [],
        }),
        200,
    );
    generate.headers = same_origin.clone();
    out.push(
        compare(
            settings,
            running.pid,
            Labels {
                name: "Generate Customer Link (server function)",
                target: "≥ 0.7× the reference's req/s",
                reference_name: "plain axum handler doing the same INSERT",
            },
            generate,
            Some(insert.clone()),
            throughput_at_least(0.7),
        )
        .await?,
    );

    let key = api_key(base, admin, &["links:write"]).await?;
    let mut api = post_json(
        anonymous,
        format!("{base}/api/v1/connect-links"),
        serde_json::json!({"tenant": {"id": tenant}, "connector": "demo-api-key"}),
        201,
    );
    api.headers = vec![("authorization".to_owned(), format!("Bearer {key}"))];
    out.push(
        compare(
            settings,
            running.pid,
            Labels {
                name: "POST /api/v1/connect-links",
                target: "≥ 0.7× the reference's req/s",
                reference_name: "plain axum handler doing the same INSERT",
            },
            api,
            Some(insert),
            throughput_at_least(0.7),
        )
        .await?,
    );

    // The end user's API-key form on the Connect page (the key is checked against the demo
    // provider's `/demo/api/me`, as a real connector's verify URL would be).
    let credentials_link = reusable_link(base, admin, "demo-api-key").await?;
    let other_tenant = first_tenant(&running.database_url).await?;
    let form = |url: String| Request {
        client: anonymous.clone(),
        method: reqwest::Method::POST,
        url,
        headers: vec![("origin".to_owned(), base.clone())],
        body: Some(Arc::new(|_| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                b"api_key=demo_bench_key_0123456789".to_vec(),
            )
        })),
        expect: 200,
        first_byte_only: false,
    };
    out.push(
        compare(
            settings,
            running.pid,
            Labels {
                name: "API-key credential submission (Connect page form)",
                target: "≥ 0.7× the reference's req/s",
                reference_name: "plain axum handler: form read, connection row upserted",
            },
            form(credentials_link),
            Some(form(format!(
                "{reference}/ref/credentials?tenant={other_tenant}&connector={connector}"
            ))),
            throughput_at_least(0.7),
        )
        .await?,
    );

    // The OAuth round trip against the demo provider, next to the same number of hello-world hops.
    // The target is about latency, so both are measured one request at a time: with 16 clients
    // on one core a median is mostly time spent queueing behind the others.
    let hello = measure(
        get(anonymous, format!("{base}/healthz"), false),
        settings.duration,
        1,
    )
    .await?;
    let link = reusable_link(base, admin, "demo-oauth").await?;
    let suite = crate::round_trip::RoundTrip {
        base: base.clone(),
        link,
    };
    let recording = start_profile(settings, "OAuth round trip", running.pid);
    let before = proc_stats::cpu_ms(running.pid);
    let trip = measure(suite, settings.duration, 1).await?;
    let after = proc_stats::cpu_ms(running.pid);
    let profile = finish_profile(recording);
    let floor = hello.p50_ms * crate::round_trip::HOPS;
    let ratio = (floor > 0.0).then(|| trip.p50_ms / floor);
    out.push(ScenarioResult {
        name:
            "OAuth round trip, one at a time (page → start → authorize → allow → callback → token)"
                .into(),
        reference_name: format!(
            "{} hops at hello-world latency (GET /healthz)",
            crate::round_trip::HOPS
        ),
        target: "≤ 2× the hops' sum (median)".into(),
        cpu_ms_per_request: cpu_per_request(before, after, trip.requests),
        profile,
        met: ratio.map(|r| r <= 2.0),
        ratio,
        reference: Some(Measured {
            p50_ms: floor,
            p99_ms: hello.p99_ms * crate::round_trip::HOPS,
            ..hello
        }),
        product: trip,
    });

    let reader_key = api_key(
        base,
        admin,
        &["links:write", "connections:read", "credentials:read"],
    )
    .await?;
    let refreshes = crate::refresh_once::run(base, admin, &reader_key).await?;
    out.push(ScenarioResult {
        name: format!(
            "{} concurrent credential reads of one expired token",
            crate::refresh_once::READERS
        ),
        reference_name: "—".into(),
        target: "exactly 1 refresh call".into(),
        product: Measured {
            requests: crate::refresh_once::READERS as u64,
            success: 1.0,
            ..Measured::default()
        },
        reference: None,
        ratio: Some(refreshes as f64),
        met: Some(refreshes == 1),
        cpu_ms_per_request: None,
        profile: Vec::new(),
    });

    // Sign-in is bound by argon2id: compare with what the same core hashes at best.
    let form = format!(
        "email={}&password={}",
        OWNER_EMAIL.replace('@', "%40"),
        OWNER_PASSWORD.replace(' ', "+")
    );
    let sign_in = Request {
        client: anonymous.clone(),
        method: reqwest::Method::POST,
        url: format!("{base}{}", app::api::auth::SignIn::PATH),
        headers: same_origin,
        body: Some(Arc::new(move |_| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                form.clone().into_bytes(),
            )
        })),
        expect: probe_status(anonymous, base).await?,
        first_byte_only: false,
    };
    let hash_alone = post_json(
        anonymous,
        format!("{reference}/ref/hash"),
        serde_json::json!({}),
        204,
    );
    let result = compare(
        settings,
        running.pid,
        Labels {
            name: "Sign-in (argon2id)",
            target: "≥ 0.8× the hash alone (server cores ÷ hash time)",
            reference_name: "argon2id hash alone, same parameters, same core",
        },
        sign_in,
        Some(hash_alone),
        throughput_at_least(0.8),
    )
    .await?;
    out.push(result);
    Ok(out)
}

/// The status a successful sign-in answers with (a redirect for a form post).
async fn probe_status(client: &reqwest::Client, base: &str) -> anyhow::Result<u16> {
    let response = client
        .post(format!("{base}{}", app::api::auth::SignIn::PATH))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)])
        .send()
        .await?;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        bail!("sign-in failed: {status}");
    }
    Ok(status.as_u16())
}

/// An API key with `scopes`, made through Settings' server function.
async fn api_key(base: &str, admin: &reqwest::Client, scopes: &[&str]) -> anyhow::Result<String> {
    let response = admin
        .post(format!("{base}{}", app::api::settings::CreateApiKey::PATH))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({"name": "bench", "scopes": scopes}))
        .send()
        .await?;
    let key: app::types::CreatedApiKey = response.json().await.context("API key")?;
    Ok(key.key)
}

fn bundle_sizes(site_root: &std::path::Path) -> anyhow::Result<BundleSizes> {
    let wasm = std::fs::read(site_root.join("pkg").join("authlink.wasm"))
        .with_context(|| format!("no wasm bundle under {}", site_root.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&wasm)?;
    let gzip = gz.finish()?.len() as u64;
    let mut brotli = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
        writer.write_all(&wasm)?;
    }
    let (contributors, data_bytes) = compiled_wasm()
        .and_then(|path| crate::wasm_size::contributors(&path, 15).ok())
        .unwrap_or_default();
    Ok(BundleSizes {
        raw: wasm.len() as u64,
        gzip,
        brotli: brotli.len() as u64,
        contributors,
        data_bytes,
    })
}

/// The wasm module as cargo compiled it for the site (names still in it): cargo-leptos builds
/// the front end under `<target dir>/front`, and this binary lives in `<target dir>/<profile>`.
fn compiled_wasm() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let target = exe.parent()?.parent()?.to_path_buf();
    ["wasm-release", "debug"]
        .iter()
        .map(|profile| {
            target
                .join("front/wasm32-unknown-unknown")
                .join(profile)
                .join("frontend.wasm")
        })
        .find(|p| p.exists())
}

/// Runs every scenario.
pub async fn run_all(settings: &Settings) -> anyhow::Result<Results> {
    let running = start(settings).await?;
    let idle_rss_mib = proc_stats::memory_mib(running.pid).map(|(rss, _)| rss);
    let admin = signed_in(&running.base).await?;
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()?;
    let (base, reference) = (&running.base, &running.reference_base);
    let deep_row = (settings.tenants * 9 / 10).max(1);
    let cursor = deep_cursor(&running.database_url, deep_row).await?;
    let search = "Tenant 0424";
    let mut scenarios = Vec::new();
    let mut failures = Vec::new();

    let pages: [(&str, String, String); 3] = [
        (
            "Tenants page, first page",
            format!("{base}/tenants"),
            format!("{reference}/ref/tenants"),
        ),
        (
            "Tenants page, deep page",
            format!("{base}/tenants?cursor={cursor}"),
            format!("{reference}/ref/tenants?cursor={cursor}"),
        ),
        (
            "Tenants page, search",
            format!("{base}/tenants?q={}", search.replace(' ', "%20")),
            format!("{reference}/ref/tenants?q={}", search.replace(' ', "%20")),
        ),
    ];
    for (name, product, reference_url) in pages {
        match compare(
            settings,
            running.pid,
            Labels {
                name,
                target: "≥ 0.5× the reference's req/s",
                reference_name: "plain axum handler, same query, plain HTML",
            },
            get(&admin, product, false),
            Some(get(&anonymous, reference_url, false)),
            throughput_at_least(0.5),
        )
        .await
        {
            Ok(r) => scenarios.push(r),
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
    }

    match reusable_link(base, &admin, "demo-api-key").await {
        Ok(link) => match compare(
            settings,
            running.pid,
            Labels {
                name: "Connect page, time to first byte",
                target: "≤ 3× the static file's median latency",
                reference_name: "a static file from the same server",
            },
            get(&anonymous, link, true),
            Some(get(&anonymous, format!("{base}/favicon.svg"), true)),
            latency_at_most(3.0),
        )
        .await
        {
            Ok(r) => scenarios.push(r),
            Err(e) => failures.push(format!("Connect page: {e:#}")),
        },
        Err(e) => failures.push(format!("Connect page: {e:#}")),
    }

    match more_scenarios(settings, &running, &admin, &anonymous).await {
        Ok(mut more) => scenarios.append(&mut more),
        Err(e) => failures.push(format!("{e:#}")),
    }

    let peak_rss_mib = proc_stats::memory_mib(running.pid).map(|(_, hwm)| hwm);
    let wasm = match bundle_sizes(&settings.site_root) {
        Ok(sizes) => Some(sizes),
        Err(e) => {
            failures.push(format!("wasm bundle: {e:#}"));
            None
        }
    };
    if settings.smoke {
        // The smoke run checks the suite works; its numbers mean nothing.
        eprintln!("smoke run: numbers are not meaningful");
    }
    Ok(Results {
        database: if settings.postgres.is_some() {
            "postgres".into()
        } else {
            "sqlite".into()
        },
        tenants: settings.tenants,
        seconds: settings.duration.as_secs(),
        concurrency: settings.concurrency,
        cores: settings.cores,
        scenarios,
        idle_rss_mib,
        peak_rss_mib,
        wasm,
        failures,
    })
}
