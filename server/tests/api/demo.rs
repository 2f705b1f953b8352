//! Demo mode: the seeded tenant and connectors, and the whole journey against the built-in
//! provider, over real HTTP with nothing else running.

use std::collections::HashMap;
use std::sync::Arc;

use app::api::links::GenerateLink;
use app::api::tenants::{GetTenantDetails, ListTenants};
use app::domain::entities::{connection, connector, tenant};
use app::domain::services::connections;
use app::types::{ConnectionStatus, GeneratedLink, TenantDetails, TenantPage};
use reqwest::cookie::Jar;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::demo;

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, client_with, spawn_app_with,
};
use crate::on_both_backends;

on_both_backends!(
    demo_mode_walks_the_oauth_journey_offline,
    demo_provider_refuses_what_a_real_provider_refuses,
    demo_api_key_connector_verifies_keys,
);

/// The demo connectors point at the server's public URL, so it must be the bound address: pick a
/// free port first.
async fn demo_app(backend: Backend) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let app = spawn_app_with(
        backend,
        TestOptions {
            extra_env: vec![
                ("AUTHLINK_DEMO", "true".into()),
                ("AUTHLINK_BIND", format!("127.0.0.1:{port}")),
                ("AUTHLINK_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    app
}

async fn connector_id(app: &TestApp, key: &str) -> String {
    connector::Entity::find()
        .filter(connector::Column::Key.eq(key))
        .one(&app.state.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("connector {key} seeded"))
        .id
        .to_string()
}

async fn demo_tenant_id(app: &TestApp) -> String {
    let response = app
        .call::<ListTenants>(&[("search", demo::TENANT_EXTERNAL_ID), ("sort", "name")])
        .await;
    assert!(response.is_ok(), "{response:?}");
    let page: TenantPage = serde_json::from_str(&response.body).expect("page");
    assert_eq!(page.rows.len(), 1, "{page:?}");
    page.rows[0].id.clone()
}

async fn link(app: &TestApp, tenant: &str, connector: &str) -> String {
    let response = app
        .call_json::<GenerateLink>(serde_json::json!({
            "tenant_id": tenant,
            "connector_id": connector,
            "expires_in_minutes": 60,
            "single_use": true,
            "note": "",
            "presets": [],
        }))
        .await;
    assert!(response.is_ok(), "{response:?}");
    let link: GeneratedLink = serde_json::from_str(&response.body).expect("link");
    link.url
}

async fn details(app: &TestApp, tenant: &str) -> TenantDetails {
    let response = app.call::<GetTenantDetails>(&[("id", tenant)]).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("details")
}

fn browser() -> reqwest::Client {
    client_with(Arc::new(Jar::default()))
}

fn location(response: &reqwest::Response) -> url::Url {
    let text = response.headers()["location"].to_str().expect("location");
    url::Url::parse(text).expect("absolute location")
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Follows a demo link up to the consent screen; returns the authorization request URL.
async fn to_consent(app: &TestApp, browser: &reqwest::Client, link: &str) -> url::Url {
    let page = browser.get(link).send().await.expect("connect page");
    assert_eq!(page.status(), 200);
    let start = browser
        .post(link)
        .header("origin", &app.base)
        .form(&[("go", "")][..0])
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), 303);
    let authorize = location(&start);
    assert_eq!(authorize.path(), "/demo/oauth/authorize");
    let consent = browser
        .get(authorize.clone())
        .send()
        .await
        .expect("consent");
    assert_eq!(consent.status(), 200);
    let body = consent.text().await.expect("body");
    assert!(body.contains("Authorize Authlink demo"), "{body}");
    assert!(body.contains(demo::ACCOUNT_EMAIL));
    authorize
}

/// Answers the consent screen the way its form does: the request's fields plus the decision.
async fn decide(
    app: &TestApp,
    browser: &reqwest::Client,
    authorize: &url::Url,
    decision: &str,
) -> reqwest::Response {
    let mut fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    fields.push(("decision".into(), decision.into()));
    browser
        .post(app.url("/demo/oauth/authorize"))
        .header("origin", &app.base)
        .form(&fields)
        .send()
        .await
        .expect("decision")
}

async fn demo_mode_walks_the_oauth_journey_offline(backend: Backend) {
    let app = demo_app(backend).await;
    let tenant = demo_tenant_id(&app).await;
    let oauth = connector_id(&app, demo::OAUTH_CONNECTOR_KEY).await;

    let url = link(&app, &tenant, &oauth).await;
    let browser = browser();
    let authorize = to_consent(&app, &browser, &url).await;
    let back = decide(&app, &browser, &authorize, "allow").await;
    assert_eq!(back.status(), 303);
    let callback = location(&back);
    assert_eq!(callback.path(), "/oauth/callback");
    let params = query(&callback);
    assert_eq!(params["iss"], format!("{}/demo/oauth", app.base));
    assert!(params.contains_key("code") && params.contains_key("state"));

    let done = browser.get(callback).send().await.expect("callback");
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .expect("body")
            .contains("You're connected")
    );

    let row = details(&app, &tenant)
        .await
        .connectors
        .into_iter()
        .find(|c| c.connector_id == oauth)
        .expect("row");
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.account_label.as_deref(), Some(demo::ACCOUNT_EMAIL));

    // The stored refresh token works at the provider, and rotates: the old one stops working.
    let stored = connection::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("connection");
    let Ok(connections::Credentials::OAuth2 {
        refresh_token: Some(refresh),
        ..
    }) = connections::open_credentials(&app.state, &stored)
    else {
        panic!("OAuth2 credentials with a refresh token");
    };
    let refresh_with = |token: String| {
        let url = app.url("/demo/oauth/token");
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token.as_str()),
                    ("client_id", demo::CLIENT_ID),
                    ("client_secret", demo::CLIENT_SECRET),
                ])
                .send()
                .await
                .expect("refresh")
        }
    };
    let first = refresh_with(refresh.clone()).await;
    assert_eq!(first.status(), 200);
    let body: serde_json::Value = first.json().await.expect("json");
    assert_ne!(body["refresh_token"].as_str(), Some(refresh.as_str()));
    assert_eq!(body["scope"], demo::SCOPES.join(" "));
    assert_eq!(refresh_with(refresh).await.status(), 400);

    // Seeding again (a restart in demo mode) duplicates nothing.
    demo::seed(&app.state).await.expect("seed again");
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::ExternalId.eq(demo::TENANT_EXTERNAL_ID))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(tenants, 1);
    let connectors = connector::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(connectors, 2);
    app.cleanup().await;
}

async fn demo_provider_refuses_what_a_real_provider_refuses(backend: Backend) {
    let app = demo_app(backend).await;
    let tenant = demo_tenant_id(&app).await;
    let oauth = connector_id(&app, demo::OAUTH_CONNECTOR_KEY).await;
    let url = link(&app, &tenant, &oauth).await;
    let browser = browser();
    let authorize = to_consent(&app, &browser, &url).await;

    // A redirect URI that is not registered gets a page, never a redirect.
    let mut elsewhere = authorize.clone();
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "https://evil.example/cb".into())
            } else {
                (k, v)
            }
        })
        .collect();
    elsewhere.query_pairs_mut().clear().extend_pairs(&pairs);
    let refused = browser.get(elsewhere).send().await.expect("refused");
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().get("location").is_none());

    // Without PKCE the client gets an error redirect.
    let mut no_pkce = authorize.clone();
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "code_challenge")
        .collect();
    no_pkce.query_pairs_mut().clear().extend_pairs(&pairs);
    let response = browser.get(no_pkce).send().await.expect("no pkce");
    assert_eq!(response.status(), 303);
    assert_eq!(query(&location(&response))["error"], "invalid_request");

    // A code redeemed with the wrong verifier is spent, and so is a reused one.
    let back = decide(&app, &browser, &authorize, "allow").await;
    let code = query(&location(&back))["code"].clone();
    let token = |fields: Vec<(&'static str, String)>| {
        let client = reqwest::Client::new();
        let url = app.url("/demo/oauth/token");
        async move {
            let response = client
                .post(url)
                .basic_auth(demo::CLIENT_ID, Some(demo::CLIENT_SECRET))
                .form(&fields)
                .send()
                .await
                .expect("token");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.expect("json");
            (status, body)
        }
    };
    let redirect_uri = format!("{}/oauth/callback", app.base);
    let (status, body) = token(vec![
        ("grant_type", "authorization_code".into()),
        ("code", code.clone()),
        ("redirect_uri", redirect_uri.clone()),
        ("code_verifier", "x".repeat(43)),
    ])
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Deny: the callback tells the end user, and nothing is stored.
    let denied = decide(&app, &browser, &authorize, "deny").await;
    let callback = location(&denied);
    assert_eq!(query(&callback)["error"], "access_denied");
    let page = browser.get(callback).send().await.expect("callback");
    assert_eq!(page.status(), 400);
    let row = details(&app, &tenant)
        .await
        .connectors
        .into_iter()
        .find(|c| c.connector_id == oauth)
        .expect("row");
    assert!(!row.has_connection);

    // Wrong client secret.
    let response = reqwest::Client::new()
        .post(app.url("/demo/oauth/token"))
        .basic_auth(demo::CLIENT_ID, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 401);

    let (status, _) = token(vec![
        ("grant_type", "refresh_token".into()),
        ("refresh_token", "never-issued".into()),
    ])
    .await;
    assert_eq!(status, 400);
    app.cleanup().await;
}

async fn demo_api_key_connector_verifies_keys(backend: Backend) {
    let app = demo_app(backend).await;
    let tenant = demo_tenant_id(&app).await;
    let key_connector = connector_id(&app, demo::API_KEY_CONNECTOR_KEY).await;
    let url = link(&app, &tenant, &key_connector).await;
    let browser = browser();
    let post = |key: &'static str| {
        let browser = browser.clone();
        let url = url.clone();
        let origin = app.base.clone();
        async move {
            let response = browser
                .post(url)
                .header("origin", origin)
                .form(&[("api_key", key)])
                .send()
                .await
                .expect("post");
            (
                response.status().as_u16(),
                response.text().await.expect("body"),
            )
        }
    };
    let (status, body) = post("not-a-demo-key").await;
    assert_eq!(status, 422);
    assert!(body.contains("did not accept these credentials"), "{body}");
    let (status, body) = post("demo_12345").await;
    assert_eq!(status, 200, "{body}");
    let row = details(&app, &tenant)
        .await
        .connectors
        .into_iter()
        .find(|c| c.connector_id == key_connector)
        .expect("row");
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.account_label.as_deref(), Some(demo::ACCOUNT_EMAIL));
    app.cleanup().await;
}
