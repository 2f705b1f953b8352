//! Environments: the migration that moves an existing installation into `production`, the
//! owner's management of environments, and isolation of every resource between environments
//! through the dashboard and through the REST API.

use std::collections::HashMap;
use std::sync::Arc;

use app::api::connectors::{
    DeleteConnector, GetConnector, ListConnectors, SaveConnector, SetConnectorEnabled,
};
use app::api::environments::{
    CreateEnvironment, DeleteEnvironment, GetEnvironments, RenameEnvironment, SwitchEnvironment,
};
use app::api::links::{GenerateLink, RevokeLink};
use app::api::settings::{ListApiKeys, ListCallbackOrigins, RemoveCallbackOrigin, RevokeApiKey};
use app::api::tenants::{
    CreateTenant, DeleteTenant, Disconnect, GetOverview, GetTenantDetails, ListTenants,
    UpdateTenant,
};
use app::api::webhooks::{
    DeleteWebhookEndpoint, GetWebhookEndpoint, ListWebhookEndpoints, ReplayWebhookDelivery,
    SetWebhookEnabled,
};
use app::domain::entities::{
    api_key, callback_origin, connection, connector, environment, event, tenant, webhook_endpoint,
};
use app::error::AppError;
use app::types::{ApiKeyInfo, CallbackOriginInfo, EnvironmentChoice, TenantPage};
use leptos::server_fn::ServerFn;
use migrations::MigratorTrait;
use reqwest::cookie::Jar;
use sea_orm::{ActiveValue::Set, ConnectionTrait, Database, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, client_with, drop_database, new_database};
use crate::lifecycle::delivered_since;
use crate::mock_provider::GOOD_API_KEY;
use crate::on_both_backends;
use crate::rest::{ALL_SCOPES, Api, api, new_key};
use crate::webhooks::{Receiver, add_endpoint};

on_both_backends!(
    a_database_of_the_previous_schema_moves_to_production,
    the_owner_adds_renames_and_deletes_empty_environments,
    the_dashboard_shows_only_the_current_environment,
    an_api_key_sees_only_its_environment,
);

/// The migrations before environments existed.
const BEFORE_ENVIRONMENTS: u32 = 14;

async fn a_database_of_the_previous_schema_moves_to_production(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg) = new_database(&backend, dir.path(), "old.db").await;
    let db = Database::connect(server::database::connect_options(&url, 2))
        .await
        .expect("an empty database");
    migrations::Migrator::up(&db, Some(BEFORE_ENVIRONMENTS))
        .await
        .expect("the previous schema");
    let now = time::OffsetDateTime::now_utc();
    let id = uuid::Uuid::now_v7;
    let (tenant_id, connector_id) = (id(), id());
    // Rows as the previous version wrote them: without `environment_id`.
    tenant::Entity::insert(tenant::ActiveModel {
        id: Set(tenant_id),
        name: Set("Acme".into()),
        name_key: Set("acme".into()),
        external_id: Set("cus_1".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("tenant");
    connector::Entity::insert(connector::ActiveModel {
        id: Set(connector_id),
        key: Set("acme-api".into()),
        name: Set("Acme API".into()),
        provider: Set("generic_api_key".into()),
        enabled: Set(true),
        client_id: Set(None),
        client_secret: Set(None),
        scopes: Set("[]".into()),
        options: Set("{}".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("connector");
    connection::Entity::insert(connection::ActiveModel {
        id: Set(id()),
        tenant_id: Set(tenant_id),
        connector_id: Set(connector_id),
        status: Set(connection::ConnectionState::Connected),
        credentials: Set(vec![1, 2, 3]),
        scopes: Set("[]".into()),
        account_label: Set(None),
        last_error: Set(None),
        expires_at: Set(None),
        connected_at: Set(now),
        updated_at: Set(now),
        refresh_claimed_until: Set(None),
        refresh_failures: Set(0),
        refreshed_at: Set(None),
        next_refresh_at: Set(None),
        refreshable: Set(false),
        config: Set("{}".into()),
        account_id: Set(None),
        expiry_warned_for: Set(None),
        expiry_warned_days: Set(None),
    })
    .exec_without_returning(&db)
    .await
    .expect("connection");
    callback_origin::Entity::insert(callback_origin::ActiveModel {
        id: Set(id()),
        origin: Set("https://app.example.com".into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("origin");
    api_key::Entity::insert(api_key::ActiveModel {
        id: Set(id()),
        name: Set("backend".into()),
        token_hash: Set(vec![7; 32]),
        prefix: Set("alk_abcdefgh".into()),
        scopes: Set("[\"tenants:read\"]".into()),
        created_by: Set(None),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("key");
    webhook_endpoint::Entity::insert(webhook_endpoint::ActiveModel {
        id: Set(id()),
        url: Set("https://hooks.example.com".into()),
        description: Set(None),
        event_types: Set("[]".into()),
        secret: Set(vec![9; 40]),
        enabled: Set(true),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("endpoint");
    event::Entity::insert(event::ActiveModel {
        id: Set(id()),
        event_type: Set("connection.created".into()),
        payload: Set("{}".into()),
        tenant_id: Set(Some(tenant_id)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&db)
    .await
    .expect("event");

    server::database::migrate(&db).await.expect("migrates");

    let environments = environment::Entity::find().all(&db).await.expect("list");
    assert_eq!(environments.len(), 1, "{environments:?}");
    let production = &environments[0];
    assert!(production.is_production);
    assert_eq!(production.name, "production");
    let p = production.id;
    for table in [
        "tenants",
        "connectors",
        "callback_origins",
        "api_keys",
        "webhook_endpoints",
        "events",
    ] {
        let rows = db
            .query_all(
                &sea_orm::sea_query::Query::select()
                    .column(sea_orm::sea_query::Alias::new("environment_id"))
                    .from(sea_orm::sea_query::Alias::new(table))
                    .to_owned(),
            )
            .await
            .expect(table);
        let owners: Vec<uuid::Uuid> = rows
            .iter()
            .map(|row| row.try_get("", "environment_id").expect("an environment"))
            .collect();
        assert_eq!(owners, vec![p], "{table}");
    }
    // The connection survived the tables it points at being rebuilt, and still belongs to them:
    // deleting its tenant deletes it.
    assert_eq!(
        connection::Entity::find().all(&db).await.expect("c").len(),
        1
    );

    // External ids are unique per environment now, not everywhere.
    let development = app::domain::services::environments::create(
        &db,
        &app::domain::clock::SystemClock,
        "development",
    )
    .await
    .expect("development");
    let input = app::domain::services::tenants::TenantInput {
        name: "Acme (dev)".into(),
        external_id: "cus_1".into(),
    };
    let clock = app::domain::clock::SystemClock;
    let dev = app::domain::ids::EnvironmentId(development.id);
    app::domain::services::tenants::create(&db, &clock, dev, &input)
        .await
        .expect("the same external id in another environment");
    let again = app::domain::services::tenants::create(&db, &clock, dev, &input).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    tenant::Entity::delete_by_id(tenant_id)
        .exec(&db)
        .await
        .expect("delete tenant");
    assert!(
        connection::Entity::find()
            .all(&db)
            .await
            .expect("c")
            .is_empty(),
        "the foreign key still cascades"
    );
    if matches!(backend, Backend::Sqlite) {
        let broken = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA foreign_key_check",
            ))
            .await
            .expect("check");
        assert!(broken.is_empty(), "no dangling references");
    }
    db.close().await.ok();
    drop_database(pg).await;
}

/// The environments as `client` sees them.
async fn environments_of(app: &TestApp, client: &reqwest::Client) -> EnvironmentChoice {
    let response = app.call_with(client, GetEnvironments::PATH, &[]).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("environments")
}

/// Adds an environment and returns its id.
async fn add(app: &TestApp, name: &str) -> String {
    let response = app.call::<CreateEnvironment>(&[("name", name)]).await;
    assert!(response.is_ok(), "{response:?}");
    let choice = environments_of(app, &app.client).await;
    choice
        .all
        .into_iter()
        .find(|e| e.name == name.to_lowercase())
        .expect("added")
        .id
}

/// Switches `client`'s dashboard to environment `id`.
async fn switch(app: &TestApp, client: &reqwest::Client, id: &str) {
    let response = app
        .call_with(
            client,
            SwitchEnvironment::PATH,
            &[("id", id), ("back_to", "/tenants/0190")],
        )
        .await;
    assert!(
        response.status.is_success() || response.status.is_redirection(),
        "{response:?}"
    );
    assert_eq!(environments_of(app, client).await.current.id, id);
}

async fn the_owner_adds_renames_and_deletes_empty_environments(backend: Backend) {
    let app = crate::team::owner_app(backend).await;
    let start = environments_of(&app, &app.client).await;
    assert_eq!(start.all.len(), 1);
    assert!(start.current.is_production);
    assert_eq!(start.current.name, "production");

    let dev = add(&app, "Development").await;
    for (name, refused) in [
        ("development", "taken"),
        ("has space", "invalid"),
        ("", "empty"),
    ] {
        let response = app.call::<CreateEnvironment>(&[("name", name)]).await;
        assert!(
            matches!(
                response.app_error(),
                AppError::Conflict(_) | AppError::Validation(_)
            ),
            "{refused}: {response:?}"
        );
    }

    // The choice is remembered per admin: a member still looks at production.
    let (admin, _) = crate::team::join(&app, "admin@example.com", "admin").await;
    switch(&app, &app.client, &dev).await;
    assert!(environments_of(&app, &admin).await.current.is_production);
    let other_session = client_with(Arc::new(Jar::default()));
    assert!(
        app.call_with(
            &other_session,
            app::api::auth::SignIn::PATH,
            &[
                ("email", crate::helpers::OWNER_EMAIL),
                ("password", crate::helpers::OWNER_PASSWORD)
            ],
        )
        .await
        .is_ok()
    );
    assert_eq!(environments_of(&app, &other_session).await.current.id, dev);

    let renamed = app
        .call::<RenameEnvironment>(&[("id", &dev), ("name", "dev")])
        .await;
    assert!(renamed.is_ok(), "{renamed:?}");
    let now = environments_of(&app, &app.client).await;
    assert_eq!(
        (now.current.id.as_str(), now.current.name.as_str()),
        (dev.as_str(), "dev")
    );
    assert!(!now.current.is_production);

    // Not while it holds a tenant; production never.
    let tenant = app
        .call::<CreateTenant>(&[("name", "Dev Co"), ("external_id", "dev_1")])
        .await;
    assert!(tenant.is_ok(), "{tenant:?}");
    let tenant_id: String = serde_json::from_str(&tenant.body).expect("id");
    let busy = app.call::<DeleteEnvironment>(&[("id", &dev)]).await;
    assert!(
        matches!(busy.app_error(), AppError::Conflict(_)),
        "{busy:?}"
    );
    let production = start.current.id.clone();
    let never = app.call::<DeleteEnvironment>(&[("id", &production)]).await;
    assert!(
        matches!(never.app_error(), AppError::Conflict(_)),
        "{never:?}"
    );
    let by_admin = app
        .call_with(&admin, DeleteEnvironment::PATH, &[("id", &dev)])
        .await;
    assert_eq!(by_admin.app_error(), AppError::Forbidden);

    let gone = app.call::<DeleteTenant>(&[("id", &tenant_id)]).await;
    assert!(
        gone.status.is_success() || gone.status.is_redirection(),
        "{gone:?}"
    );
    let deleted = app.call::<DeleteEnvironment>(&[("id", &dev)]).await;
    assert!(deleted.is_ok(), "{deleted:?}");
    let after = environments_of(&app, &app.client).await;
    assert_eq!(after.all.len(), 1);
    assert_eq!(after.current.id, production, "back to production");
    app.cleanup().await;
}

/// Production's set-up: a connector, a connected tenant, a link, a callback origin, a webhook
/// endpoint and the API key of [`api`].
struct Production {
    tenant: String,
    connector: String,
    connection: String,
    link: String,
    origin: String,
    endpoint: String,
    key_id: String,
    delivery: String,
    receiver: Receiver,
    secret: String,
}

async fn production(a: &Api) -> Production {
    a.key_connector().await;
    a.allow_origin("https://app.example.com").await;
    let receiver = Receiver::start(&[]).await;
    let created = add_endpoint(&a.app, &receiver.url, &[]).await;
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_1", "name": "Acme"}, "connector": "acme-api"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let (status, _) = a
        .submit_key(link["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    assert!(status < 400, "{status}");
    let (_, connections) = a.get("/api/v1/connections").await;
    let connection = connections["data"][0]["id"]
        .as_str()
        .expect("connection")
        .to_owned();
    let (_, tenant) = a.get("/api/v1/tenants/cus_1").await;
    let (_, connector) = a.get("/api/v1/connectors/acme-api").await;
    let keys: Vec<ApiKeyInfo> =
        serde_json::from_str(&a.app.call::<ListApiKeys>(&[]).await.body).expect("keys");
    let origins: Vec<CallbackOriginInfo> =
        serde_json::from_str(&a.app.call::<ListCallbackOrigins>(&[]).await.body).expect("origins");
    let endpoint = a
        .app
        .call::<GetWebhookEndpoint>(&[("id", &created.info.id)])
        .await;
    let (_, deliveries): (
        app::types::WebhookEndpointInfo,
        Vec<app::types::WebhookDeliveryInfo>,
    ) = serde_json::from_str(&endpoint.body).expect("endpoint");
    Production {
        delivery: deliveries
            .first()
            .expect("a delivery of the connection")
            .id
            .clone(),
        tenant: tenant["id"].as_str().expect("tenant").to_owned(),
        connector: connector["id"].as_str().expect("connector").to_owned(),
        connection,
        link: link["id"].as_str().expect("link").to_owned(),
        origin: origins[0].id.clone(),
        endpoint: created.info.id,
        key_id: keys[0].id.clone(),
        receiver,
        secret: created.secret,
    }
}

fn not_found(response: &crate::helpers::FnResponse, what: &str) {
    assert_eq!(
        response.app_error(),
        AppError::NotFound,
        "{what}: {response:?}"
    );
}

async fn the_dashboard_shows_only_the_current_environment(backend: Backend) {
    let a = api(backend).await;
    let p = production(&a).await;
    let app = &a.app;
    let dev = add(app, "development").await;
    switch(app, &app.client, &dev).await;

    // Nothing of production is listed…
    let tenants = app
        .call::<ListTenants>(&[("search", ""), ("sort", "name")])
        .await;
    let page: TenantPage = serde_json::from_str(&tenants.body).expect("page");
    assert!(page.rows.is_empty(), "{page:?}");
    for (listed, what) in [
        (app.call::<ListConnectors>(&[]).await, "connectors"),
        (app.call::<ListApiKeys>(&[]).await, "keys"),
        (app.call::<ListCallbackOrigins>(&[]).await, "origins"),
        (app.call::<ListWebhookEndpoints>(&[]).await, "endpoints"),
    ] {
        assert!(listed.is_ok(), "{what}: {listed:?}");
        assert_eq!(listed.body, "[]", "{what}");
    }
    let overview = app.call::<GetOverview>(&[("only_problems", "false")]).await;
    let overview: app::types::OverviewData = serde_json::from_str(&overview.body).expect("data");
    assert_eq!((overview.counts.tenants, overview.counts.connected), (0, 0));

    // …and nothing of it can be read or changed by id.
    let t = p.tenant.as_str();
    let c = p.connector.as_str();
    not_found(&app.call::<GetTenantDetails>(&[("id", t)]).await, "details");
    not_found(
        &app.call::<UpdateTenant>(&[("id", t), ("name", "X"), ("external_id", "x")])
            .await,
        "update tenant",
    );
    not_found(
        &app.call::<DeleteTenant>(&[("id", t)]).await,
        "delete tenant",
    );
    not_found(
        &app.call::<Disconnect>(&[("tenant_id", t), ("connector_id", c)])
            .await,
        "disconnect",
    );
    not_found(&app.call::<GetConnector>(&[("id", c)]).await, "connector");
    not_found(
        &app.call::<SetConnectorEnabled>(&[("id", c), ("enabled", "false")])
            .await,
        "disable",
    );
    not_found(
        &app.call::<SaveConnector>(&[
            ("id", c),
            ("provider", "generic_api_key"),
            ("name", "Taken over"),
        ])
        .await,
        "save connector",
    );
    not_found(
        &app.call::<DeleteConnector>(&[("id", c), ("delete_connections", "true")])
            .await,
        "delete connector",
    );
    not_found(
        &app.call_json::<GenerateLink>(json!({
            "tenant_id": t, "connector_id": c, "expires_in_minutes": 60,
            "single_use": true, "note": "", "presets": [],
        }))
        .await,
        "generate link",
    );
    not_found(
        &app.call::<RevokeLink>(&[("id", &p.link)]).await,
        "revoke link",
    );
    not_found(
        &app.call::<RevokeApiKey>(&[("id", &p.key_id)]).await,
        "revoke key",
    );
    not_found(
        &app.call::<RemoveCallbackOrigin>(&[("id", &p.origin)]).await,
        "remove origin",
    );
    not_found(
        &app.call::<GetWebhookEndpoint>(&[("id", &p.endpoint)]).await,
        "endpoint",
    );
    not_found(
        &app.call::<SetWebhookEnabled>(&[("id", &p.endpoint), ("enabled", "false")])
            .await,
        "disable endpoint",
    );
    not_found(
        &app.call::<DeleteWebhookEndpoint>(&[("id", &p.endpoint)])
            .await,
        "delete endpoint",
    );
    not_found(
        &app.call::<ReplayWebhookDelivery>(&[("id", &p.delivery)])
            .await,
        "replay delivery",
    );

    // The same names are free here.
    let tenant = app
        .call::<CreateTenant>(&[("name", "Acme (dev)"), ("external_id", "cus_1")])
        .await;
    assert!(tenant.is_ok(), "{tenant:?}");
    let connector = app
        .call::<SaveConnector>(&[
            ("provider", "generic_api_key"),
            ("name", "Acme API"),
            ("key", "acme-api"),
            ("verify_url", &format!("{}/verify", a.provider.base)),
        ])
        .await;
    assert!(connector.is_ok(), "{connector:?}");

    // Production is as it was.
    let prod = environments_of(app, &app.client)
        .await
        .all
        .into_iter()
        .find(|e| e.is_production)
        .expect("production");
    switch(app, &app.client, &prod.id).await;
    let page: TenantPage = serde_json::from_str(
        &app.call::<ListTenants>(&[("search", ""), ("sort", "name")])
            .await
            .body,
    )
    .expect("page");
    assert_eq!(page.rows.len(), 1);
    assert_eq!(
        (page.rows[0].id.as_str(), page.rows[0].connected_count),
        (t, 1)
    );
    assert!(app.call::<GetConnector>(&[("id", c)]).await.is_ok());
    drop(p.receiver);
    a.app.cleanup().await;
}

/// A request with `key`.
async fn with_key(
    a: &Api,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = a.send(method, path, Some(key), body).await;
    (status, body)
}

async fn an_api_key_sees_only_its_environment(backend: Backend) {
    use reqwest::Method;

    let a = api(backend).await;
    let p = production(&a).await;
    let dev = add(&a.app, "development").await;
    switch(&a.app, &a.app.client, &dev).await;
    let key = new_key(&a.app, &ALL_SCOPES).await;
    let dev_receiver = Receiver::start(&[]).await;
    let dev_endpoint = add_endpoint(&a.app, &dev_receiver.url, &[]).await;

    // Each key says which environment it belongs to.
    let (status, mine) = with_key(&a, &key, Method::GET, "/api/v1/environment", None).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(
        (
            mine["id"].as_str(),
            mine["name"].as_str(),
            mine["is_production"].as_bool()
        ),
        (Some(dev.as_str()), Some("development"), Some(false))
    );
    let (_, theirs) = a.get("/api/v1/environment").await;
    assert_eq!(
        (theirs["name"].as_str(), theirs["is_production"].as_bool()),
        (Some("production"), Some(true))
    );

    let t = &p.tenant;
    let conn = &p.connection;
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/tenants/{t}"), None),
        (Method::GET, "/api/v1/tenants/cus_1".to_owned(), None),
        (
            Method::PATCH,
            format!("/api/v1/tenants/{t}"),
            Some(json!({"name": "X"})),
        ),
        (Method::DELETE, format!("/api/v1/tenants/{t}"), None),
        (Method::GET, "/api/v1/connectors/acme-api".to_owned(), None),
        (
            Method::GET,
            format!("/api/v1/connectors/{}", p.connector),
            None,
        ),
        (
            Method::PATCH,
            "/api/v1/connectors/acme-api".to_owned(),
            Some(json!({"name": "X"})),
        ),
        (
            Method::POST,
            "/api/v1/connectors/acme-api/disable".to_owned(),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/connect-links/{}", p.link),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/connect-links/{}/revoke", p.link),
            None,
        ),
        (Method::GET, format!("/api/v1/connections/{conn}"), None),
        (
            Method::GET,
            format!("/api/v1/connections/{conn}/credentials"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/connections/{conn}/refresh"),
            None,
        ),
        (Method::DELETE, format!("/api/v1/connections/{conn}"), None),
        (
            Method::POST,
            "/api/v1/connect-links".to_owned(),
            Some(json!({"tenant": {"id": t}, "connector": "acme-api"})),
        ),
    ] {
        let (status, answer) = with_key(&a, &key, method.clone(), &path, body).await;
        assert!(
            status == 404 || (status == 422 && path == "/api/v1/connect-links"),
            "{method} {path}: {status} {answer}"
        );
    }
    for path in [
        "/api/v1/tenants",
        "/api/v1/connections",
        "/api/v1/connect-links",
    ] {
        let (status, listed) = with_key(&a, &key, Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {listed}");
        assert_eq!(listed["data"], json!([]), "{path}");
    }
    let (_, connectors) = with_key(&a, &key, Method::GET, "/api/v1/connectors", None).await;
    assert_eq!(connectors["data"], json!([]));

    // An exchange code of production is, to this key, like no code at all.
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_1"}, "connector": "acme-api",
                   "callback_url": "https://app.example.com/done", "state": "s1"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let (_, location) = a
        .submit_key(link["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    let back = url::Url::parse(&location.expect("back to the callback")).expect("url");
    let q: HashMap<_, _> = back.query_pairs().into_owned().collect();
    let exchange = |code: &str| json!({"code": code});
    let unknown = with_key(
        &a,
        &key,
        Method::POST,
        "/api/v1/exchange",
        Some(exchange("alx_nope")),
    )
    .await;
    let foreign = with_key(
        &a,
        &key,
        Method::POST,
        "/api/v1/exchange",
        Some(exchange(&q["code"])),
    )
    .await;
    assert_eq!(foreign.0, unknown.0, "{foreign:?}");
    assert_eq!(foreign.1["type"], unknown.1["type"]);
    assert_eq!(foreign.1["detail"], unknown.1["detail"]);
    let (status, redeemed) = a.post("/api/v1/exchange", exchange(&q["code"])).await;
    assert_eq!(status, 200, "its own environment redeems it: {redeemed}");

    // The same external id and connector key live in development as other records.
    let (status, dev_tenant) = with_key(
        &a,
        &key,
        Method::PUT,
        "/api/v1/tenants/by-external-id/cus_1",
        Some(json!({"name": "Acme (dev)"})),
    )
    .await;
    assert_eq!(status, 201, "{dev_tenant}");
    assert_ne!(dev_tenant["id"].as_str(), Some(t.as_str()));
    let (status, dev_connector) = with_key(
        &a,
        &key,
        Method::POST,
        "/api/v1/connectors",
        Some(
            json!({"provider": "generic_api_key", "name": "Acme API", "key": "acme-api",
                    "options": {"verify_url": format!("{}/verify", a.provider.base)}}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{dev_connector}");

    // Production's callback origins are not development's.
    let (status, refused) = with_key(
        &a,
        &key,
        Method::POST,
        "/api/v1/connect-links",
        Some(
            json!({"tenant": {"external_id": "cus_dev", "name": "Dev"}, "connector": "acme-api",
                    "callback_url": "https://app.example.com/done", "state": "s2"}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("origin"), "{refused}");

    // Events go to the endpoints of their environment, and say which it is.
    let mut seen_prod = 0;
    let mut seen_dev = 0;
    let earlier = delivered_since(&a, &p.receiver, &p.secret, &mut seen_prod).await;
    assert!(
        !earlier.is_empty() && earlier.iter().all(|e| e["environment"] == "production"),
        "{earlier:?}"
    );
    let (status, dev_link) = with_key(
        &a,
        &key,
        Method::POST,
        "/api/v1/connect-links",
        Some(json!({"tenant": {"external_id": "cus_1"}, "connector": "acme-api"})),
    )
    .await;
    assert_eq!(status, 201, "{dev_link}");
    let dev_url = dev_link["url"].as_str().expect("url").to_owned();
    let page = a
        .http
        .get(a.app.url(&Api::path_of(&dev_url)))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(r#"data-testid="environment""#) && page.contains("development"),
        "the end user is told it is not production"
    );
    let prod_page = a
        .http
        .get(a.app.url(&Api::path_of(link["url"].as_str().expect("url"))))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!prod_page.contains(r#"data-testid="environment""#));
    a.submit_key(&dev_url, GOOD_API_KEY).await;
    let dev_events = delivered_since(&a, &dev_receiver, &dev_endpoint.secret, &mut seen_dev).await;
    assert!(
        dev_events.iter().any(|e| e["type"] == "connection.created"),
        "{dev_events:?}"
    );
    assert!(dev_events.iter().all(|e| e["environment"] == "development"));
    let prod_events = delivered_since(&a, &p.receiver, &p.secret, &mut seen_prod).await;
    assert!(prod_events.is_empty(), "{prod_events:?}");
    let (_, dev_connections) = with_key(&a, &key, Method::GET, "/api/v1/connections", None).await;
    assert_eq!(dev_connections["data"].as_array().map(Vec::len), Some(1));
    let (_, prod_connections) = a.get("/api/v1/connections").await;
    assert_eq!(prod_connections["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        prod_connections["data"][0]["id"].as_str(),
        Some(conn.as_str())
    );
    a.app.cleanup().await;
}
