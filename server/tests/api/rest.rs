//! The REST API over real HTTP: API keys and scopes, problem documents, pagination limits,
//! callback URLs with exchange codes, idempotency, credentials with a single refresh, rate
//! limits, and the OpenAPI document against the served routes.

use std::collections::HashMap;
use std::sync::Arc;

use app::api::connectors::SaveConnector;
use app::api::settings::{AddCallbackOrigin, CreateApiKey, RevokeApiKey};
use app::types::CreatedApiKey;
use futures::future::join_all;
use reqwest::cookie::Jar;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, client_with, spawn_app_with,
};
use crate::mock_provider::{GOOD_API_KEY, MockProvider, TokenMode};
use crate::on_both_backends;

on_both_backends!(
    keys_scopes_and_errors_are_uniform,
    a_backend_runs_the_whole_journey_with_exchange_codes,
    callback_urls_must_match_an_allowed_origin,
    idempotency_keys_replay_the_first_answer,
    a_replayed_link_is_kept_sealed,
    credentials_are_refreshed_once_for_many_readers,
    the_openapi_document_matches_the_routes,
    each_key_is_rate_limited,
);

pub(crate) const ALL_SCOPES: [&str; 9] = [
    "tenants:read",
    "tenants:write",
    "connectors:read",
    "connectors:write",
    "links:read",
    "links:write",
    "connections:read",
    "connections:write",
    "credentials:read",
];

pub(crate) struct Api {
    pub(crate) app: TestApp,
    pub(crate) http: reqwest::Client,
    pub(crate) key: String,
    pub(crate) provider: MockProvider,
}

pub(crate) async fn api_with(backend: Backend, options: TestOptions) -> Api {
    let app = spawn_app_with(backend, options).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let key = new_key(&app, &ALL_SCOPES).await;
    let provider = MockProvider::start().await;
    Api {
        app,
        http: reqwest::Client::new(),
        key,
        provider,
    }
}

pub(crate) async fn api(backend: Backend) -> Api {
    api_with(backend, TestOptions::default()).await
}

pub(crate) async fn new_key(app: &TestApp, scopes: &[&str]) -> String {
    let response = app
        .call_json::<CreateApiKey>(json!({"name": "backend", "scopes": scopes}))
        .await;
    assert!(response.is_ok(), "{response:?}");
    let created: CreatedApiKey = serde_json::from_str(&response.body).expect("key");
    assert!(created.key.starts_with("alk_") && created.key.len() >= 46);
    created.key
}

impl Api {
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, HeaderMapLite, Value) {
        let mut request = self.http.request(method, self.app.url(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = HeaderMapLite(
            response
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
        );
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, body)
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = self
            .send(reqwest::Method::GET, path, Some(&self.key), None)
            .await;
        (s, b)
    }

    /// DELETE with the key; the status.
    pub(crate) async fn delete(&self, path: &str) -> u16 {
        self.send(reqwest::Method::DELETE, path, Some(&self.key), None)
            .await
            .0
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, b) = self
            .send(reqwest::Method::POST, path, Some(&self.key), Some(body))
            .await;
        (s, b)
    }

    pub(crate) async fn key_connector(&self) {
        let response = self
            .app
            .call::<SaveConnector>(&[
                ("provider", "generic_api_key"),
                ("name", "Acme API"),
                ("key", "acme-api"),
                ("verify_url", &format!("{}/verify", self.provider.base)),
            ])
            .await;
        assert!(response.is_ok(), "{response:?}");
    }

    pub(crate) async fn oauth_connector(&self) {
        let response = self
            .app
            .call::<SaveConnector>(&[
                ("provider", "generic_oauth2"),
                ("name", "Acme CRM"),
                ("key", "acme-crm"),
                ("client_id", "test-client"),
                ("client_secret", "test-secret"),
                ("scopes", "read write"),
                (
                    "authorization_url",
                    &format!("{}/authorize", self.provider.base),
                ),
                ("token_url", &format!("{}/token", self.provider.base)),
                ("revocation_url", &format!("{}/revoke", self.provider.base)),
            ])
            .await;
        assert!(response.is_ok(), "{response:?}");
    }

    pub(crate) async fn allow_origin(&self, origin: &str) {
        let response = self
            .app
            .call::<AddCallbackOrigin>(&[("origin", origin)])
            .await;
        assert!(response.is_ok(), "{response:?}");
    }

    pub(crate) fn path_of(url: &str) -> String {
        url::Url::parse(url).expect("url").path().to_owned()
    }

    /// The end user goes through the mock provider with `link_url`, which issues `code`.
    pub(crate) async fn connect_oauth(&self, link_url: &str, code: &str) {
        let (status, _) = self.end_user_oauth(link_url, Some(code)).await;
        assert_eq!(status, 200);
    }

    /// The end user opens `link_url`, is sent to the mock provider, and comes back with `code`
    /// (or with `error=access_denied` when `code` is `None`). Returns the callback's status and
    /// Location.
    pub(crate) async fn end_user_oauth(
        &self,
        link_url: &str,
        code: Option<&str>,
    ) -> (u16, Option<String>) {
        let done = self.end_user_oauth_response(link_url, code).await;
        (
            done.status().as_u16(),
            done.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        )
    }

    /// Like [`Api::end_user_oauth`], answering the callback's whole response (its page).
    pub(crate) async fn end_user_oauth_response(
        &self,
        link_url: &str,
        code: Option<&str>,
    ) -> reqwest::Response {
        let browser = client_with(Arc::new(Jar::default()));
        let start = browser
            .post(self.app.url(&Self::path_of(link_url)))
            .header("origin", &self.app.base)
            .send()
            .await
            .expect("start");
        assert_eq!(start.status(), 303);
        let authorize =
            url::Url::parse(start.headers()["location"].to_str().expect("loc")).expect("url");
        let q: HashMap<_, _> = authorize.query_pairs().into_owned().collect();
        let callback = match code {
            Some(code) => {
                self.provider.issue_code(code, &q["code_challenge"]);
                format!("/oauth/callback?code={code}&state={}", q["state"])
            }
            None => format!("/oauth/callback?error=access_denied&state={}", q["state"]),
        };
        browser
            .get(self.app.url(&callback))
            .send()
            .await
            .expect("callback")
    }

    /// The end user submits the API-key form of `link_url`; returns status and Location.
    pub(crate) async fn submit_key(&self, link_url: &str, key: &str) -> (u16, Option<String>) {
        let browser = client_with(Arc::new(Jar::default()));
        let response = browser
            .post(self.app.url(&Self::path_of(link_url)))
            .header("origin", &self.app.base)
            .form(&[("api_key", key)])
            .send()
            .await
            .expect("submit");
        (
            response.status().as_u16(),
            response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        )
    }
}

pub(crate) struct HeaderMapLite(HashMap<String, String>);

impl HeaderMapLite {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

async fn keys_scopes_and_errors_are_uniform(backend: Backend) {
    let a = api(backend).await;
    let revoked = new_key(&a.app, &["tenants:read"]).await;
    let keys = a.app.call::<app::api::settings::ListApiKeys>(&[]).await;
    let list: Vec<app::types::ApiKeyInfo> = serde_json::from_str(&keys.body).expect("keys");
    let revoked_id = list
        .iter()
        .find(|k| k.scopes == ["tenants:read"])
        .expect("listed")
        .id
        .clone();
    assert!(
        a.app
            .call::<RevokeApiKey>(&[("id", &revoked_id)])
            .await
            .is_ok()
    );

    let mut answers = Vec::new();
    for key in [
        None,
        Some("not-a-key"),
        Some("alk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Some(revoked.as_str()),
    ] {
        let (status, headers, body) = a
            .send(reqwest::Method::GET, "/api/v1/tenants", key, None)
            .await;
        assert_eq!(status, 401, "{key:?}");
        assert_eq!(
            headers.get("content-type"),
            Some("application/problem+json")
        );
        answers.push(body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(answers[0]["code"], "unauthorized");

    let reader = new_key(&a.app, &["tenants:read"]).await;
    let (status, _, body) = a
        .send(
            reqwest::Method::POST,
            "/api/v1/tenants",
            Some(&reader),
            Some(json!({"name": "X", "external_id": "x"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("insufficient_scope"))
    );

    for path in [
        "/api/v1/tenants/00000000-0000-0000-0000-000000000000",
        "/api/v1/tenants/no-such-external-id",
        "/api/v1/connections/not-a-uuid",
        "/api/v1/connect-links/00000000-0000-0000-0000-000000000000",
        "/api/v1/connectors/unknown-key",
        "/api/v1/nothing-here",
    ] {
        let (status, body) = a.get(path).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }

    for bad in ["limit=0", "limit=-1", "limit=ten", "cursor=garbage"] {
        let (status, body) = a.get(&format!("/api/v1/tenants?{bad}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
    for bad in ["limit=0", "cursor=garbage"] {
        assert_eq!(
            a.get(&format!("/api/v1/connections?{bad}")).await.0,
            400,
            "{bad}"
        );
        assert_eq!(
            a.get(&format!("/api/v1/connect-links?{bad}")).await.0,
            400,
            "{bad}"
        );
    }
    let (status, body) = a.get("/api/v1/tenants?limit=1000000000").await;
    assert_eq!(status, 200, "{body}");

    // Malformed and non-JSON bodies.
    let (status, _, body) = a
        .send(
            reqwest::Method::POST,
            "/api/v1/tenants",
            Some(&a.key),
            Some(json!({"nope": 1})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let response = a
        .http
        .post(a.app.url("/api/v1/tenants"))
        .bearer_auth(&a.key)
        .body("name=x")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 415);
    a.app.cleanup().await;
}

async fn a_backend_runs_the_whole_journey_with_exchange_codes(backend: Backend) {
    let a = api(backend).await;
    a.key_connector().await;
    a.allow_origin("https://app.example.com").await;

    // Upsert by external id: created, then renamed, never duplicated.
    let (status, _, tenant) = a
        .send(
            reqwest::Method::PUT,
            "/api/v1/tenants/by-external-id/cus_7",
            Some(&a.key),
            Some(json!({"name": "Initech"})),
        )
        .await;
    assert_eq!(status, 201, "{tenant}");
    let (status, _, renamed) = a
        .send(
            reqwest::Method::PUT,
            "/api/v1/tenants/by-external-id/cus_7",
            Some(&a.key),
            Some(json!({"name": "Initech Ltd"})),
        )
        .await;
    assert_eq!((status, renamed["id"].clone()), (200, tenant["id"].clone()));
    let (_, by_external) = a.get("/api/v1/tenants/cus_7").await;
    assert_eq!(by_external["name"], "Initech Ltd");

    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({
                "tenant": {"external_id": "cus_7"},
                "connector": "acme-api",
                "callback_url": "https://app.example.com/integrations?tab=crm",
                "state": "xyz-123",
                "end_user": {"email": "it@initech.example", "name": "Bob"},
                "tags": ["plan:pro"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["status"], "active");
    let url = link["url"].as_str().expect("url").to_owned();
    let link_id = link["id"].as_str().expect("id").to_owned();

    // A wrong key keeps the end user on the form; the right one goes to the callback.
    let (status, location) = a.submit_key(&url, "sk-wrong").await;
    assert_eq!((status, location), (422, None));
    let (status, location) = a.submit_key(&url, GOOD_API_KEY).await;
    assert_eq!(status, 303);
    let back = url::Url::parse(&location.expect("location")).expect("callback");
    assert_eq!(
        back.origin().ascii_serialization(),
        "https://app.example.com"
    );
    let q: HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["tab"], "crm");
    assert_eq!(q["status"], "success");
    assert_eq!(q["state"], "xyz-123");
    let code = q["code"].clone();

    let (_, fetched) = a.get(&format!("/api/v1/connect-links/{link_id}")).await;
    assert_eq!(fetched["status"], "completed");
    assert!(fetched["completed_at"].is_string() && fetched["opened_at"].is_string());
    assert!(fetched.get("url").is_none(), "the URL is shown once");
    assert_eq!(fetched["tags"], json!(["plan:pro"]));

    let (status, exchanged) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(status, 200, "{exchanged}");
    assert_eq!(exchanged["link_id"], link_id.as_str());
    assert_eq!(exchanged["connection"]["tenant"]["external_id"], "cus_7");
    assert_eq!(exchanged["connection"]["connector"], "acme-api");
    let connection_id = exchanged["connection"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, again) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (status, creds) = a
        .get(&format!("/api/v1/connections/{connection_id}/credentials"))
        .await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["type"], "fields");
    assert_eq!(creds["values"]["api_key"], GOOD_API_KEY);
    let (_, meta) = a.get(&format!("/api/v1/connections/{connection_id}")).await;
    assert!(
        !meta.to_string().contains(GOOD_API_KEY),
        "metadata has no secret"
    );
    let (_, listed) = a.get("/api/v1/connections?status=connected").await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));

    // Twenty simultaneous redemptions of one fresh code: exactly one succeeds.
    let (_, link2) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"id": tenant["id"]}, "connector": "acme-api",
                   "callback_url": "https://app.example.com/cb", "state": "s2"}),
        )
        .await;
    let (_, location) = a
        .submit_key(link2["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    let back = url::Url::parse(&location.expect("location")).expect("url");
    let code2 = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let results =
        join_all((0..20).map(|_| a.post("/api/v1/exchange", json!({"code": code2})))).await;
    assert_eq!(results.iter().filter(|(s, _)| *s == 200).count(), 1);
    assert!(results.iter().all(|(s, _)| *s == 200 || *s == 400));

    // A code past its five minutes is the same as an unknown one.
    let (_, link3) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"id": tenant["id"]}, "connector": "acme-api",
                   "callback_url": "https://app.example.com/cb", "state": "s3"}),
        )
        .await;
    let (_, location) = a
        .submit_key(link3["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    let code3 = url::Url::parse(&location.expect("location"))
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    a.app
        .clock
        .advance(time::Duration::minutes(5) + time::Duration::seconds(1));
    let (status, _) = a.post("/api/v1/exchange", json!({"code": code3})).await;
    assert_eq!(status, 400);

    // A link for a tenant created on the fly, offering two connectors.
    a.oauth_connector().await;
    let (status, multi) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_new", "name": "Globex"},
                   "connectors": ["acme-api", "acme-crm"]}),
        )
        .await;
    assert_eq!(status, 201, "{multi}");
    assert_eq!(multi["connectors"], json!(["acme-api", "acme-crm"]));
    let page = reqwest::get(
        a.app
            .url(&Api::path_of(multi["url"].as_str().expect("url"))),
    )
    .await
    .expect("page")
    .text()
    .await
    .expect("body");
    assert!(
        page.contains("Choose what to connect") && page.contains("Acme CRM"),
        "{page}"
    );

    // Disconnect through the API.
    let status = a
        .delete(&format!("/api/v1/connections/{connection_id}"))
        .await;
    assert_eq!(status, 204);
    let (status, meta) = a.get(&format!("/api/v1/connections/{connection_id}")).await;
    assert_eq!(
        (status, meta["status"].as_str()),
        (200, Some("disconnected"))
    );
    let (status, problem) = a
        .get(&format!("/api/v1/connections/{connection_id}/credentials"))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("disconnected"))
    );
    // Repeating the call changes nothing.
    let status = a
        .delete(&format!("/api/v1/connections/{connection_id}"))
        .await;
    assert_eq!(status, 204);
    a.app.cleanup().await;
}

async fn callback_urls_must_match_an_allowed_origin(backend: Backend) {
    let a = api(backend).await;
    a.key_connector().await;
    a.allow_origin("https://allowed.com").await;
    let (_, tenant) = a
        .post("/api/v1/tenants", json!({"name": "T", "external_id": "t1"}))
        .await;
    let create = |callback: &'static str| {
        a.post(
            "/api/v1/connect-links",
            json!({"tenant": {"id": tenant["id"]}, "connector": "acme-api", "callback_url": callback}),
        )
    };
    for bad in [
        "https://allowed.com.evil.com/cb",
        "https://allowed.com@evil.com/cb",
        "//evil.com/cb",
        "javascript:alert(1)",
        "data:text/html,hi",
        "http://allowed.com/cb",
        "https://allowed.com./cb",
        "https://allowed.com:8443/cb",
    ] {
        let (status, body) = create(bad).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("validation_failed")),
            "{bad}"
        );
    }
    let (status, body) = create("https://allowed.com/cb").await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"id": tenant["id"]}, "connector": "acme-api", "state": "s"}),
        )
        .await;
    assert_eq!(status, 422, "state without a callback URL");
    for (expires_in, expected) in [(299, 422), (2_592_001, 422), (300, 201)] {
        let (status, _) = a
            .post(
                "/api/v1/connect-links",
                json!({"tenant": {"id": tenant["id"]}, "connector": "acme-api", "expires_in": expires_in}),
            )
            .await;
        assert_eq!(status, expected, "{expires_in}");
    }
    a.app.cleanup().await;
}

async fn idempotency_keys_replay_the_first_answer(backend: Backend) {
    let a = api(backend).await;
    let send = |key: &'static str, body: Value| {
        let request = a
            .http
            .post(a.app.url("/api/v1/tenants"))
            .bearer_auth(&a.key)
            .header("idempotency-key", key)
            .json(&body);
        async move {
            let response = request.send().await.expect("post");
            let status = response.status().as_u16();
            let replayed = response.headers().contains_key("idempotent-replayed");
            let body: Value = response.json().await.expect("json");
            (status, replayed, body)
        }
    };
    let body = json!({"name": "Umbrella", "external_id": "cus_u"});
    let (s1, r1, first) = send("k-1", body.clone()).await;
    let (s2, r2, second) = send("k-1", body.clone()).await;
    assert_eq!((s1, r1), (201, false));
    assert_eq!((s2, r2), (201, true));
    assert_eq!(first["id"], second["id"]);
    let (s3, _, third) = send("k-1", json!({"name": "Other", "external_id": "cus_o"})).await;
    assert_eq!(
        (s3, third["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    // Without the key the duplicate external id is a conflict, not a replay.
    let (status, dup) = a.post("/api/v1/tenants", body).await;
    assert_eq!((status, dup["code"].as_str()), (409, Some("conflict")));
    let (_, list) = a.get("/api/v1/tenants?external_id=cus_u").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
    a.app.cleanup().await;
}

/// The first answer to `POST /connect-links` carries the link; kept for replays, it is sealed
/// with the master key, so the table never holds a usable link token.
async fn a_replayed_link_is_kept_sealed(backend: Backend) {
    use app::domain::entities::idempotency_key;
    use sea_orm::EntityTrait;

    let a = api(backend).await;
    a.oauth_connector().await;
    let send = || {
        let request = a
            .http
            .post(a.app.url("/api/v1/connect-links"))
            .bearer_auth(&a.key)
            .header("idempotency-key", "link-1")
            .json(&json!({"tenant": {"external_id": "cus_s", "name": "Soylent"}, "connector": "acme-crm"}));
        async move {
            let response = request.send().await.expect("post");
            let replayed = response.headers().contains_key("idempotent-replayed");
            let body: Value = response.json().await.expect("json");
            (
                replayed,
                body["url"].as_str().unwrap_or_default().to_owned(),
            )
        }
    };
    let (first_replayed, first) = send().await;
    let (replayed, again) = send().await;
    assert!(!first_replayed && replayed);
    assert_eq!(first, again, "the retry gets the same link");
    let token = first.rsplit('/').next().expect("token");
    assert_eq!(token.len(), 43, "{first}");
    let rows = idempotency_key::Entity::find()
        .all(&a.app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    let kept = rows[0].body.clone().unwrap_or_default();
    assert!(kept.starts_with("sealed:"), "{kept}");
    assert!(!kept.contains(token), "the link token is not kept readable");
    a.app.cleanup().await;
}

async fn credentials_are_refreshed_once_for_many_readers(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let (_, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_r", "name": "Hooli"}, "connector": "acme-crm"}),
        )
        .await;
    a.connect_oauth(link["url"].as_str().expect("url"), "c-1")
        .await;

    let (_, listed) = a.get("/api/v1/connections").await;
    let id = listed["data"][0]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/connections/{id}/credentials");
    let (_, fresh) = a.get(&path).await;
    assert_eq!(fresh["access_token"], "at-c-1");
    assert_eq!(
        a.provider
            .refresh_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    // Past expiry: fifty simultaneous readers, one refresh, everyone gets the new token.
    a.app.clock.advance(time::Duration::hours(2));
    let reads = join_all((0..50).map(|_| a.get(&path))).await;
    assert_eq!(
        a.provider
            .refresh_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    for (status, body) in &reads {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["access_token"], "at-refreshed-1");
        assert_eq!(
            body["refresh_token"], "rt-rotated-1",
            "the rotated refresh token is saved"
        );
    }

    // A refresh answer without a refresh token keeps the old one.
    a.provider
        .rotate
        .store(false, std::sync::atomic::Ordering::SeqCst);
    a.app.clock.advance(time::Duration::hours(2));
    let (_, body) = a.get(&path).await;
    assert_eq!(body["access_token"], "at-refreshed-2");
    assert_eq!(body["refresh_token"], "rt-rotated-1");

    // invalid_grant: the tenant must reconnect, and the connection says so.
    a.provider.set_mode(TokenMode::Refuse);
    a.app.clock.advance(time::Duration::hours(2));
    let (status, problem) = a.get(&path).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("needs_reauth"))
    );
    let (_, meta) = a.get(&format!("/api/v1/connections/{id}")).await;
    assert_eq!(meta["status"], "needs_reauth");
    // Readers are told at once; the provider is not asked again.
    let calls = a.provider.calls();
    let (status, _) = a.get(&path).await;
    assert_eq!(status, 409);
    assert_eq!(a.provider.calls(), calls);
    a.app.cleanup().await;
}

async fn the_openapi_document_matches_the_routes(backend: Backend) {
    let a = api(backend).await;
    let doc: Value = reqwest::get(a.app.url("/api/v1/openapi.json"))
        .await
        .expect("doc")
        .json()
        .await
        .expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    // Every $ref resolves.
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().expect("name");
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    let paths = doc["paths"].as_object().expect("paths");
    let mut operation_ids = Vec::new();
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().expect("item") {
            operations += 1;
            operation_ids.push(op["operationId"].as_str().expect("operationId").to_owned());
            // Path parameters are declared.
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    op["parameters"].as_array().is_some_and(|ps| ps
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path")),
                    "{method} {path} does not declare {name}"
                );
            }
            // The route is served: without a key it answers 401, not 404 or 405.
            let concrete = path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') {
                        "00000000-0000-0000-0000-000000000000"
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let (status, _, body) = a.send(method.clone(), &concrete, None, None).await;
            assert_eq!(status, 401, "{method} {concrete}: {body}");
        }
    }
    let mut unique = operation_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), operation_ids.len(), "operationIds are unique");
    assert_eq!(operations, 23, "every /api/v1 operation is documented");
    // And the docs page lists each of them.
    let page = reqwest::get(a.app.url("/api/docs"))
        .await
        .expect("docs")
        .text()
        .await
        .expect("body");
    for id in &operation_ids {
        assert!(
            page.contains(&format!("id=\"op-{id}\"")),
            "{id} missing from /api/docs"
        );
    }
    a.app.cleanup().await;
}

async fn each_key_is_rate_limited(backend: Backend) {
    let a = api_with(
        backend,
        TestOptions {
            extra_env: vec![("AUTHLINK_API_RATE_LIMIT", "3".into())],
            ..TestOptions::default()
        },
    )
    .await;
    for _ in 0..3 {
        assert_eq!(a.get("/api/v1/tenants").await.0, 200);
    }
    let (status, headers, body) = a
        .send(reqwest::Method::GET, "/api/v1/tenants", Some(&a.key), None)
        .await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
    let retry: u64 = headers
        .get("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry));
    // Another key has its own budget.
    let other = new_key(&a.app, &["tenants:read"]).await;
    let (status, _, _) = a
        .send(reqwest::Method::GET, "/api/v1/tenants", Some(&other), None)
        .await;
    assert_eq!(status, 200);
    a.app.cleanup().await;
}
