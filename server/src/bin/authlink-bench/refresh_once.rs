//! "50 concurrent credential reads of one expired token → exactly one refresh call", against a
//! small OAuth2 provider in this process that counts refresh-token grants.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::server_fn::ServerFn;

/// Concurrent readers.
pub const READERS: usize = 50;

#[derive(Clone, Default)]
struct Provider {
    refreshes: Arc<AtomicUsize>,
}

async fn authorize(Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(redirect), Some(state)) = (q.get("redirect_uri"), q.get("state")) else {
        return axum::http::StatusCode::BAD_REQUEST.into_response();
    };
    Redirect::to(&format!("{redirect}?code=bench-code&state={state}")).into_response()
}

async fn token(State(p): State<Provider>, Form(form): Form<HashMap<String, String>>) -> Response {
    if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        p.refreshes.fetch_add(1, Ordering::SeqCst);
        // Slow enough for the readers to pile up behind the one refresh.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        return Json(serde_json::json!({
            "access_token": "at-refreshed", "refresh_token": "rt-2",
            "token_type": "Bearer", "expires_in": 3600,
        }))
        .into_response();
    }
    // Issued already inside the readers' refresh margin: the first read must refresh.
    Json(serde_json::json!({
        "access_token": "at-1", "refresh_token": "rt-1",
        "token_type": "Bearer", "expires_in": 30,
    }))
    .into_response()
}

/// Connects the demo tenant through the counting provider, then reads its credentials from
/// [`READERS`] tasks at once. Returns how many refresh calls the provider saw.
pub async fn run(base: &str, admin: &reqwest::Client, key: &str) -> anyhow::Result<usize> {
    let provider = Provider::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mock = format!("http://{}", listener.local_addr()?);
    let router = Router::new()
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let saved = admin
        .post(format!(
            "{base}{}",
            app::api::connectors::SaveConnector::PATH
        ))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("provider", "generic_oauth2"),
            ("name", "Bench OAuth"),
            ("key", "bench-oauth"),
            ("client_id", "bench"),
            ("client_secret", "bench-secret"),
            ("scopes", "read"),
            ("authorization_url", &format!("{mock}/authorize")),
            ("token_url", &format!("{mock}/token")),
        ])
        .send()
        .await?;
    if !(saved.status().is_success() || saved.status().is_redirection()) {
        bail!("the bench connector could not be saved: {}", saved.status());
    }
    let api = reqwest::Client::new();
    let link: serde_json::Value = api
        .post(format!("{base}/api/v1/connect-links"))
        .bearer_auth(key)
        .json(&serde_json::json!({"tenant": {"external_id": "demo-acme"}, "connector": "bench-oauth"}))
        .send()
        .await?
        .json()
        .await?;
    let link = link["url"].as_str().context("no link")?;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?;
    let done = browser
        .post(link)
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await?;
    if !done.status().is_success() {
        bail!("the bench connection failed: {}", done.status());
    }
    let listed: serde_json::Value = api
        .get(format!("{base}/api/v1/connections?connector=bench-oauth"))
        .bearer_auth(key)
        .send()
        .await?
        .json()
        .await?;
    let id = listed["data"][0]["id"]
        .as_str()
        .context("no connection")?
        .to_owned();
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..READERS {
        let (api, url, key) = (
            api.clone(),
            format!("{base}/api/v1/connections/{id}/credentials"),
            key.to_owned(),
        );
        readers.spawn(async move {
            let body: serde_json::Value =
                api.get(url).bearer_auth(key).send().await?.json().await?;
            anyhow::Ok(body["access_token"] == "at-refreshed")
        });
    }
    while let Some(read) = readers.join_next().await {
        if !read?? {
            bail!("a reader did not get the refreshed token");
        }
    }
    Ok(provider.refreshes.load(Ordering::SeqCst))
}
